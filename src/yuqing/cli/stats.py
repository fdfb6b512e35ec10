"""`yuqing stats`: analytics over a time range and an optional scheme."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    check_scheme,
    console,
    emit_json,
    reading_context,
    user_errors,
)
from yuqing.domain import BadInput
from yuqing.store.analytics import Scope
from yuqing.time_range import parse_range


def stats(
    since: Annotated[
        str, typer.Option(help="start: 24h, 7d, today, yesterday or an ISO date/time (local zone)")
    ] = "24h",
    until: Annotated[
        str | None, typer.Option(help="end (exclusive): now, today or an ISO date/time")
    ] = None,
    scheme: Annotated[str | None, typer.Option(help="only items matching this scheme")] = None,
    bucket: Annotated[str, typer.Option(help="hour or day")] = "hour",
    top: Annotated[int, typer.Option(min=1, max=1000, help="rows in top lists")] = 10,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Volume, sentiment over time, media, places, top accounts and keywords of a time range."""
    from yuqing.analytics.stats import range_stats

    with user_errors():
        if bucket not in ("hour", "day"):
            raise BadInput(f"--bucket {bucket!r}: expected hour or day")
        ctx = reading_context(config, db)
        check_scheme(scheme, ctx.config)
        tz = ctx.config.timezone
        start, end = parse_range(since, until, tz)
        doc = range_stats(ctx.store, Scope(start, end, scheme), tz=tz,
                          bucket="day" if bucket == "day" else "hour", top=top)
        ctx.close()
    if json_out:
        emit_json(doc)
        return
    _print_human(doc)


def _print_human(doc: dict[str, Any]) -> None:
    """Print the headline figures and the top lists on stderr."""
    o = doc["overview"]
    console.print(f"{doc['since']} .. {doc['until']}  方案 scheme: {doc['scheme'] or '全部 all'}")
    console.print(
        f"条目 items {o['items']}  负面 negative {o['negative']} ({o['negative_share']:.1%})  "
        f"敏感 sensitive {o['sensitive']}"
    )
    lists = {
        "媒体 media": doc["media"],
        "账号 authors": doc["accounts"]["authors"],
        "省份 provinces": doc["geography"]["provinces"],
        "城市 cities": doc["geography"]["cities"],
    }
    for title, rows in lists.items():
        table = Table(title=title)
        table.add_column("name")
        table.add_column("count", justify="right")
        for row in rows:
            table.add_row(row["name"], str(row["count"]))
        console.print(table)
    console.print("关键词 keywords: " + "、".join(k["word"] for k in doc["keywords"]))
