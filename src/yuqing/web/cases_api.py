"""JSON API of case handling: cases, moves, actions, petitions, statistics, deadlines.

``cases_router(ctx)`` returns an APIRouter bound to one Context (no global
state); create_app includes it. Refused operations answer 400 with the
reason, an unknown case or petition 404. The acting person and role come
in the request body and must be the logged-in user's (web/auth.py case_guard);
each route's rule (web/access.py) keeps a unit to its own cases.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from yuqing.cases import intake, stats
from yuqing.cases.deadlines import (
    calendar_from_config,
    compute_deadline,
    parse_time,
    policy_deadline,
)
from yuqing.cases.inputs import CaseMove, PetitionInput
from yuqing.cases.service import CaseService
from yuqing.domain import BadInput
from yuqing.runtime.context import Context
from yuqing.web import access
from yuqing.web.query_checks import refuse_unknown_params
from yuqing.web.reports_api import download_response, export_response

#: the most cases one export holds
MAX_CASE_EXPORT = 10_000

T = TypeVar("T")


class Actor(BaseModel):
    """Who acts: a name and a role (monitor, handler, leader, admin)."""

    actor: str
    role: str = "handler"


class OpenCase(Actor):
    """A case to open: by hand (``title``) or from an item, alert or event."""

    unit: str
    title: str | None = None
    item: str | None = None
    alert: int | None = None
    event: str | None = None
    handling_class: int | None = None
    channel: str = "online"


class MoveCase(Actor, CaseMove):
    """A move of a case (cases/inputs.py ``CaseMove``) and who makes it."""


class CaseAction(Actor):
    """A playbook step or comment."""

    action: str
    note: str | None = None


class UnitChange(Actor):
    """``transfer`` the case to ``unit`` or ask ``unit`` to ``assist``, with a note."""

    kind: Literal["transfer", "assist"]
    unit: str
    note: str | None = None


class NewAttachment(Actor):
    """A file to keep with a case: its name and its bytes in base64."""

    name: str
    content_base64: str


class ContactRead(Actor):
    """Why the protected contact is read (logged)."""

    reason: str


class NewPetition(Actor, PetitionInput):
    """A petition as received (cases/inputs.py ``PetitionInput``) and who takes it in."""


def _guard(call: Callable[[], T]) -> T:
    """Return ``call()``; BadInput becomes 404 for a missing case/petition, else 400."""
    try:
        return call()
    except BadInput as exc:
        raise HTTPException(404 if "no such" in str(exc) else 400, str(exc)) from None


def cases_router(ctx: Context) -> APIRouter:
    """Return the /api/cases, /api/petitions and /api/deadline routes over ``ctx``."""
    router = APIRouter(tags=["cases"])

    def service() -> CaseService:
        return CaseService(ctx.store, ctx.config)

    @router.get("/api/cases", dependencies=[Depends(access.UNIT), Depends(refuse_unknown_params)])
    def list_cases(request: Request, state: str | None = None, unit: str | None = None,
                   limit: int = Query(50, ge=1, le=1000)) -> list[dict[str, Any]]:
        """Cases, newest first, by state and owning unit, of the viewer's units only."""
        units = access.viewer(request).units
        return _guard(lambda: service().list(state=state, unit=unit, limit=limit, units=units))

    @router.post("/api/cases", status_code=201, dependencies=[Depends(access.CASE_WRITE)])
    def open_case(body: OpenCase) -> dict[str, Any]:
        """Open a case; returns the case as ``GET /api/cases/{id}`` does."""
        def run() -> dict[str, Any]:
            svc = service()
            case_id = svc.open_from(actor=body.actor, role=body.role, unit=body.unit,
                                    title=body.title, item=body.item, alert=body.alert,
                                    event=body.event, channel=body.channel,
                                    suggested_class=body.handling_class)
            return svc.show(case_id)
        return _guard(run)

    @router.get("/api/cases/stats", dependencies=[Depends(access.UNIT)])
    def case_stats(request: Request) -> dict[str, Any]:
        """Statistics: by class, unit, channel, state; on-time rates; stage hours; petitions
        (of the viewer's units)."""
        return stats.case_stats(service(), access.viewer(request).units)

    @router.get("/api/cases/export.{fmt}", dependencies=[Depends(access.UNIT)])
    def export_cases(request: Request, fmt: Literal["csv", "xlsx"], state: str | None = None,
                     unit: str | None = None) -> Response:
        """The case list as CSV or XLSX, of the viewer's units only; written to the audit log."""
        units = access.viewer(request).units
        cases = _guard(lambda: service().list(state=state, unit=unit, limit=MAX_CASE_EXPORT,
                                              units=units))
        columns = ["id", "title", "state", "owner_unit", "handling_class", "origin", "opened_at"]
        rows = [[case.get(c) for c in columns] for case in cases]
        access.audit(request, "export", f"cases.{fmt}",
                     {"state": state, "unit": unit, "rows": len(rows)})
        return export_response("cases", fmt, columns, rows)

    @router.get("/api/cases/{case_id}/review.{fmt}", dependencies=[Depends(access.CASE_READ)])
    def review_report(request: Request, case_id: int,
                      fmt: Literal["pdf", "docx", "html"]) -> Response:
        """The case review (处置总结) of one case as a download (the rule checked access);
        written to the audit log."""
        from yuqing.reports.formats import MEDIA_TYPES, render
        from yuqing.reports.make import make_report

        report = _guard(lambda: make_report(ctx.store, ctx.config, "review", case=case_id))
        access.audit(request, "download", f"case:{case_id}", {"report": "review", "format": fmt})
        return download_response(render(report, fmt), MEDIA_TYPES[fmt],
                                 f"{report.title}-{case_id}.{fmt}")

    @router.get("/api/cases/daily", dependencies=[Depends(access.UNIT)])
    def daily(request: Request, day: date | None = Query(None, alias="date")) -> dict[str, Any]:
        """The daily report with zero reports for units with nothing (default: today), of
        the viewer's units."""
        svc = service()
        return stats.daily_report(svc, day or svc.clock().astimezone(svc.tz).date(),
                                  access.viewer(request).units)

    @router.get("/api/cases/{case_id}", dependencies=[Depends(access.CASE_READ)])
    def show(request: Request, case_id: int) -> dict[str, Any]:
        """One case with its audit log, deadlines, attachments, links and petitions; the read
        is written to the case's log (by the rule) and the audit log."""
        found = _guard(lambda: service().show(case_id))
        access.audit(request, "view", f"case:{case_id}")
        return found

    @router.post("/api/cases/{case_id}/moves", dependencies=[Depends(access.CASE_WRITE)])
    def move(request: Request, case_id: int, body: MoveCase) -> dict[str, Any]:
        """Move a case through the workflow; returns the case. A merge needs the right to
        change the case merged into too (403 for another unit's case)."""
        if body.merge_into is not None:
            access.check_case(ctx, access.viewer(request), body.merge_into, write=True,
                              path=None)

        def run() -> dict[str, Any]:
            svc = service()
            svc.apply(case_id, body, actor=body.actor, role=body.role)
            return svc.show(case_id)
        return _guard(run)

    @router.post("/api/cases/{case_id}/actions", dependencies=[Depends(access.CASE_WRITE)])
    def act(case_id: int, body: CaseAction) -> dict[str, Any]:
        """Record a playbook step or comment; returns the case."""
        def run() -> dict[str, Any]:
            svc = service()
            svc.act(case_id, body.action, actor=body.actor, role=body.role, note=body.note)
            return svc.show(case_id)
        return _guard(run)

    @router.post("/api/cases/{case_id}/units", dependencies=[Depends(access.CASE_WRITE)])
    def change_unit(case_id: int, body: UnitChange) -> dict[str, Any]:
        """Transfer ownership (``transfer``: a leader, with the reason) or ask a unit
        to assist; returns the case."""
        def run() -> dict[str, Any]:
            svc = service()
            if body.kind == "transfer":
                svc.transfer(case_id, body.unit, actor=body.actor, role=body.role, note=body.note)
            else:
                svc.assist(case_id, body.unit, actor=body.actor, role=body.role, note=body.note)
            return svc.show(case_id)
        return _guard(run)

    @router.post("/api/cases/{case_id}/attachments", status_code=201,
                 dependencies=[Depends(access.CASE_WRITE)])
    def attach(case_id: int, body: NewAttachment) -> dict[str, Any]:
        """Keep an attachment (evidence); returns ``{"id", "sha256", "size", "new"}``."""
        def run() -> dict[str, Any]:
            try:
                content = base64.b64decode(body.content_base64, validate=True)
            except binascii.Error:
                raise BadInput(f"attachment {body.name!r}: content_base64 is not base64") from None
            return service().attach(case_id, body.name, content, actor=body.actor, role=body.role)
        return _guard(run)

    @router.post("/api/petitions/{petition_id}/contact", dependencies=[Depends(access.CASE_WRITE)])
    def contact(request: Request, petition_id: int, body: ContactRead) -> dict[str, Any]:
        """The full contact of a petitioner; the read is written to the case's log and the
        audit log, with the reason."""
        found = _guard(lambda: intake.reveal_contact(service(), petition_id, actor=body.actor,
                                                     role=body.role,
                                                     reason=body.reason).to_json())
        access.audit(request, "contact", f"petition:{petition_id}", {"reason": body.reason})
        return found

    @router.post("/api/petitions", status_code=201, dependencies=[Depends(access.CASE_WRITE)])
    def add_petition(body: NewPetition) -> dict[str, Any]:
        """Take in a petition (repeat and cross-level detection, item links)."""
        return _guard(lambda: intake.add_petition(service(), body, actor=body.actor,
                                                  role=body.role).to_json())

    @router.get("/api/deadline", dependencies=[Depends(access.SHARED)])
    def deadline(start: str = Query(alias="from"), policy: str | None = None,
                 hours: float | None = None, working_days: int | None = None) -> dict[str, Any]:
        """``{"due", "provisional", "policy"}`` as ``yuqing deadline --json`` gives."""
        def run() -> dict[str, Any]:
            svc = service()
            when = parse_time(start, svc.tz)
            if policy is not None:
                return policy_deadline(ctx.config.deadlines, policy, when, tz=svc.tz).as_json()
            return compute_deadline(when, tz=svc.tz,
                                    calendar=calendar_from_config(ctx.config.deadlines),
                                    hours=hours, working_days=working_days).as_json()
        return _guard(run)

    return router
