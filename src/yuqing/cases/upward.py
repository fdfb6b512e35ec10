"""Reporting upward (逐级报告): cases and daily reports sent to the units above.

A unit reports to its parent in the unit tree (cases/units.py) and, with
``dual_report_to`` (双重报告), to a second unit as well. What is sent:

- a case reaching ``reported`` (``report_case``, called by CaseService.move in
  the move's transaction): one report per recipient, noted on the case's log;
- every unit's daily report of the 24 hours before ``[cases.reporting] daily_at``
  (日报告), a zero report (零报告) when the unit opened no case then
  (``DailyReports.tick``, run by the report scheduler of ``yuqing run``).

Each report is one ``upward_reports`` row (store/upward.py, unique per
kind, sender, recipient and case or day: never sent twice, also after a
restart) and one alert in the outbox over the recipient's ``channels``
(delivered, retried and shown in the recipient's web inbox like any alert).
Reporting limits (报告时限, ``[[cases.reporting.limits]]``) give a new case its
``report_due`` deadline: a deadline row met by ``reported``, so overdue reporting
is reminded and escalated by cases/reminders.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.cases import workflow
from yuqing.cases.units import UnitTree
from yuqing.config import Config, ReportLimitConfig
from yuqing.domain import Alert, Case
from yuqing.store import Store
from yuqing.store.repositories import Repositories
from yuqing.time_range import local_time

#: the policy name of the reporting deadline of a case (a row of its deadlines)
REPORT_DUE = "report_due"
#: how messages name it
REPORT_DUE_LABEL = "报送时限"
#: the case state that meets it
REPORTED = "reported"
KINDS = ("case", "daily")


# ----- reporting limits ------------------------------------------------------------------

def limit_matches(limit: ReportLimitConfig, incidents: Sequence[Mapping[str, Any]],
                  text: str) -> bool:
    """Return whether ``limit`` holds for a case with ``incidents`` (item.incident dicts,
    ``{"category", "type", "casualties": {"deaths", "injured", "missing"}}``) and ``text``
    (title, summary, linked items): every condition given holds, the incident ones for
    one incident; a limit without conditions holds for every case."""
    if limit.keywords and not any(word in text for word in limit.keywords):
        return False
    if not (limit.categories or limit.types or limit.min_deaths or limit.min_harmed):
        return True
    return _incident_holds(limit, incidents)


def _incident_holds(limit: ReportLimitConfig, incidents: Sequence[Mapping[str, Any]]) -> bool:
    """Return whether one of ``incidents`` meets the incident conditions of ``limit``."""
    for incident in incidents:
        counts = incident.get("casualties") or {}
        deaths = int(counts.get("deaths") or 0)
        harmed = deaths + int(counts.get("injured") or 0)
        if ((not limit.categories or incident.get("category") in limit.categories)
                and (not limit.types or incident.get("type") in limit.types)
                and deaths >= (limit.min_deaths or 0)
                and harmed >= (limit.min_harmed or 0)):
            return True
    return False


def report_limit(limits: Iterable[ReportLimitConfig], incidents: Sequence[Mapping[str, Any]],
                 text: str) -> ReportLimitConfig | None:
    """Return the first of ``limits`` that holds for the case (see ``limit_matches``), or
    None when none does (the case has no reporting deadline)."""
    return next((lim for lim in limits if limit_matches(lim, incidents, text)), None)


def case_evidence(store: Store, title: str, summary: str | None,
                  links: Iterable[tuple[str, str]], most: int = 200
                  ) -> tuple[list[dict[str, Any]], str]:
    """Return the incidents of the case's linked items (at most ``most`` items) and the
    text the keywords of a limit are looked for in (title, summary, item texts)."""
    incidents: list[dict[str, Any]] = []
    texts = [title, summary or ""]
    for kind, ref in list(links)[:most]:
        item = store.get_item(ref) if kind == "item" else None
        if item is not None:
            texts.append(f"{item.title or ''} {item.text}")
            if item.incident:
                incidents.append(item.incident)
    return incidents, "\n".join(texts)


# ----- recipients and sending ------------------------------------------------------------

def recipients(config: Config, repos: Repositories, unit: str) -> list[str]:
    """Return the units ``unit`` reports to: its parent (config, else stored by the web
    admin), then its ``dual_report_to``; none when it has neither."""
    tree = UnitTree.of(config.cases.units, repos.accounts.units())
    dual = next((u.dual_report_to for u in config.cases.units if u.name == unit), None)
    found = [u for u in (tree.parents.get(unit), dual) if u and u != unit]
    return list(dict.fromkeys(found))


def unit_channels(config: Config, unit: str) -> list[str]:
    """Return the alert channels of ``unit`` (``[[cases.units]] channels``; none for a unit
    the config does not list)."""
    return next((list(u.channels) for u in config.cases.units if u.name == unit), [])


@dataclass(frozen=True)
class Report:
    """What one unit reports upward: ``kind`` (``case``, ``daily``), ``ref`` (the case id or
    the day), the message and its ``data``; ``zero`` for a zero report."""

    kind: str
    from_unit: str
    ref: str
    title: str
    body: str
    data: dict[str, Any]
    case_id: int | None = None
    zero: bool = False


def send(config: Config, tx: Repositories, report: Report, now: datetime) -> list[dict[str, Any]]:
    """Store ``report`` once per recipient (recipients()) and queue its alert over each
    recipient's channels, inside ``tx``; return ``[{"to_unit", "channels", "alert_id",
    "report_id"}]`` of the reports stored now (none for one stored before). A unit with no
    one above keeps its report (``to_unit`` "") and sends nothing."""
    sent = []
    for to_unit in recipients(config, tx, report.from_unit) or [""]:
        report_id = tx.upward.record({
            "kind": report.kind, "from_unit": report.from_unit, "to_unit": to_unit,
            "ref": report.ref, "case_id": report.case_id, "zero": report.zero,
            "title": report.title, "body": report.body, "data": report.data,
            "created_at": now})
        if report_id is None:
            continue
        channels = unit_channels(config, to_unit) if to_unit else []
        alert_id = None
        if channels:
            alert_id = tx.alerts.record_alert(Alert(
                rule=f"upward:{report.kind}",
                dedup_key=f"upward:{report.kind}:{report.from_unit}:{to_unit}:{report.ref}",
                title=report.title, body=f"报送至：{to_unit}\n{report.body}", item_keys=[],
                created_at=now, level="III" if report.kind == "case" else "IV",
                channels=channels), now)
            tx.upward.set_alert(report_id, alert_id)
        sent.append({"to_unit": to_unit, "channels": channels, "alert_id": alert_id,
                     "report_id": report_id})
    return sent


def case_report(case: Case, tz: ZoneInfo, report_due: datetime | None,
                base_url: str) -> Report:
    """Return the report of ``case`` reaching ``reported`` (title, unit, class, times,
    summary, the superior's view link)."""
    cls = case.handling_class or case.suggested_class
    lines = [f"报送单位：{case.owner_unit}",
             f"案件：#{case.id}「{case.title}」",
             f"状态：{workflow.STATE_LABELS.get(case.state, case.state)}",
             f"发现时间：{local_time(case.discovered_at, tz)}"]
    if cls:
        lines.append(f"处置分类：{cls}类")
    if report_due is not None:
        lines.append(f"报送时限：{local_time(report_due, tz)}")
    if case.summary:
        lines.append(f"摘要：{case.summary[:300]}")
    lines.append(f"查看：{base_url.rstrip('/')}/superior")
    data = {"case_id": case.id, "title": case.title, "state": case.state,
            "handling_class": cls, "discovered_at": case.discovered_at.isoformat(),
            "report_due": report_due.isoformat() if report_due else None}
    return Report(kind="case", from_unit=case.owner_unit, ref=str(case.id),
                  title=f"【上报】{case.owner_unit}：{case.title}"[:200],
                  body="\n".join(lines), data=data, case_id=case.id)


def report_case(config: Config, tx: Repositories, case: Case, now: datetime
                ) -> list[dict[str, Any]]:
    """Send ``case`` (now in ``reported``) to the units above its owner, inside ``tx``;
    return what was sent (``send``)."""
    due = next((d.due for d in tx.cases.deadlines(case.id) if d.policy == REPORT_DUE), None)
    report = case_report(case, ZoneInfo(config.timezone), due, config.web.base_url)
    return send(config, tx, report, now)


# ----- daily and zero reports ------------------------------------------------------------

def daily_fire(at: str, now: datetime, tz: ZoneInfo) -> datetime:
    """Return the latest time of day ``at`` (HH:MM, zone ``tz``) at or before ``now``."""
    local = now.astimezone(tz)
    fire = datetime.combine(local.date(), time.fromisoformat(at), tzinfo=tz)
    return fire if fire <= local else fire - timedelta(days=1)


def daily_report(store: Store, tz: ZoneInfo, unit: str, day: date, start: datetime,
                 end: datetime) -> Report:
    """Return the daily report of ``unit`` for ``[start, end)``, labelled ``day``: the
    cases it opened then, its open cases and its overdue deadlines now (``end``); a zero
    report (零报告) when it opened none."""
    opened = store.cases.opened_between(start, end, [unit])
    by_state = store.cases.count_by("state", [unit])
    still_open = sum(n for state, n in by_state.items() if state in workflow.OPEN_STATES)
    overdue = [d for d in store.cases.open_deadlines(workflow.OPEN_STATES, [unit])
               if d["due"] < end]
    span = f"{local_time(start, tz)} – {local_time(end, tz)}"
    cases = [{"id": c.id, "title": c.title, "state": c.state,
              "handling_class": c.handling_class or c.suggested_class} for c in opened]
    if cases:
        lines = [f"{unit} {day.isoformat()} 日报告（{span}）",
                 f"新增案件：{len(cases)} 件"]
        lines += [f"  #{c.id}「{c.title}」{workflow.STATE_LABELS[c.state]}" for c in opened]
    else:
        lines = [f"{unit} {day.isoformat()} 零报告（{span}）",
                 "经核查，本单位无新增舆情案件，特此零报告。"]
    lines.append(f"在办案件：{still_open} 件；超期时限：{len(overdue)} 项")
    data = {"day": day.isoformat(), "since": start.isoformat(), "until": end.isoformat(),
            "opened": len(cases), "cases": cases, "open": still_open,
            "overdue": len(overdue)}
    label = "零报告" if not cases else "日报告"
    return Report(kind="daily", from_unit=unit, ref=day.isoformat(),
                  title=f"【{label}】{unit} {day.isoformat()}", body="\n".join(lines),
                  data=data, zero=not cases)


class DailyReports:
    """Every unit's daily (or zero) report, sent upward once a day at
    ``[cases.reporting] daily_at`` (office zone); call :meth:`tick` often (the report
    scheduler of ``yuqing run`` does). Units: the config's and those stored by the web
    admin. Idempotent: a (unit, day) stored is never made again, also after a restart."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.tz = ZoneInfo(config.timezone)
        self._done: date | None = None

    def tick(self, now: datetime) -> list[dict[str, Any]]:
        """Make and send the reports due at ``now`` not yet stored; return ``[{"unit",
        "day", "zero", "sent": [...]}]`` (``send``'s answer) of those made now."""
        at = self.config.cases.reporting.daily_at
        if at is None:
            return []
        fire = daily_fire(at, now, self.tz)
        day = fire.date()
        if self._done == day:
            return []
        start = fire - timedelta(days=1)
        tree = UnitTree.of(self.config.cases.units, self.store.accounts.units())
        made = []
        for unit in sorted(tree.parents):
            if self.store.upward.exists("daily", unit, day.isoformat()):
                continue
            report = daily_report(self.store, self.tz, unit, day, start, fire)
            with self.store.transaction() as tx:
                sent = send(self.config, tx, report, now)
            made.append({"unit": unit, "day": day.isoformat(), "zero": report.zero,
                         "sent": sent})
        self._done = day
        return made


# ----- the superior's view ---------------------------------------------------------------

def _json(row: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """Return ``row`` with its datetimes as ISO strings in ``tz``."""
    return {k: v.astimezone(tz).isoformat() if isinstance(v, datetime) else v
            for k, v in row.items()}


def superior_view(store: Store, config: Config, below: frozenset[str] | None,
                  own: str | None, now: datetime, limit: int = 200) -> dict[str, Any]:
    """Return what a unit sees of the units under it, read-only (the superior's view of
    ``GET /api/superior``): ``{"units", "cases", "reports"}``.

    ``below`` is the viewer's units (``own`` and every unit under it; None: every
    unit, an admin). ``cases``: the cases of the units under ``own`` and the cases
    reported to ``own``'s units (a dual report's recipient), newest first, each
    ``{"id", "title", "unit", "state", "handling_class", "discovered_at",
    "report_due", "reported_at", "reported_to", "next_due", "overdue"}``; ``reports``:
    the reports sent to or from the viewer's units (store.upward rows); times ISO in
    the office zone. At most ``limit`` of each.
    """
    tz = ZoneInfo(config.timezone)
    tree = UnitTree.of(config.cases.units, store.accounts.units())
    children = (frozenset(u for u, p in tree.parents.items() if p) if below is None
                else below - {own})
    reports = store.upward.find(below, limit=limit)
    received = {r["case_id"] for r in store.upward.find(below, kind="case", limit=limit)
                if r["case_id"] is not None and (below is None or r["to_unit"] in below)}
    cases = {c.id: c for c in store.cases.find(units=children, limit=limit)} if children else {}
    for case_id in received - set(cases):
        found = store.cases.get(case_id)
        if found is not None:
            cases[case_id] = found
    sent = store.upward.find(None, kind="case", case_ids=set(cases), limit=10 * limit)
    rows = []
    for case in sorted(cases.values(), key=lambda c: c.id, reverse=True)[:limit]:
        deadlines = store.cases.deadlines(case.id)
        unmet = [d.due for d in deadlines if d.met_at is None]
        ups = [r for r in sent if r["case_id"] == case.id]
        open_case = case.state in workflow.OPEN_STATES
        rows.append(_json({
            "id": case.id, "title": case.title, "unit": case.owner_unit, "state": case.state,
            "handling_class": case.handling_class or case.suggested_class,
            "discovered_at": case.discovered_at,
            "report_due": next((d.due for d in deadlines if d.policy == REPORT_DUE), None),
            "reported_at": min((r["created_at"] for r in ups), default=None),
            "reported_to": list(dict.fromkeys(r["to_unit"] for r in reversed(ups)
                                              if r["to_unit"])),
            "next_due": min(unmet, default=None) if open_case else None,
            "overdue": open_case and any(due < now for due in unmet)}, tz))
    return {"units": sorted(children), "cases": rows,
            "reports": [_json(r, tz) for r in reports]}
