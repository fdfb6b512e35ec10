"""What the settings page shows: schemes, sources with health, lexicons, alert rules (from
the store, with their origin) and channels with secrets masked, users, units and the web
audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from yuqing.alerts.channels import build_channel
from yuqing.alerts.channels.options import display_options, model_of
from yuqing.config import ChannelConfig
from yuqing.domain import BadInput
from yuqing.runtime.context import Context
from yuqing.sources.health import STATUS_LABELS, age_parts, health_rows
from yuqing.web.access import Viewer
from yuqing.web.accounts import Accounts
from yuqing.web.rule_editor import RuleEditor


def channel_options(ctx: Context, cfg: ChannelConfig) -> dict[str, Any]:
    """Return ``cfg``'s options for display: the secret fields its kind's options model
    marks are masked (alerts/channels/options.py); every option of a kind whose channel
    cannot be built is shown as ``***``."""
    try:
        model = model_of(build_channel(ctx.channels, cfg))
    except BadInput:
        model = None
    return display_options(model, dict(cfg.model_extra or {}))


def source_rows(ctx: Context) -> list[dict[str, Any]]:
    """Return every configured source with its health now (sources/health.py health_rows),
    plus ``status_label`` (Chinese) and ``lag`` (``(n, unit)`` or None) for the page."""
    rows = health_rows(ctx.config.sources, ctx.store.list_source_states(), datetime.now(UTC))
    for row in rows:
        row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
        lag = row["freshness_lag_s"]
        row["lag"] = None if lag is None else age_parts(lag)
    return rows


def settings_data(ctx: Context, accounts: Accounts, viewer: Viewer) -> dict[str, Any]:
    """Return ``{"schemes", "sources", "lexicons", "rules", "channels", "users", "units",
    "audit"}`` for the settings page; ``rules`` are the stored rules the processes use
    (web/rule_editor.rule_doc shape), not only the config file's. A unit's user sees the
    users and units of their units only, and no audit log (admins only)."""
    mine = viewer.units
    cfg = ctx.config
    return {
        "schemes": [s.model_dump() for s in cfg.schemes],
        "sources": source_rows(ctx),
        "lexicons": [lx.model_dump() for lx in cfg.lexicons],
        "rules": RuleEditor(ctx.store, cfg).docs(),
        "channels": [{"name": c.name, "kind": c.kind,
                      "options": channel_options(ctx, c)}
                     for c in cfg.alerts.channels],
        "users": [u for u in accounts.users() if mine is None or u["unit"] in mine],
        "units": [u for u in accounts.units() if mine is None or u["name"] in mine],
        "audit": accounts.read_audit(50) if viewer.user["role"] == "admin" else [],
    }
