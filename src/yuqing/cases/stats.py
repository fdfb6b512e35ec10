"""Case statistics and the daily report with zero reports (日报告、零报告).

Functions the CLI (``yuqing cases stats``), the web app and briefings call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any

from yuqing.cases import upward, workflow
from yuqing.cases.service import CaseService
from yuqing.domain import Deadline


def _on_time(rows: list[Deadline], closed_unmet: set[int], now: datetime) -> dict[str, Any]:
    """Return per policy ``{"met_on_time", "met_late", "overdue", "pending", "on_time_rate"}``.

    The rate is met on time / (met + overdue); deadlines of rejected or merged
    cases (``closed_unmet``) do not count; ``on_time_rate`` is None with nothing to count.
    """
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.case_id in closed_unmet and row.met_at is None:
            continue
        slot = out.setdefault(row.policy, {"met_on_time": 0, "met_late": 0, "overdue": 0,
                                           "pending": 0})
        if row.met_at is not None:
            slot["met_on_time" if row.met_at <= row.due else "met_late"] += 1
        else:
            slot["overdue" if now > row.due else "pending"] += 1
    for slot in out.values():
        judged = slot["met_on_time"] + slot["met_late"] + slot["overdue"]
        slot["on_time_rate"] = round(slot["met_on_time"] / judged, 4) if judged else None
    return out


def _stage_hours(moves: list[dict[str, Any]]) -> dict[str, float]:
    """Return the mean hours a case spends in each state it left."""
    last: dict[int, tuple[str, datetime]] = {}
    spent: dict[str, list[float]] = defaultdict(list)
    for move in moves:
        before = last.get(move["case_id"])
        if before is not None:
            spent[before[0]].append((move["at"] - before[1]).total_seconds() / 3600)
        last[move["case_id"]] = (move["to_state"], move["at"])
    return {s: round(sum(v) / len(v), 2) for s in workflow.STATES if (v := spent.get(s))}


def case_stats(service: CaseService, units: Collection[str] | None = None) -> dict[str, Any]:
    """Return ``{"cases", "by_class", "by_unit", "by_channel", "by_state",
    "on_time": {policy: {...}}, "avg_stage_hours": {state: h}, "petitions",
    "repeats", "cross_level", "repeat_rate", "cross_level_rate"}``.

    ``by_class`` counts confirmed classes (``"none"`` for unconfirmed);
    rates are fractions of petitions (None when there are none). Everything counts
    the cases owned by ``units`` only, unless None (every case).
    """
    with service.store.snapshot() as tx:
        by = {name: tx.cases.count_by(column, units) for name, column in (
            ("by_class", "handling_class"), ("by_unit", "owner_unit"),
            ("by_channel", "channel"), ("by_state", "state"))}
        deadlines = tx.cases.deadlines(units=units)
        moves = tx.cases.moves(units)
        petitions = tx.petitions.counts(units)
    by["by_class"] = {("none" if k == "None" else k): n for k, n in by["by_class"].items()}
    dropped = {m["case_id"] for m in moves if m["to_state"] in ("rejected", "merged")}
    n = petitions["petitions"]
    return {
        "cases": sum(by["by_state"].values()), **by,
        "on_time": _on_time(deadlines, dropped, service.clock()),
        "avg_stage_hours": _stage_hours(moves), **petitions,
        "repeat_rate": round(petitions["repeats"] / n, 4) if n else None,
        "cross_level_rate": round(petitions["cross_level"] / n, 4) if n else None,
    }


def daily_report(service: CaseService, day: date,
                 units: Collection[str] | None = None) -> dict[str, Any]:
    """Return the daily report of ``day`` (office zone): ``{"date", "units":
    [{"unit", "opened", "cases": [{"id", "title", "state", "handling_class"}],
    "zero_report": bool, "text"}]}``, one entry per configured unit and per
    unit that opened a case; a unit with nothing still reports "nothing" (零报告).
    Only ``units`` report, unless None (every unit). Each entry is the report the unit
    sends upward (cases/upward.py ``daily_report``), over the calendar day.
    """
    start = datetime.combine(day, time(0), tzinfo=service.tz)
    end = start + timedelta(days=1)
    opened = service.store.cases.opened_between(start, end, units)
    names = [u for u in service.units if units is None or u in units]
    reports = [upward.daily_report(service.store, service.tz, unit, day, start, end)
               for unit in dict.fromkeys(names + [c.owner_unit for c in opened])]
    return {"date": day.isoformat(), "units": [
        {"unit": r.from_unit, "opened": r.data["opened"], "cases": r.data["cases"],
         "zero_report": r.zero, "text": r.body} for r in reports]}
