"""`yuqing rejections`: what the pipeline refused (stored with a reason), newest first."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from yuqing.cli.common import ConfigOpt, DbOpt, console, emit_json, reading_context, user_errors
from yuqing.domain import BadInput
from yuqing.time_range import parse_since

#: the reason codes the pipeline stores: an unreadable record, then the normaliser's
#: (pipeline/normalize.py, RejectedItem.reason), then a batch a worker could not process
#: (runtime/celery_app.py)
KNOWN_REASONS = ("bad_input", "empty_text", "no_identity", "lossy_id", "bad_url", "failed")


def rejections(
    reason: Annotated[
        str | None, typer.Option(help="only this reason code, e.g. empty_text")
    ] = None,
    source: Annotated[str | None, typer.Option(help="only this source")] = None,
    since: Annotated[str | None, typer.Option(
        help="24h, 7d, today, yesterday or an ISO date")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 50,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="one JSON document: counts and rows")
    ] = False,
) -> None:
    """List refused inputs with where they came from (file:line, request element) and why.

    ``--json`` prints ``{"counts": {reason: n over the whole store}, "rejections":
    [{"at", "source", "origin", "reason", "detail"}]}`` (``at`` ISO 8601 UTC).
    ``--reason`` must be a known code (KNOWN_REASONS) or one the store holds, else exit 2
    listing them.
    """
    with user_errors():
        ctx = reading_context(config, db)
        counts = ctx.store.rejection_counts()
        valid = sorted(set(KNOWN_REASONS) | set(counts))
        if reason is not None and reason not in valid:
            raise BadInput(f"--reason {reason!r}: expected one of {', '.join(valid)}")
        found = ctx.store.list_rejections(
            reason=reason, source=source, limit=limit,
            since=parse_since(since, ctx.config.timezone) if since else None)
        tz = ZoneInfo(ctx.config.timezone)
        ctx.close()
    if json_out:
        rows: list[dict[str, Any]] = [
            {**{k: r[k] for k in ("source", "origin", "reason", "detail")},
             "at": r["at"].isoformat()} for r in found]
        emit_json({"counts": counts, "rejections": rows})
        return
    totals = " · ".join(f"{reason_} {n}" for reason_, n in sorted(counts.items())) or "0"
    table = Table(title=f"拒收 rejected ({len(found)} shown; all: {totals})")
    for col in ("时间 time", "来源 source", "位置 origin", "原因 reason", "说明 detail"):
        table.add_column(col, overflow="fold")
    for r in found:
        table.add_row(r["at"].astimezone(tz).strftime("%m-%d %H:%M"), r["source"] or "",
                      r["origin"] or "", r["reason"], r["detail"] or "")
    console.print(table)
