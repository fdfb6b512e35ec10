"""`yuqing ingest PATH…`: run item files through the whole pipeline, alerts included."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    err,
    fail,
    progress_bar,
    user_errors,
)
from yuqing.config import check_timezone
from yuqing.domain import MEDIA_TYPES, BadInput
from yuqing.runtime.context import make_context
from yuqing.runtime.ingest import ingest_file
from yuqing.runtime.outcome import Outcome
from yuqing.sources.files import count_rows, read_items
from yuqing.sources.records import resolve_mapping

MappingOpt = Annotated[str | None, typer.Option(
    "--mapping", "-m",
    help="column mapping ours=theirs: a name from \\[column_mappings] in the config, "
         "builtin:checked_replay, a TOML file, or inline 'published_at=time,id=id'")]


def outcome_table(outcome: Outcome, title: str) -> Table:
    """A two-column rich table of the counts of ``outcome``."""
    labels = {
        "read": "读取 read",
        "stored": "入库 stored",
        "updated": "更新 updated",
        "duplicates": "重复 duplicates",
        "rejected": "拒收 rejected",
        "matched": "命中方案 matched",
        "negative": "负面 negative",
        "sensitive": "敏感 sensitive",
        "alerts": "预警 alerts",
        "events": "事件 events",
    }
    table = Table(title=title)
    table.add_column("项目 item")
    table.add_column("数量 count", justify="right")
    doc = outcome.as_dict()
    for key, label in labels.items():
        table.add_row(label, str(doc[key]))
    for reason, n in doc["rejected_by_reason"].items():
        table.add_row(f"  拒收原因 {reason}", str(n))
    return table


#: how many notes of kept inputs whose values were changed `yuqing ingest` prints (all are
#: in ``--json``)
NOTES_SHOWN = 5


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="item files: .jsonl .json .csv .xml (also .gz)")
    ],
    mapping: MappingOpt = None,
    source: Annotated[str | None, typer.Option(help="source name; default the file name")] = None,
    media_type: Annotated[
        str, typer.Option(help="news weibo wechat forum video app gov other")
    ] = "other",
    timezone: Annotated[str | None, typer.Option(help="zone of dates without offset")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run item files through the whole pipeline (normalise … store, alerts); with a
    broker, the workers run them and this waits for their counts.

    Exit 2 (after printing the counts) when a file gave no item at all: every record
    refused, or none in it; the message names each such file and its first problem.
    """
    with user_errors():
        for path in paths:
            if not path.is_file():
                raise BadInput(
                    (f"{path}: no such file" if not path.exists() else f"{path}: not a file")
                    + "; nothing was ingested (the files are checked before any is read)")
        if media_type not in MEDIA_TYPES:
            raise BadInput(f"--media-type {media_type!r}: expected one of {', '.join(MEDIA_TYPES)}")
        ctx = make_context(config, db)
        col_map = resolve_mapping(mapping, ctx.config.column_mappings)
        tz = check_timezone(timezone, "--timezone") if timezone else ctx.config.timezone
        total = Outcome()
        unread: list[str] = []
        producer = ctx.producer if ctx.broker_url else None
        for skipped, why in ({} if producer else ctx.pipeline.skipped).items():
            err.print(f"[yellow]stage {skipped} skipped:[/] {why}")
        for path in paths:
            with progress_bar(f"{path.name}", count_rows(path)) as advance:
                if producer is not None:  # the workers process it (README "Scaling out")
                    outcome = producer.stream(read_items(path, source=source, tz=tz,
                                                         media_type=media_type, mapping=col_map),
                                              progress=advance)
                else:
                    outcome = ingest_file(ctx.pipeline, path, source=source, mapping=col_map,
                                          tz=tz, media_type=media_type, progress=advance)
            total.add(outcome)
            if outcome.rejected >= outcome.read:
                unread.append(f"{path}: no item read ({outcome.read} records, all refused"
                              + (f"; first: {outcome.problems[0]})" if outcome.problems else ")"))
        ctx.close()
    if json_out:
        emit_json(total.as_dict())
    else:
        console.print(outcome_table(total, "导入结果 ingest"))
        for problem in total.problems:
            err.print(f"[yellow]拒收 rejected:[/] {problem}", highlight=False, soft_wrap=True)
        for note in total.notes[:NOTES_SHOWN]:
            err.print(f"[yellow]改动 changed:[/] {note}", highlight=False, soft_wrap=True)
        if len(total.notes) > NOTES_SHOWN:
            err.print(f"[yellow]改动 changed:[/] … {len(total.notes) - NOTES_SHOWN} more "
                      "(--json lists all)", highlight=False)
    if unread:
        raise fail("; ".join(unread))
