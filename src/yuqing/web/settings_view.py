"""What the settings page shows: schemes, sources with health, lexicons, alert rules (from
the store, with their origin) and channels with secrets masked, users, units and the web
audit log."""

from __future__ import annotations

import re
from typing import Any

from yuqing.alerts.channels.base import mask_url
from yuqing.runtime.context import Context
from yuqing.web.accounts import Accounts
from yuqing.web.rule_editor import RuleEditor

#: channel option names whose values are secrets (masked on the page)
SECRET_KEYS = re.compile(r"secret|token|password|key|sign", re.I)


def mask_options(options: dict[str, Any]) -> dict[str, Any]:
    """Return channel options with secrets replaced by ``***`` and URLs masked (query
    strings and credentials hidden by alerts/channels/base.mask_url)."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        if SECRET_KEYS.search(key):
            out[key] = "***"
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            out[key] = mask_url(value)
        else:
            out[key] = value
    return out


def settings_data(ctx: Context, accounts: Accounts) -> dict[str, Any]:
    """Return ``{"schemes", "sources", "lexicons", "rules", "channels", "users", "units",
    "audit"}`` for the settings page; ``rules`` are the stored rules the processes use
    (web/rule_editor.rule_doc shape), not only the config file's."""
    cfg = ctx.config
    health = {s.name: {**s.health, "updated_at": s.updated_at}
              for s in ctx.store.list_source_states()}
    return {
        "schemes": [s.model_dump() for s in cfg.schemes],
        "sources": [{"name": s.name, "kind": s.kind, "enabled": s.enabled,
                     "health": health.get(s.name, {})} for s in cfg.sources],
        "lexicons": [lx.model_dump() for lx in cfg.lexicons],
        "rules": RuleEditor(ctx.store, cfg).docs(),
        "channels": [{"name": c.name, "kind": c.kind,
                      "options": mask_options(dict(c.model_extra or {}))}
                     for c in cfg.alerts.channels],
        "users": accounts.users(), "units": accounts.units(),
        "audit": accounts.read_audit(50),
    }
