"""Deadline reminders and escalation of overdue cases over the alert channels.

``sweep`` is run periodically (``yuqing cases sweep``). For each unmet
deadline of an open case it sends, once each: a reminder when
``[deadlines] remind_at`` of the allowed time has passed (over
``[deadlines] channels`` and the owning unit's channels), and an
escalation to the owning unit's leader once the deadline has passed (over
the unit's channels). The reporting deadline ``report_due`` (报送时限,
cases/upward.py) is reminded and escalated the same way until the case is
reported. Alerts go through the store's outbox (unique ``dedup_key``, so a
second sweep or a restart sends nothing twice) and are sent by the
Dispatcher given, or left to the outbox dispatcher. Provisional deadlines
are recomputed first, so they firm up as soon as the calendar
library has the year's data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yuqing.alerts.dispatcher import Dispatcher
from yuqing.cases import workflow
from yuqing.cases.deadlines import compute_deadline, find_policy
from yuqing.cases.service import CaseService
from yuqing.cases.upward import REPORT_DUE, REPORT_DUE_LABEL
from yuqing.domain import Alert, BadInput
from yuqing.time_range import local_time

RULE = "case_deadline"
SYSTEM_ACTOR = "yuqing"


def recompute_provisional(service: CaseService) -> int:
    """Recompute every provisional deadline; return how many are now firm."""
    firmed = 0
    for row in service.store.cases.provisional_deadlines():
        try:
            policy = find_policy(service.config.deadlines, row.policy)
        except BadInput:
            continue  # the policy left the config: keep the deadline as computed
        due = compute_deadline(row.start, tz=service.tz, calendar=service.calendar,
                               hours=policy.hours, working_days=policy.working_days,
                               policy=policy.name)
        service.store.cases.set_deadline(row.case_id, row.policy,
                                         {"due": due.due, "provisional": due.provisional})
        firmed += not due.provisional
    return firmed


def _alert(service: CaseService, row: dict[str, Any], kind: str, now: datetime) -> Alert:
    """Return the reminder or escalation alert of one deadline row."""
    unit = service.units.get(row["owner_unit"])
    unit_channels = list(unit.channels) if unit else []
    due = local_time(row["due"], service.tz)
    policy = REPORT_DUE_LABEL if row["policy"] == REPORT_DUE else row["policy"]
    head = f"案件 case {row['case_id']}「{row['title']}」{policy}"
    if kind == "remind":
        channels = list(dict.fromkeys(service.config.deadlines.channels + unit_channels))
        title, body, level = f"即将到期 due soon: {head}", f"办理时限 due {due}", "IV"
    else:
        leader = unit.leader if unit and unit.leader else "unit leader"
        channels = unit_channels or list(service.config.deadlines.channels)
        title = f"已逾期 overdue, escalated to {leader}: {head}"
        body, level = f"办理时限 due {due}; 承办单位 owner {row['owner_unit']}", "III"
    return Alert(rule=RULE, dedup_key=f"case:{row['case_id']}:{row['policy']}:{kind}",
                 title=title, body=body, item_keys=[], created_at=now, level=level,
                 channels=channels)


def _due_alerts(service: CaseService, now: datetime) -> list[tuple[dict[str, Any], str]]:
    """Return the (deadline row, kind) pairs that need a reminder or escalation now."""
    share = service.config.deadlines.remind_at
    out = []
    for row in service.store.cases.open_deadlines(workflow.OPEN_STATES):
        if now >= row["due"]:
            if row["escalated_at"] is None:
                out.append((row, "escalate"))
        elif (
            row["reminded_at"] is None and now >= row["start"] + (row["due"] - row["start"]) * share
        ):
            out.append((row, "remind"))
    return out


def sweep(service: CaseService, dispatcher: Dispatcher | None) -> dict[str, int]:
    """Send due reminders and escalations; return ``{"recomputed", "reminded",
    "escalated", "delivered", "failed"}`` (deliveries over all channels).

    With ``dispatcher`` None the alerts stay pending in the outbox for the
    running outbox dispatcher (``yuqing run``) to deliver.
    """
    counts = {"recomputed": recompute_provisional(service), "reminded": 0, "escalated": 0,
              "delivered": 0, "failed": 0}
    now = service.clock()
    fresh: list[tuple[int, Alert]] = []
    for row, kind in _due_alerts(service, now):
        alert = _alert(service, row, kind, now)
        alert_id = service.store.record_alert(alert)
        mark = "reminded_at" if kind == "remind" else "escalated_at"
        with service.store.transaction() as tx:
            tx.cases.set_deadline(row["case_id"], row["policy"], {mark: now})
            state = service.case(tx, row["case_id"]).state
            service.log(tx, row["case_id"], SYSTEM_ACTOR, "system",
                        "reminded" if kind == "remind" else "escalated", (state, state),
                        alert.title, {"policy": row["policy"], "channels": alert.channels})
        counts["reminded" if kind == "remind" else "escalated"] += 1
        if alert_id is not None:
            fresh.append((alert_id, alert))
    outcomes = dispatcher.deliver([a for _, a in fresh]) if fresh and dispatcher else {}
    for alert_id, alert in fresh:
        for channel, result in outcomes.get(alert.dedup_key, {}).items():
            service.store.record_delivery(alert_id, channel, "sent" if result.ok else "failed",
                                          result.error)
            counts["delivered" if result.ok else "failed"] += 1
    return counts
