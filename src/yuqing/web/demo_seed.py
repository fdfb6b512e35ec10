"""Demo login and a few demo cases, so `yuqing demo --serve` shows a populated site."""

from __future__ import annotations

import secrets

from yuqing.cases.service import CaseService
from yuqing.domain import BadInput
from yuqing.runtime.context import Context
from yuqing.web.accounts import Accounts

DEMO_USER = "demo"
DEMO_UNIT = "演示网信办"
DEMO_CASES = 4


def seed_demo(ctx: Context) -> tuple[str, str]:
    """Create (or reset) the admin ``demo`` with a new random password and open cases
    from the newest alerts (one moved to 核实 verified); return ``(name, password)``."""
    accounts = Accounts(ctx.store, ctx.config.web.session_hours)
    password = secrets.token_urlsafe(9)
    try:
        accounts.add_user(DEMO_USER, password, "admin", DEMO_UNIT)
    except BadInput:
        accounts.update_user(DEMO_USER, {"password": password, "role": "admin", "active": True})
    service = CaseService(ctx.store, ctx.config)
    if not service.list(limit=1):
        for n, stored in enumerate(ctx.store.list_alerts(DEMO_CASES)):
            case_id = service.open_from_alert(stored.id, actor=DEMO_USER, role="admin",
                                              unit=DEMO_UNIT)
            if n == 0:
                service.move(case_id, "verified", actor=DEMO_USER, role="admin",
                             note="演示：已核实信息来源 demo: source checked", handling_class=2)
    return DEMO_USER, password
