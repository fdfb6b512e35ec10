"""One-click export: reports as files, and lists (items, alerts, events) as CSV or XLSX.

``reports_router(ctx)`` returns an APIRouter bound to one Context; create_app
includes it (behind the app's login gate). Routes:

- ``GET /api/reports/{kind}?date=&format=&scheme=&event=&case=&from=&to=&lang=``: the
  report as a download (pdf by default); its evidence and the file itself are stored,
  with who made it and for which unit (the history of generated reports).
- ``GET /api/reports?kind=&limit=``: stored reports the viewer's units may see, newest
  first (JSON); ``GET /api/reports/stored/{id}/file``: the kept file of one;
  ``GET /api/reports/stored/{id}/evidence``: the quoted items and hashes.
- ``GET /api/export/{items|alerts|events}.{csv|xlsx}``: the list as a file
  (items take ``scheme``, ``sentiment``, ``since``, ``q``, ``limit``).

Cases are exported by the cases API, where each unit sees only its own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from yuqing.domain import SENTIMENTS, BadInput
from yuqing.pipeline.textnorm import match_form
from yuqing.runtime.context import Context
from yuqing.store.items import item_to_json
from yuqing.store.repository import storable_id
from yuqing.web import access
from yuqing.web.query_checks import bad_param, choice, refuse_unknown_params

ITEM_COLUMNS = ("key", "id", "source", "media_type", "published_at", "author", "title", "text",
                "url", "sentiment", "sentiment_score", "schemes", "places", "event_id",
                "duplicate_of", "reposts", "comments", "likes")
LIST_FORMATS = ("csv", "xlsx")
MAX_EXPORT = 100_000


def download_response(data: bytes, media_type: str, filename: str) -> Response:
    """Return ``data`` as an attachment named ``filename`` (RFC 6266 UTF-8 name)."""
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(content=data, media_type=media_type,
                    headers={"Content-Disposition": disposition})


def report_filename(row: dict[str, Any], tz: str) -> str:
    """Return the download name of a report (a stored row or the same keys): its title, the
    local first day of its period and the format's extension (``舆情日报-2024-03-05.pdf``)."""
    start = row["period_start"].astimezone(ZoneInfo(tz)).date().isoformat()
    return f"{row['title']}-{start}.{row['format']}"


