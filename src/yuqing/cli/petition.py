"""`yuqing petition add|contact` and `yuqing deadline`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from yuqing.cli.cases import ActorOpt, RoleOpt, case_service
from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    print_fields,
    user_errors,
)
from yuqing.domain import BadInput

petition_app = typer.Typer(help="信访举报 petitions: intake with repeat and cross-level detection.",
                           no_args_is_help=True)


@petition_app.command("add")
def petition_add(
    subject: Annotated[str, typer.Argument(help="what the petition is about (its text)")],
    channel: Annotated[str, typer.Option(help="letter, visit, web, phone or wechat")],
    unit: Annotated[str, typer.Option(help="the receiving unit")],
    accused: Annotated[str | None, typer.Option(help="the accused unit or person")] = None,
    level: Annotated[
        str | None,
        typer.Option(
            help="level it was addressed to: township, county, city, province, national "
            "(default: the unit's)"
        ),
    ] = None,
    responsible_level: Annotated[
        str | None, typer.Option(help="level responsible (default: from the accused)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="petitioner's name (stored protected)")] = None,
    phone: Annotated[str | None, typer.Option(help="petitioner's phone (stored protected)")] = None,
    id_number: Annotated[
        str | None, typer.Option(help="petitioner's ID number (stored protected)")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="petitioner's address (stored protected)")
    ] = None,
    received: Annotated[
        str | None, typer.Option(help="when received, ISO time (default now)")
    ] = None,
    actor: ActorOpt = "",
    role: RoleOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Take in a petition: link a repeat to the earlier case, flag cross-level ones."""
    from yuqing.cases.inputs import PetitionInput
    from yuqing.cases.intake import add_petition

    petition = PetitionInput(
        channel=channel, subject=subject, unit=unit, accused=accused, addressed_level=level,
        responsible_level=responsible_level, received_at=received,
        contact={"name": name, "phone": phone, "id_number": id_number, "address": address})
    with user_errors(), case_service(config, db) as svc:
        doc = add_petition(svc, petition, actor=actor,
                           role=svc.acting_role(actor, role, "handler")).to_json()
    if json_out:
        emit_json(doc)
    else:
        print_fields(doc)


@petition_app.command("contact")
def petition_contact(
    petition_id: Annotated[int, typer.Argument(help="petition id")],
    reason: Annotated[str, typer.Option(help="why the contact is needed (logged)")] = "",
    actor: ActorOpt = "", role: RoleOpt = None,
    config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False,
) -> None:
    """Show a petitioner's full contact; the access is written to the case's audit log."""
    from yuqing.cases.intake import reveal_contact

    with user_errors(), case_service(config, db) as svc:
        doc = reveal_contact(svc, petition_id, actor=actor,
                             role=svc.acting_role(actor, role, "handler"), reason=reason).to_json()
    if json_out:
        emit_json(doc)
    else:
        print_fields(doc)


def deadline(
    start: Annotated[
        str, typer.Option("--from", help="when received: now, today or an ISO time (no offset ="
                                         " config timezone)")
    ],
    policy: Annotated[str | None, typer.Option(help="a named policy from [deadlines]")] = None,
    hours: Annotated[float | None, typer.Option(help="calendar hours (holidays included)")] = None,
    working_days: Annotated[
        int | None, typer.Option(help="working days on the official calendar")
    ] = None,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """A case deadline: due time under a policy, N calendar hours or N working days."""
    from yuqing.cases.deadlines import (
        calendar_from_config,
        compute_deadline,
        parse_time,
        policy_deadline,
    )
    from yuqing.runtime.context import make_context

    with user_errors():
        if sum(x is not None for x in (policy, hours, working_days)) != 1:
            raise BadInput("deadline: give exactly one of --policy, --hours, --working-days")
        cfg = make_context(config).config
        tz = ZoneInfo(cfg.timezone)
        when = parse_time(start, tz)
        if policy is not None:
            due = policy_deadline(cfg.deadlines, policy, when, tz=tz)
        else:
            due = compute_deadline(when, tz=tz, calendar=calendar_from_config(cfg.deadlines),
                                   hours=hours, working_days=working_days)
    if json_out:
        emit_json(due.as_json())
    else:
        mark = "（暂定 provisional）" if due.provisional else ""
        console.print(f"{due.policy}: 到期 due {due.due.isoformat()}{mark}", highlight=False)


def eval_petitions(
    data: Annotated[
        Path, typer.Option(help="labelled petitions, JSON lines (see cases/evaluate.py)")
    ],
    matters: Annotated[
        str, typer.Option(help="all, or odd/even matter numbers (tuning/held-out halves)")
    ] = "all",
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Precision and recall of repeat and cross-level detection, with a baseline."""
    from yuqing.cases.evaluate import evaluate, read_labelled, unit_chain
    from yuqing.cases.service import CaseService
    from yuqing.store import open_store

    with user_errors(), tempfile.TemporaryDirectory() as tmp:
        rows = read_labelled(data, matters)
        with open_store(db or f"sqlite:///{Path(tmp) / 'eval.db'}") as store:
            doc = evaluate(CaseService(store, unit_chain(rows)), rows)
    if json_out:
        emit_json(doc)
    else:
        for key in ("repeat", "cross_level"):
            console.print(f"{key}: {doc[key]}  baseline: {doc['baseline'][key]}", highlight=False)
