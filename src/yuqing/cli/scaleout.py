"""`yuqing worker` and `yuqing scheduler`: the processes of the scale-out mode.

Both need a broker (``--broker``, ``YUQING_BROKER_URL`` or ``broker_url`` in the config)
and a PostgreSQL database; Celery comes with the ``scale`` extra
(``pip install 'yuqing[scale]'``). See README "Scaling out" and docs/SCALEOUT.md.
"""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from yuqing.cli.common import ConfigOpt, DbOpt, err, user_errors
from yuqing.domain import BadInput
from yuqing.runtime.context import Context, make_context
from yuqing.store import open_store

BrokerOpt = Annotated[str | None, typer.Option(
    "--broker", help="broker URL, e.g. amqp://user:password@host:5672// (also YUQING_BROKER_URL)")]


def broker_context(config: ConfigOpt, db: DbOpt, broker: str | None) -> Context:
    """Return the Context of a scale-out command once its database opens (migrated) and its
    broker answers; raises BadInput naming what is missing or cannot be reached (no broker,
    Celery missing, the database, the broker). The store itself is opened later, in the
    process that uses it (a worker's pool processes each open their own)."""
    ctx = make_context(config, db, broker=broker)
    producer = ctx.producer
    open_store(ctx.database_url).close()
    producer.check()
    return ctx


def worker(
    config: ConfigOpt = None,
    db: DbOpt = None,
    broker: BrokerOpt = None,
    queues: Annotated[str, typer.Option(
        help="comma-separated queues: yuqing.items (batches, pushes), yuqing.polls (polls)")
    ] = "yuqing.items,yuqing.polls",
    concurrency: Annotated[int, typer.Option(
        min=1, help="worker processes (1: this process; more: a pool, each with its pipeline)")
    ] = 1,
    loglevel: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING, ERROR")] = "WARNING",
) -> None:
    """Run a worker: batches and source polls from the broker through the pipeline, and the
    alert outbox; until stopped (SIGTERM or Ctrl-C finish the task in flight)."""
    with user_errors():
        from yuqing.runtime.celery_app import QUEUES, run_worker

        names = [q.strip() for q in queues.split(",") if q.strip()]
        unknown = sorted(set(names) - set(QUEUES))
        if unknown or not names:
            raise BadInput(f"--queues {queues!r}: known queues are {', '.join(QUEUES)}")
        ctx = broker_context(config, db, broker)
        err.print(f"worker on {', '.join(names)}, {concurrency} process(es)")
        code = run_worker(ctx, names, concurrency, loglevel.upper())
    raise typer.Exit(code)


def scheduler(config: ConfigOpt = None, db: DbOpt = None, broker: BrokerOpt = None) -> None:
    """Enqueue a poll of every due source (each polled by one worker at a time) until
    stopped; several schedulers may run (each poll is queued once)."""
    from yuqing.runtime.scaleout_polls import run_scheduler

    with user_errors():
        ctx = broker_context(config, db, broker)
        app = ctx.producer.app
        from yuqing.runtime.celery_app import POLL, QUEUE_POLLS

        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        sources = [s.name for s in ctx.config.sources if s.enabled]
        err.print(f"scheduler: {len(sources)} sources, polls to {QUEUE_POLLS}")
        total = run_scheduler(
            ctx, lambda name: app.send_task(POLL, args=[name], queue=QUEUE_POLLS), stop)
        ctx.close()
    err.print(f"已停止 stopped ({total} polls enqueued)")
