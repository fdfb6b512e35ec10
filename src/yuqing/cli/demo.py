"""`yuqing demo`: the main job on bundled real data, with no set-up."""

from __future__ import annotations

import shutil
import sys
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from yuqing.cli.common import DbOpt, JsonOpt, console, emit_json, err, progress_bar, user_errors
from yuqing.cli.ingest import MappingOpt, outcome_table
from yuqing.config import DEFAULT_PORT, load_config
from yuqing.runtime.context import Context
from yuqing.runtime.ingest import ingest_file, run_stream
from yuqing.runtime.outcome import Outcome
from yuqing.sources.files import count_rows
from yuqing.sources.hotsearch import bundled_demo_items
from yuqing.sources.records import resolve_mapping
from yuqing.store import Store

DEMO_DB = Path("yuqing-demo.db")


def demo_config_path() -> Path:
    """Path of the demo configuration shipped in the package."""
    return Path(str(resources.files("yuqing") / "data" / "demo.toml"))


def fresh_sqlite_url(path: Path) -> str:
    """Remove the SQLite file at ``path`` (and its WAL files); return its URL."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def alerts_table(store: Store, limit: int = 10) -> Table:
    """The newest ``limit`` alerts as a rich table."""
    table = Table(title="最新预警 latest alerts")
    table.add_column("级别 level")
    table.add_column("标题 title", overflow="fold")
    for stored in store.list_alerts(limit):
        table.add_row(stored.alert.level, stored.alert.title)
    return table


def data_days(store: Store, tz: str) -> tuple[date, date] | None:
    """Return the first and last local day (zone ``tz``) of the stored items' publication
    times, or None when the store holds no item."""
    found = store.items.published_range()
    if found is None:
        return None
    first, last = found
    zone = ZoneInfo(tz)
    return first.astimezone(zone).date(), last.astimezone(zone).date()


def command_name() -> str:
    """Return how to call yuqing again: ``yuqing`` when it is on PATH, else the full path it
    was started by (a venv not activated, as in the README's one-line install)."""
    started = Path(sys.argv[0])
    if shutil.which("yuqing") or started.name != "yuqing":
        return "yuqing"
    return str(started.resolve())


def look_further(ctx: Context, config_path: Path) -> list[str]:
    """Return the commands that look further into the demo database, one per line, runnable
    from any folder (absolute paths). ``stats`` and ``report`` get the days the data covers:
    stats defaults to the last 24 hours of wall-clock time, which holds none of a replayed
    data set."""
    yq = command_name()
    where = f"--config {config_path} --db {ctx.database_url}"
    lines = ["查看更多 look further:", f"  {yq} items {where}", f"  {yq} events {where}"]
    days = data_days(ctx.store, ctx.config.timezone)
    if days is not None:
        first, last = days
        lines += [f"  {yq} stats {where} --since {first.isoformat()} "
                  f"--until {(last + timedelta(days=1)).isoformat()} --bucket day",
                  f"  {yq} report daily --date {last.isoformat()} {where}"]
    return lines


def demo(
    data: Annotated[
        Path | None,
        typer.Option(help="item file to run instead of the bundled Weibo hot-search topics"),
    ] = None,
    mapping: MappingOpt = None,
    db: DbOpt = None,
    serve: Annotated[bool, typer.Option("--serve", help="then keep serving the web app")] = False,
    port: Annotated[int, typer.Option(min=1, max=65535, help="port for --serve")] = DEFAULT_PORT,
    json_out: JsonOpt = False,
) -> None:
    """Run the whole pipeline on bundled real data and print a summary."""
    with user_errors():
        config = load_config(demo_config_path())
        ctx = Context(config=config, database_url=db or fresh_sqlite_url(DEMO_DB.resolve()))
        for name, why in ctx.pipeline.skipped.items():
            err.print(f"[yellow]stage {name} skipped:[/] {why}")
        outcome = _run(ctx, data, mapping, show_progress=not json_out)
    if json_out:
        emit_json(outcome.as_dict())
    else:
        console.print(outcome_table(outcome, "演示结果 demo summary"))
        console.print(alerts_table(ctx.store))
        console.print("\n".join(look_further(ctx, demo_config_path())),
                      highlight=False, markup=False, soft_wrap=True)
    if serve:
        from yuqing.web.demo_seed import seed_demo
        from yuqing.web.server import serve_forever

        name, password = seed_demo(ctx)
        console.print(f"演示登录 demo login: {name} / {password}  http://127.0.0.1:{port}/")
        serve_forever(ctx, port=port)
    ctx.close()


def _run(ctx: Context, data: Path | None, mapping: str | None, *, show_progress: bool) -> Outcome:
    if data is None:
        with progress_bar("微博热搜 hot-search", None, enabled=show_progress) as advance:
            return run_stream(ctx.pipeline, bundled_demo_items(), progress=advance)
    col_map = resolve_mapping(mapping, ctx.config.column_mappings)
    with progress_bar(data.name, count_rows(data), enabled=show_progress) as advance:
        return ingest_file(ctx.pipeline, data, mapping=col_map, progress=advance)
