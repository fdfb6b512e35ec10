"""`yuqing run` (watch the configured sources) and `yuqing serve` (web app and API)."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from yuqing.cli.common import ConfigOpt, DbOpt, JsonOpt, console, emit_json, err, user_errors
from yuqing.config import DEFAULT_PORT
from yuqing.domain import BadInput
from yuqing.runtime.context import Context, make_context
from yuqing.runtime.outcome import Outcome
from yuqing.sources.health import SourceHealth

if TYPE_CHECKING:
    from yuqing.runtime.watch import Watcher

PortOpt = Annotated[int, typer.Option(min=1, max=65535, help="port of the web app and push API")]
HostOpt = Annotated[str, typer.Option(help="address to listen on")]


def _summary(outcome: Outcome, health: dict[str, SourceHealth]) -> str:
    """One line of counts and source states (a round of `run`, or the whole `run --once`)."""
    states = ", ".join(f"{name}:{h.status}" for name, h in health.items())
    return (f"入库 {outcome.stored} · 更新 {outcome.updated} · 预警 {outcome.alerts} "
            f"· 拒收 {outcome.rejected} · 信源 {states}")


def _log_round(outcome: Outcome, health: dict[str, SourceHealth]) -> None:
    """Log a round of the watch loop on stderr."""
    err.print(_summary(outcome, health), highlight=False)


def _log_failing(name: str, health: SourceHealth) -> None:
    """Say on stderr, once, that source ``name`` turned failing and why."""
    err.print(f"[red]信源失败 source failing:[/] {escape(name)}: {escape(health.last_error or '')}"
              f" (连续 {health.consecutive_failures} 次 failures in a row)", highlight=False)


def _log_recovered(name: str, health: SourceHealth) -> None:
    """Say on stderr that source ``name`` fetches again."""
    err.print(f"[green]信源恢复 source recovered:[/] {escape(name)}", highlight=False)


def run(
    config: ConfigOpt = None,
    db: DbOpt = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="also serve the web app and POST /api/items")
    ] = True,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = DEFAULT_PORT,
    once: Annotated[bool, typer.Option(
        "--once", help="poll every enabled source once, process, deliver the alerts, exit "
                       "(for cron; no web app)")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Watch the configured sources until stopped (Ctrl-C finishes the batch in flight).

    ``--once`` polls every enabled source once, runs what came in through the pipeline,
    delivers the alerts that are due (a delivery waiting for a retry stays in the outbox
    for the next run) and exits. ``--json`` prints the counts of the whole run (sources
    and pushed items together), ``pushed`` (the part that came through POST /api/items)
    and each source's health.
    """
    from yuqing.runtime.watch import Watcher

    with user_errors():
        ctx = make_context(config, db)
        if not any(s.enabled for s in ctx.live.config.sources) and (once or not serve):
            sources = ctx.live.config.sources
            hint = (f"set enabled = true in one of its [[sources]] ("
                    f"{', '.join(s.name for s in sources)})" if sources else
                    "add a [[sources]] table (name, kind, and url or path; yuqing init "
                    "writes examples)")
            raise BadInput(f"{ctx.config.origin}: no enabled source"
                           + ("" if once else " and --no-serve") + f": nothing to do; {hint}")
        quiet = json_out or once
        watcher = Watcher(ctx, on_round=None if quiet else _log_round,
                          on_failing=None if json_out else _log_failing,
                          on_recovered=None if quiet else _log_recovered)
        for name, why in ctx.pipeline.skipped.items():
            err.print(f"[yellow]stage {name} skipped:[/] {why}")
        total = (_once(ctx, watcher) if once
                 else _watch(ctx, watcher, serve, host, port, json_out))
        total.add(ctx.pushed)
        watcher.close()
        ctx.close()
    if json_out:
        emit_json({**total.as_dict(), "pushed": ctx.pushed.as_dict(),
                   "sources": {n: h.as_dict() for n, h in watcher.health.items()}})
    elif once:
        console.print(_summary(total, watcher.health), highlight=False)
    else:
        err.print("已停止 stopped")


def _once(ctx: Context, watcher: Watcher) -> Outcome:
    """One round over every enabled source, then deliver what the outbox holds due."""
    outcome = watcher.round()
    ctx.pipeline.dispatcher.drain()
    return outcome


def _watch(ctx: Context, watcher: Watcher, serve: bool, host: str, port: int,
           json_out: bool) -> Outcome:
    """Rounds until SIGINT/SIGTERM, with the alert dispatcher (and the web app, whose
    address and first-login hint are printed: on stderr with ``--json``) running."""
    from yuqing.web.server import serve_in_thread, start_lines

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server = serve_in_thread(ctx, host=host, port=port) if serve else None
    ctx.pipeline.dispatcher.start()  # alerts are delivered while the sources are watched
    for line in start_lines(ctx, host, port) if serve else []:
        (err if json_out else console).print(line, highlight=False, markup=False)
    err.print(
        f"监测中 watching {len(watcher.sources)} sources"
        + (f"; push API http://{host}:{port}/api/items" if serve else "")
        + " — Ctrl-C to stop"
    )
    total = watcher.run(stop)
    if server is not None:
        server.stop()
    ctx.pipeline.dispatcher.stop()
    return total


def serve(config: ConfigOpt = None, db: DbOpt = None, host: HostOpt = "127.0.0.1",
          port: PortOpt = DEFAULT_PORT) -> None:
    """Serve the web app and JSON API (OpenAPI at /openapi.json)."""
    from yuqing.web.server import serve_forever

    with user_errors():
        ctx = make_context(config, db)
        serve_forever(ctx, host=host, port=port)
        ctx.close()
