"""`yuqing items`: list stored items, newest first, with filters."""

from __future__ import annotations

import sys
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    check_scheme,
    console,
    emit_json,
    reading_context,
    user_errors,
)
from yuqing.domain import SENTIMENTS, BadInput
from yuqing.pipeline.textnorm import match_form
from yuqing.store.items import item_to_json
from yuqing.time_range import parse_since

#: characters of an item's text shown in a terminal's table (a pipe gets all of them)
TEXT_WIDTH = 60


def shown_text(text: str, width: int | None) -> str:
    """Return ``text`` whole when ``width`` is None, else its first ``width`` characters,
    a cut marked with "…"."""
    if width is None or len(text) <= width:
        return text
    return text[:width - 1] + "…"


def items(
    scheme: Annotated[str | None, typer.Option(help="only items matching this scheme")] = None,
    sentiment: Annotated[str | None, typer.Option(help="negative, neutral or positive")] = None,
    since: Annotated[str | None, typer.Option(
        help="24h, 7d, today, yesterday or an ISO date")] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="words the text contains (2+ characters; space = AND)"),
    ] = None,
    source: Annotated[str | None, typer.Option(help="only this source")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 20,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON lines, one item per line")] = False,
) -> None:
    """List stored items, newest first.

    ``--scheme`` must name a scheme of the config when the config has any (exit 2 listing
    them otherwise), like ``report --scheme``.
    """
    with user_errors():
        if sentiment is not None and sentiment not in SENTIMENTS:
            raise BadInput(f"--sentiment {sentiment!r}: expected one of {', '.join(SENTIMENTS)}")
        ctx = reading_context(config, db)
        check_scheme(scheme, ctx.config)
        found = ctx.store.iter_items(
            scheme=scheme, sentiment=sentiment, source=source, limit=limit,
            since=parse_since(since, ctx.config.timezone) if since else None,
            query=match_form(query) if query else None)
        ctx.close()
    if json_out:
        for it in found:
            emit_json(item_to_json(it))
        return
    whole = not sys.stdout.isatty()  # a pipe or file gets every character to grep
    table = Table(title=f"条目 items ({len(found)})")
    for col in ("时间 time", "来源 source", "情感 sentiment", "方案 schemes", "内容 text"):
        table.add_column(col, overflow="fold")
    for it in found:
        table.add_row(
            it.published_at.astimezone(ZoneInfo(ctx.config.timezone)).strftime("%m-%d %H:%M"),
            it.source,
            it.sentiment or "",
            "、".join(it.schemes),
            shown_text(it.title or it.text, None if whole else TEXT_WIDTH),
        )
    console.print(table)
