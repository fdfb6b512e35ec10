"""`yuqing case open|show|move|list|act|attach|transfer|assist` and
`yuqing cases stats|daily|sweep`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from yuqing.cases.workflow import STATE_LABELS
from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    print_fields,
    user_errors,
)
from yuqing.domain import HANDLING_CLASS_LABELS, BadInput
from yuqing.time_range import parse_day

case_app = typer.Typer(help="案件 cases: open, move through the workflow, show, list.",
                       no_args_is_help=True)
cases_app = typer.Typer(help="案件统计 case statistics, daily reports, deadline sweep.",
                        no_args_is_help=True)

ActorOpt = Annotated[str, typer.Option("--as", envvar="YUQING_USER",
                                       help="who acts: a web account or a [[cases.users]] person")]
RoleOpt = Annotated[str | None, typer.Option(
    "--role", help="monitor, handler, leader or admin (default: the command's usual role, "
                   "or the person's own when they may not take it)")]
NoteOpt = Annotated[
    str | None, typer.Option("--note", "-m", help="the note (reply text, summary, reason)")
]


@contextmanager
def case_service(config: Path | None, db: str | None) -> Iterator[Any]:
    """Yield a CaseService on the configured store; close the store afterwards."""
    from yuqing.cases.service import CaseService
    from yuqing.runtime.context import make_context

    ctx = make_context(config, db)
    try:
        yield CaseService(ctx.store, ctx.config)
    finally:
        ctx.close()


def _print(doc: dict[str, Any], json_out: bool) -> None:
    """Emit ``doc`` as JSON, or as ``key: value`` lines on stderr."""
    if json_out:
        emit_json(doc)
        return
    print_fields(doc)


@case_app.command("open")
def case_open(
    title: Annotated[
        str | None, typer.Argument(help="title (taken from the item/alert/event when omitted)")
    ] = None,
    unit: Annotated[
        str, typer.Option(help="the receiving unit, which owns the case (首问负责制)")
    ] = "",
    item: Annotated[str | None, typer.Option(help="open from this stored item key")] = None,
    alert: Annotated[int | None, typer.Option(help="open from this stored alert id")] = None,
    event: Annotated[str | None, typer.Option(help="open from this event id")] = None,
    handling_class: Annotated[
        int | None, typer.Option("--class", help="suggested class 1–4")
    ] = None,
    channel: Annotated[
        str, typer.Option(help="online, letter, visit, web, phone, wechat")
    ] = "online",
    actor: ActorOpt = "",
    role: RoleOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Open a case (by hand, or from an item, alert or event)."""
    with user_errors():
        if not unit:
            raise BadInput("--unit: the receiving unit is required")
        with case_service(config, db) as svc:
            case_id = svc.open_from(actor=actor, role=svc.acting_role(actor, role, "monitor"),
                                    unit=unit, title=title, item=item,
                                    alert=alert, event=event, channel=channel,
                                    suggested_class=handling_class)
            doc = svc.show(case_id)
    _print({k: doc[k] for k in ("id", "title", "state", "owner_unit", "suggested_class",
                                "deadlines")}, json_out)