def csv_bytes(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """Return ``rows`` as CSV in UTF-8 with a BOM (so Excel opens Chinese correctly); cells
    are cleaned as XLSX cells are, and formulas neutralised (reports/excel.py csv_cell)."""
    from yuqing.reports.excel import csv_cell

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


def export_response(name: str, fmt: str, columns: Sequence[str], rows: list[list[Any]]) -> Response:
    """Return ``rows`` under ``columns`` as a CSV (``fmt`` csv) or XLSX attachment."""
    if fmt == "csv":
        return download_response(csv_bytes(columns, rows), "text/csv; charset=utf-8", f"{name}.csv")
    from yuqing.reports.excel import list_xlsx
    from yuqing.reports.formats import MEDIA_TYPES

    return download_response(list_xlsx(name, columns, rows), MEDIA_TYPES["xlsx"], f"{name}.xlsx")


def reports_router(ctx: Context) -> APIRouter:
    """Return the report and export routes bound to ``ctx`` (see the module docstring)."""
    router = APIRouter()
    tz = ctx.config.timezone

    @router.get("/api/reports",
                dependencies=[Depends(access.UNIT), Depends(refuse_unknown_params)])
    def list_reports(request: Request, limit: int = Query(100, ge=1, le=1000),
                     kind: str | None = None) -> list[dict[str, Any]]:
        """Stored reports the viewer may see (made for one of their units; an admin or a
        user without a unit sees all), newest first; ``kind`` keeps one kind."""
        return ctx.store.reports.stored(limit, access.viewer(request).units, kind or None)

    @router.get("/api/reports/stored/{report_id}/file", dependencies=[Depends(access.UNIT)])
    def stored_file(request: Request, report_id: int) -> Response:
        """The file of a stored report as it was given (404 when it is not kept or was made
        for a unit the viewer does not see); written to the audit log."""
        from yuqing.reports.formats import MEDIA_TYPES

        found = ctx.store.reports.file(report_id, access.viewer(request).units)
        if found is None:
            raise HTTPException(404, f"report {report_id}: no kept file you may read")
        row, data = found
        access.audit(request, "download", f"report:{report_id}", {"kind": row["kind"]})
        return download_response(data, MEDIA_TYPES[row["format"]], report_filename(row, tz))

    @router.get("/api/reports/stored/{report_id}/evidence", dependencies=[Depends(access.SHARED)])
    def evidence(report_id: int) -> list[dict[str, Any]]:
        """The items a stored report quotes: ref, item_key, role, text_hash (SHA-256)."""
        return ctx.store.reports.evidence(report_id)

    @router.get("/api/reports/{kind}", dependencies=[Depends(access.UNIT)])
    def make(request: Request, kind: str, date: str | None = None,
             format: str = "pdf",  # noqa: A002 - query name
             scheme: str | None = None, event: str | None = None,
             case: int | None = None, first: str | None = Query(None, alias="from"),
             last: str | None = Query(None, alias="to"), lang: str | None = None) -> Response:
        """The report of ``kind`` (daily, weekly, monthly, special, review) as a download,
        in ``lang`` (zh, en; default the config's ``language``). A special report is on
        ``event``, or on the days ``from`` to ``to`` with ``scheme``. Its handling figures
        count the viewer's units only, a review needs read access to the case
        (web/access.py). Kept in the history (who, unit, format, the file) and written to
        the audit log. Empty parameters (a form's blank fields) are not given."""
        from yuqing.reports.archive import save_report
        from yuqing.reports.formats import FORMATS, MEDIA_TYPES, render
        from yuqing.reports.make import make_report
        from yuqing.reports.periods import parse_date

        viewer = access.viewer(request)
        if case is not None and storable_id(case):
            access.check_case(ctx, viewer, case, write=False, path=None)
        try:
            if format not in FORMATS:
                raise BadInput(f"format {format!r}: expected one of {', '.join(FORMATS)}")
            report = make_report(
                ctx.store, ctx.config, kind, day=parse_date(date) if date else None,
                scheme=scheme or None, event=event or None, case=case,
                units=viewer.units, first=parse_date(first) if first else None,
                last=parse_date(last) if last else None, lang=lang or None)
        except BadInput as exc:
            raise HTTPException(400, str(exc)) from None
        data = render(report, format)
        access.audit(request, "download", f"report:{kind}",
                     {"date": date, "format": format, "scheme": scheme, "event": event,
                      "case": case, "from": first, "to": last})
        unit = viewer.user.get("unit") if viewer.units is not None else None
        save_report(ctx.store, report, fmt=format, content=data, created_by=viewer.name,
                    unit=unit)
        row = {"title": report.title, "period_start": report.since, "format": format}
        return download_response(data, MEDIA_TYPES[format], report_filename(row, tz))

    lists: dict[str, Callable[..., tuple[list[str], list[list[Any]]]]] = {}

    def items_rows(scheme: str | None, sentiment: str | None, since: str | None,
                   q: str | None, limit: int, **_: Any) -> tuple[list[str], list[list[Any]]]:
        from yuqing.time_range import parse_since

        found = ctx.store.iter_items(scheme=scheme, sentiment=sentiment, limit=limit,
                                     since=parse_since(since, tz) if since else None,
                                     query=match_form(q) if q else None)
        docs = [item_to_json(i, tz) | {"key": i.key} for i in found]
        return list(ITEM_COLUMNS), [[_flat(d.get(c)) for c in ITEM_COLUMNS] for d in docs]

    def alerts_rows(limit: int, channels: frozenset[str] | None,
                    **_: Any) -> tuple[list[str], list[list[Any]]]:
        zone = ZoneInfo(tz)
        rows = [[s.alert.created_at.astimezone(zone).isoformat(), s.alert.level, s.alert.rule,
                 s.alert.title, s.alert.body, _flat(s.alert.item_keys)]
                for s in ctx.store.list_alerts(limit, channels)]
        return ["created_at", "level", "rule", "title", "body", "item_keys"], rows

    def events_rows(limit: int, **_: Any) -> tuple[list[str], list[list[Any]]]:
        zone = ZoneInfo(tz)
        found = ctx.store.reports.events(limit=limit)
        columns = ["id", "title", "level", "heat", "size", "first_at", "last_at", "keywords"]
        return columns, [[e["id"], e["title"], e["level"], round(float(e["heat"]), 2), e["size"],
                          e["first_at"].astimezone(zone).isoformat(),
                          e["last_at"].astimezone(zone).isoformat(), _flat(e["keywords"])]
                         for e in found]

    lists.update(items=items_rows, alerts=alerts_rows, events=events_rows)

    @router.get("/api/export/{name}.{fmt}",
                dependencies=[Depends(access.UNIT), Depends(refuse_unknown_params)])
    def export(request: Request, name: str, fmt: str, scheme: str | None = None,
               sentiment: str | None = None, since: str | None = None, q: str | None = None,
               limit: int = Query(10_000, ge=1, le=MAX_EXPORT)) -> Response:
        """A list (items, alerts, events) as CSV or XLSX; a unit user's alerts are those
        delivered over the unit's channels; written to the audit log."""
        if name not in lists or fmt not in LIST_FORMATS:
            raise HTTPException(404, f"no export {name}.{fmt}: lists {', '.join(lists)}, "
                                     f"formats {', '.join(LIST_FORMATS)}")
        if name == "items":
            choice("sentiment", sentiment, SENTIMENTS)
        else:  # the alert and event lists take no filter but limit: refuse, never ignore
            given = {k: v for k, v in (("scheme", scheme), ("sentiment", sentiment),
                                       ("since", since), ("q", q)) if v}
            for key, value in given.items():
                raise bad_param(key, value, f"the {name} export filters by limit only")
        try:
            columns, rows = lists[name](scheme=scheme, sentiment=sentiment, since=since, q=q,
                                        limit=limit, channels=access.viewer(request).channels)
        except (BadInput, ValueError) as exc:
            raise HTTPException(400, str(exc)) from None
        access.audit(request, "export", f"{name}.{fmt}",
                     {"scheme": scheme, "sentiment": sentiment, "since": since, "q": q,
                      "rows": len(rows)})
        return export_response(name, fmt, columns, rows)

    return router
