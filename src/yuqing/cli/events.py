"""`yuqing events`, `yuqing event ID` and `yuqing eval events`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    fail,
    reading_context,
    user_errors,
)
from yuqing.domain import BadInput
from yuqing.time_range import parse_since


def events(
    config: ConfigOpt = None,
    db: DbOpt = None,
    since: Annotated[
        str | None, typer.Option(help="last active at or after: 24h, 7d, today or an ISO time")
    ] = None,
    min_size: Annotated[
        int, typer.Option("--min-size", min=1, help="at least this many items")
    ] = 1,
    order: Annotated[str, typer.Option(help="heat, last_at or size")] = "heat",
    limit: Annotated[int, typer.Option(min=1, max=100000, help="how many events")] = 20,
    json_out: JsonOpt = False,
) -> None:
    """List events, hottest first (JSON lines with --json)."""
    from yuqing.analytics.event_report import list_events

    with user_errors():
        ctx = reading_context(config, db)
        try:
            start = parse_since(since, ctx.config.timezone) if since else None
            rows = list_events(ctx.store, since=start, min_size=min_size, order=order,
                               limit=limit)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        finally:
            ctx.close()
    if json_out:
        for row in rows:
            emit_json(row)
        return
    table = Table(title="事件 events")
    for name in ("id", "级别 level", "热度 heat", "条数 size", "最后 last", "标题 title"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["level"], f"{r['heat']:.1f}", str(r["size"]), r["last_at"][:16],
                      r["title"])
    console.print(table)


def event(
    event_id: Annotated[str, typer.Argument(help="event id, e.g. E1a2b3c4d5e6f")],
    config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False,
    summarize: Annotated[bool, typer.Option(
        "--summarize", help="write a language-model summary now ([llm] must be set)")] = False,
) -> None:
    """One event: origin with confidence, timeline, propagation edges, level and heat.

    ``--summarize`` writes and stores the event's summary with the ``[llm]`` endpoint now
    (assist/writer.py), whatever its size and age, and adds it as ``summary`` (the stored
    row without the prompt and answer)."""
    from yuqing.analytics.event_report import event_detail

    with user_errors():
        ctx = reading_context(config, db)
        try:
            doc = event_detail(ctx.store, event_id, ctx.config.events)
            if doc is not None and summarize:
                doc["summary"] = _summarize(ctx, event_id)
        finally:
            ctx.close()
    if doc is None:
        raise fail(f"event {event_id}: not found")
    if summarize and not json_out:
        console.print(f"摘要 summary ({doc['summary']['model']}, {doc['summary']['seconds']} s): "
                      f"{doc['summary']['text']}", highlight=False)
    if json_out:
        emit_json(doc)
        return
    console.print(f"[bold]{doc['title']}[/]  {doc['id']}  级别 {doc['level']} {doc['level_name']}"
                  f"  热度 {doc['heat']:.1f}  {doc['size']} 条")
    origin = doc["origin"] or {}
    console.print(f"源头 origin: {origin.get('key')} {origin.get('author') or ''} "
                  f"{origin.get('published_at') or ''} (confidence {origin.get('confidence')}: "
                  f"{origin.get('reason')})")
    console.print(f"关键词 keywords: {', '.join(doc['keywords'])}")
    console.print(f"传播 depth {doc.get('depth')} breadth {doc.get('breadth')}, "
                  f"{len(doc['edges'])} edges; first by media: {doc.get('first_by_media')}")


def _summarize(ctx: Any, event_id: str) -> dict[str, Any]:
    """Write and store the summary of ``event_id``; return it without prompt and answer.
    Raises BadInput when the config has no ``[llm]`` or no item of the event may be sent."""
    from yuqing.assist.writer import EventSummaries

    if ctx.config.llm is None:
        raise BadInput(f"{ctx.config.origin}: --summarize needs an [llm] section")
    row = EventSummaries(ctx.config, ctx.store).write(event_id, force=True)
    if row is None:
        raise BadInput(f"event {event_id}: no item of it may be sent (all linked to cases)")
    return {k: v for k, v in row.items() if k not in ("prompt", "answer")}


def eval_events(
    data: Annotated[Path, typer.Option("--data", help="JSONL of items with an event_label field")],
    config: ConfigOpt = None,
    threshold: Annotated[
        float | None, typer.Option(help="similarity threshold (default: config)")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """B-cubed precision/recall/F1 and ARI of the event clustering, with a baseline."""
    from yuqing.analytics.event_eval import evaluate_events
    from yuqing.runtime.context import make_context
    from yuqing.sources.files import read_items

    with user_errors():
        cfg = make_context(config).config.events
        if threshold is not None:
            cfg = cfg.model_copy(update={"threshold": threshold})
        doc = evaluate_events(read_items(data), cfg)
    if json_out:
        emit_json(doc)
        return
    console.print(f"n={doc['n']}  B-cubed P={doc['bcubed_precision']:.3f} "
                  f"R={doc['bcubed_recall']:.3f} "
                  f"F1={doc['bcubed_f1']:.3f}  ARI={doc['ari']:.3f}  events={doc['events']} "
                  f"labels={doc['labels']}")
    base = doc["baseline"]
    console.print(f"baseline ({base['name']}): F1={base['bcubed_f1']:.3f} ARI={base['ari']:.3f}")