@case_app.command("show")
def case_show(case_id: Annotated[int, typer.Argument(help="case id")],
              config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Show a case with its audit log, deadlines, attachments, links and petitions."""
    with user_errors(), case_service(config, db) as svc:
        doc = svc.show(case_id)
    if json_out:
        emit_json(doc)
    else:
        console.print(case_text(doc), highlight=False, markup=False)


def _when(iso: str | None) -> str:
    """An ISO time of the case JSON (office zone) as ``2024-03-05 08:15``; ``-`` for none."""
    return iso[:16].replace("T", " ") if iso else "-"


def _state(state: str | None) -> str:
    """A case state as ``核实 verified`` (cases/workflow.py STATE_LABELS)."""
    return f"{STATE_LABELS.get(state or '', '')} {state}".strip() if state else "-"


def case_text(doc: dict[str, Any]) -> str:
    """Return the case ``doc`` (``case show --json``) as lines to read: the case, its
    deadlines (met, open, or overdue: due before the current time), its log, then
    attachments, links, assists and petitions when it has them, and the states it may move
    to."""
    cls = doc.get("handling_class")
    shown_class = f"{cls} {HANDLING_CLASS_LABELS.get(cls, '')}" if cls else "-"
    origin = " ".join(str(v) for v in (doc["origin"], doc["origin_ref"]) if v)
    lines = [f"案件 case #{doc['id']}  {doc['title']}",
             f"  状态 state: {_state(doc['state'])}    单位 unit: {doc['owner_unit']}",
             f"  分类 class: {shown_class}    来源 origin: {origin}"
             f"    渠道 channel: {doc['channel']}",
             f"  发现 discovered: {_when(doc['discovered_at'])}    立案 opened: "
             f"{_when(doc['opened_at'])} by {doc['opened_by']}"
             + (f"    结案 closed: {_when(doc['closed_at'])}" if doc.get("closed_at") else "")]
    if doc.get("summary"):
        lines.append(f"  摘要 summary: {doc['summary']}")
    lines.append("时限 deadlines:")
    now = datetime.now(UTC)
    for d in doc["deadlines"]:
        if d["met_at"]:
            where = f"已达成 met {_when(d['met_at'])}"
        else:
            late = datetime.fromisoformat(d["due"]) < now
            where = "已超期 overdue" if late else "未到期 open"
        lines.append(f"  {d['policy']}: 到期 due {_when(d['due'])}"
                     f"{' (暂定 provisional)' if d['provisional'] else ''}"
                     f" (须达到 met by {_state(d['met_by'])}): {where}")
    lines.append("记录 log:")
    for e in doc["log"]:
        move = (f" {_state(e['from_state'])} → {_state(e['to_state'])}"
                if e["to_state"] and e["to_state"] != e["from_state"] else "")
        note = f": {e['note']}" if e["note"] else ""
        lines.append(f"  {_when(e['at'])}  {e['actor']} ({e['role']}) {e['action']}{move}{note}")
    for key, title in (("attachments", "附件 attachments"), ("links", "关联 links"),
                       ("assists", "协办 assists"), ("petitions", "信访 petitions")):
        rows = doc.get(key) or []
        if rows:
            lines.append(f"{title}: {len(rows)}")
            lines += [f"  {_row(r)}" for r in rows]
    lines.append("可转到 next: " + (", ".join(_state(s) for s in doc["next_states"]) or "-"))
    if doc.get("playbook"):
        lines.append(f"处置要点 playbook: {doc['playbook']}")
    return "\n".join(lines)


def _row(row: dict[str, Any]) -> str:
    """One attachment, link, assist or petition as ``key value`` pairs, times shortened."""
    return "  ".join(f"{k} {_when(v) if k.endswith('_at') or k == 'at' else v}"
                     for k, v in row.items() if v not in (None, "", [], {}) and k != "case_id")


@case_app.command("move")
def case_move(
    case_id: Annotated[int, typer.Argument(help="case id")],
    state: Annotated[
        str,
        typer.Argument(
            help="verified, reported, handling, replied, tracking, reviewed, closed, rejected, "
            "merged"
        ),
    ],
    note: NoteOpt = None,
    handling_class: Annotated[
        int | None, typer.Option("--class", help="confirm class 1–4 (moving to verified)")
    ] = None,
    into: Annotated[
        int | None, typer.Option(help="the case to merge into (moving to merged)")
    ] = None,
    actor: ActorOpt = "",
    role: RoleOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Move a case to the next state of the workflow (the move is audited)."""
    from yuqing.cases.inputs import CaseMove

    with user_errors(), case_service(config, db) as svc:
        moved = svc.apply(case_id, CaseMove(state=state, note=note, handling_class=handling_class,
                                            merge_into=into), actor=actor,
                          role=svc.acting_role(actor, role, "handler"))
    _print({"id": moved.id, "state": moved.state, "handling_class": moved.handling_class},
           json_out)


@case_app.command("act")
def case_act(
    case_id: Annotated[int, typer.Argument(help="case id")],
    action: Annotated[
        str,
        typer.Argument(
            help="leader_review, facts_published, clarified, referred, adopted, declined, comment"
        ),
    ],
    note: NoteOpt = None,
    actor: ActorOpt = "",
    role: RoleOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record a playbook step or a comment on a case (audited, state unchanged)."""
    with user_errors(), case_service(config, db) as svc:
        svc.act(case_id, action, actor=actor, role=svc.acting_role(actor, role, "handler"),
                note=note)
    _print({"id": case_id, "action": action}, json_out)


@case_app.command("attach")
def case_attach(
    case_id: Annotated[int, typer.Argument(help="case id")],
    path: Annotated[Path, typer.Argument(help="file to keep as evidence")],
    actor: ActorOpt = "", role: RoleOpt = None,
    config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False,
) -> None:
    """Keep a file with a case, with its SHA-256."""
    with user_errors(), case_service(config, db) as svc:
        doc = svc.attach(case_id, path.name, path.read_bytes(), actor=actor,
                         role=svc.acting_role(actor, role, "handler"))
    _print(doc, json_out)


@case_app.command("transfer")
def case_transfer(
    case_id: Annotated[int, typer.Argument(help="case id")],
    unit: Annotated[str, typer.Argument(help="the unit that will own the case")],
    note: NoteOpt = None, actor: ActorOpt = "", role: RoleOpt = None,
    config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False,
) -> None:
    """Transfer ownership to another unit (a leader, with a documented reason)."""
    _change_unit("transfer", case_id, unit, note, actor, role, config, db, json_out)


@case_app.command("assist")
def case_assist(
    case_id: Annotated[int, typer.Argument(help="case id")],
    unit: Annotated[str, typer.Argument(help="the unit asked to assist")],
    note: NoteOpt = None, actor: ActorOpt = "", role: RoleOpt = None,
    config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False,
) -> None:
    """Ask another unit to assist; the owner stays the same."""
    _change_unit("assist", case_id, unit, note, actor, role, config, db, json_out)


def _change_unit(kind: str, case_id: int, unit: str, note: str | None, actor: str,
                 role: str | None,
                 config: Path | None, db: str | None, json_out: bool) -> None:
    """Run a ``transfer`` or an ``assist`` request and print the result."""
    with user_errors(), case_service(config, db) as svc:
        if kind == "transfer":
            svc.transfer(case_id, unit, actor=actor, role=svc.acting_role(actor, role, "leader"),
                         note=note)
            doc: dict[str, Any] = {"id": case_id, "owner_unit": unit}
        else:
            added = svc.assist(case_id, unit, actor=actor,
                               role=svc.acting_role(actor, role, "handler"), note=note)
            doc = {"id": case_id, "unit": unit, "added": added}
    _print(doc, json_out)


@case_app.command("list")
def case_list(
    state: Annotated[str | None, typer.Option(help="only cases in this state")] = None,
    unit: Annotated[str | None, typer.Option(help="only cases this unit owns")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 50,
    config: ConfigOpt = None, db: DbOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON lines, one case per line")] = False,
) -> None:
    """List cases, newest first."""
    with user_errors(), case_service(config, db) as svc:
        rows = svc.list(state=state, unit=unit, limit=limit)
    for row in rows:
        if json_out:
            emit_json(row)
        else:
            console.print(f"{row['id']:>5}  {row['state']:<9} {row['owner_unit']}  {row['title']}",
                          highlight=False)


@cases_app.command("stats")
def cases_stats(config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Cases by class, unit, channel and state; on-time rates; stage times; repeat rates."""
    from yuqing.cases.stats import case_stats

    with user_errors(), case_service(config, db) as svc:
        doc = case_stats(svc)
    _print(doc, json_out)


@cases_app.command("daily")
def cases_daily(
    day: Annotated[str | None, typer.Option(
        "--date", help="YYYY-MM-DD, today or yesterday (default today)")] = None,
    config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False,
) -> None:
    """The daily report per unit; a unit with nothing gives a zero report (零报告)."""
    from yuqing.cases.stats import daily_report

    with user_errors(), case_service(config, db) as svc:
        when = parse_day(day or "today", svc.tz, svc.clock())
        doc = daily_report(svc, when)
    if json_out:
        emit_json(doc)
    else:
        for unit in doc["units"]:
            console.print(unit["text"], highlight=False)


@cases_app.command("sweep")
def cases_sweep(config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Send deadline reminders and escalate overdue cases over the alert channels."""
    from yuqing.alerts.channels.registry import build_channels
    from yuqing.alerts.dispatcher import Dispatcher
    from yuqing.cases.reminders import sweep
    from yuqing.cases.service import CaseService
    from yuqing.runtime.context import make_context

    with user_errors():
        ctx = make_context(config, db)
        try:
            channels = build_channels(ctx.config.alerts.channels, ctx.channels)
            doc = sweep(CaseService(ctx.store, ctx.config), Dispatcher(channels))
        finally:
            ctx.close()
    _print(doc, json_out)
