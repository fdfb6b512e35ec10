"""What the settings page shows: the live settings (runtime/live_settings.py) with their forms,
sources with health, alert rules (from the store, with their origin), channels with secrets
masked, people, units and the web audit log. Every identifier the page shows goes through a
label table here (Chinese message ids of web/i18n.py), every moment through
time_range.local_time in the office zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from yuqing.alerts.channels import build_channel
from yuqing.alerts.channels.options import display_options, model_of
from yuqing.cases.people import CASE_ROLES
from yuqing.config import ChannelConfig
from yuqing.domain import MEDIA_LABELS, MEDIA_TYPES, BadInput
from yuqing.runtime.context import Context
from yuqing.sources.health import STATUS_LABELS, age_parts, health_rows
from yuqing.time_range import local_time
from yuqing.web.access import Viewer
from yuqing.web.accounts import Accounts
from yuqing.web.labels import LABELS, label
from yuqing.web.rule_editor import RuleEditor

#: the fields of a source the form has inputs for; the others are its kind's options
SOURCE_FIELDS = ("name", "kind", "interval", "timezone", "media_type", "enabled")


def channel_options(ctx: Context, cfg: ChannelConfig) -> dict[str, Any]:
    """Return ``cfg``'s options for display: the secret fields its kind's options model
    marks are masked (alerts/channels/options.py); every option of a kind whose channel
    cannot be built is shown as ``***``."""
    try:
        model = model_of(build_channel(ctx.channels, cfg))
    except BadInput:
        model = None
    return display_options(model, dict(cfg.model_extra or {}))


def shown(value: Any) -> str:
    """Return an option value as people read it: lists joined, an ``{"$env": NAME}`` secret
    as ``$env:NAME``, tables as ``key=value`` pairs."""
    if isinstance(value, dict):
        if set(value) == {"$env"}:
            return f"$env:{value['$env']}"
        return "，".join(f"{k}={shown(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(shown(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def source_rows(ctx: Context) -> list[dict[str, Any]]:
    """Return every configured source with its health now (sources/health.py health_rows),
    plus ``status_label`` (Chinese), ``lag`` (``(n, unit)`` or None), ``last_success`` in the
    office zone, the ``entry`` of the settings and its ``options`` for display."""
    tz = ctx.config.timezone
    rows = health_rows(ctx.config.sources, ctx.store.list_source_states(), datetime.now(UTC))
    entries = ctx.live.doc["sources"]
    for i, row in enumerate(rows):
        row["index"] = i
        row["entry"] = entries[i] if i < len(entries) else {}
        row["options"] = {k: shown(v) for k, v in row["entry"].items()
                          if k not in SOURCE_FIELDS}
        row["media_type"] = row["entry"].get("media_type", "other")
        row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
        lag = row["freshness_lag_s"]
        row["lag"] = None if lag is None else age_parts(lag)
        success = row["last_success"]
        row["last_success"] = local_time(datetime.fromisoformat(success), tz) if success else None
    return rows


def _lexicon_rows(ctx: Context) -> list[dict[str, Any]]:
    rows = []
    for i, entry in enumerate(ctx.live.doc["lexicons"]):
        path = entry.get("path")
        rows.append({"index": i, "entry": entry, "category": entry.get("category", "sensitive"),
                     "builtin": path.removeprefix("builtin:") if path and
                     path.startswith("builtin:") else None,
                     "path": path, "terms": len(entry.get("terms", [])),
                     "allow": len(entry.get("allow", []))})
    return rows


def _channel_rows(ctx: Context) -> list[dict[str, Any]]:
    rows = []
    for i, entry in enumerate(ctx.live.doc["alerts.channels"]):
        masked = channel_options(ctx, ChannelConfig.model_validate(entry))
        rows.append({"index": i, "name": entry["name"], "kind": entry["kind"],
                     "entry": {"name": entry["name"], "kind": entry["kind"], **masked},
                     "options": {k: shown(v) for k, v in masked.items()}})
    return rows


def settings_data(ctx: Context, accounts: Accounts, viewer: Viewer) -> dict[str, Any]:
    """Return the settings page's data: ``version`` (``{"version", "at", "actor"}`` in the
    office zone), ``file_error``, ``schemes``, ``sources``, ``lexicons``, ``rules`` (the
    stored rules the processes use: web/rule_editor.rule_doc shape), ``channels``,
    ``units``, ``users``, ``audit``, and the choices of the forms. A unit's user sees the
    users and units of their units only, and no audit log (admins only)."""
    mine = viewer.units
    tz = ctx.config.timezone
    live = ctx.live
    history = ctx.store.settings.history(1)
    audit = accounts.read_audit(50) if viewer.user["role"] == "admin" else []
    return {
        "version": {**history[0], "at": local_time(history[0]["at"], tz)} if history else None,
        "file_error": live.file_error,
        "schemes": [{"index": i, "entry": s} for i, s in enumerate(live.doc["schemes"])],
        "sources": source_rows(ctx),
        "lexicons": _lexicon_rows(ctx),
        "rules": RuleEditor(ctx.store, ctx.config).docs(),
        "channels": _channel_rows(ctx),
        "units": [{"index": i, "entry": u} for i, u in enumerate(live.doc["cases.units"])
                  if mine is None or u["name"] in mine],
        "stored_units": [u for u in accounts.units() if mine is None or u["name"] in mine],
        # a unit's channel that names no configured channel is a built-in kind (console)
        "channel_names": [c.name for c in ctx.config.alerts.channels],
        "users": [u for u in accounts.users() if mine is None or u["unit"] in mine],
        "audit": [{**e, "at": local_time(e["at"], tz)} for e in audit],
        "choices": {
            "source_kinds": [(k, label("source_kind", k)) for k in ctx.sources.names()],
            "channel_kinds": [(k, label("channel_kind", k)) for k in ctx.channels.names()],
            "media": [(m, MEDIA_LABELS[m]) for m in MEDIA_TYPES],
            "levels": list(LABELS["unit_level"].items()),
            "roles": [(r, label("role", r)) for r in CASE_ROLES],
        },
    }
