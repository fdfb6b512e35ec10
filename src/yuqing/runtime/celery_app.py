"""The Celery app of the scale-out mode: its settings, tasks, worker, and the producer side.

Tasks (JSON messages, late acknowledgement, docs/SCALEOUT.md):

- ``yuqing.process(batch, ticket)`` on queue ``yuqing.items``: one batch of raw items
  (pushes, ``yuqing ingest``) through the pipeline (:func:`process_batch`); the shared
  step commits in ticket order and a ticket already committed does nothing (a second
  delivery). A failure is tried again in the worker, after ``RETRY_DELAYS``; then every
  input of the batch is recorded as a rejection (reason ``failed``), never dropped
  unseen.
- ``yuqing.poll(source)`` on queue ``yuqing.polls``: one poll of one configured source
  under its lease (runtime/scaleout_polls.py), enqueued by ``yuqing scheduler``.

``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged after
its task ran, and requeued when the worker process dies in the middle; with one
message reserved per worker process (``worker_prefetch_multiplier`` 1) a dead worker
takes nothing else with it. Publishing waits for the broker's confirmation, so a
push answered 202 is in the broker. Celery is an optional dependency (the ``scale``
extra): this module is imported only when a broker is configured.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from celery import Celery
from celery.exceptions import Reject
from celery.signals import worker_process_init, worker_process_shutdown

from yuqing.domain import BadInput, RawItem, YuqingError
from yuqing.runtime.context import Context
from yuqing.runtime.ingest import BATCH_SIZE, batched
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.scaleout import YIELD_AFTER_S, TurnNotCome
from yuqing.runtime.scaleout_polls import poll_source

log = logging.getLogger(__name__)

PROCESS = "yuqing.process"
POLL = "yuqing.poll"
QUEUE_ITEMS = "yuqing.items"
QUEUE_POLLS = "yuqing.polls"
QUEUES = (QUEUE_ITEMS, QUEUE_POLLS)
#: seconds before each new try of a failed batch (about 2 min: a database restart is over)
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)
#: how often a producer looks whether its batches committed, and tells that it waits
WAIT_POLL_S = 0.2
WAIT_NOTICE_S = 30.0

SETTINGS: dict[str, Any] = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "task_serializer": "json",
    "accept_content": ["json"],
    "task_ignore_result": True,
    "task_default_queue": QUEUE_ITEMS,
    "task_routes": {POLL: {"queue": QUEUE_POLLS}},
    "broker_transport_options": {"confirm_publish": True},
    "broker_connection_retry_on_startup": True,
    "worker_hijack_root_logger": False,
    "worker_redirect_stdouts": False,
    # building a pool process's pipeline (models, warm-up) takes seconds
    "worker_proc_alive_timeout": 300.0,
}


def make_celery(ctx: Context) -> Celery:
    """Return a Celery app on ``ctx.broker_url`` with the tasks of the module doc bound to
    ``ctx`` (its pipeline is built on first use, in the process that runs the task)."""
    app = Celery("yuqing", broker=ctx.broker_url, set_as_current=False)
    app.conf.update(SETTINGS)

    @app.task(name=PROCESS)  # type: ignore[untyped-decorator]
    def process(batch: list[dict[str, Any]], ticket: int) -> dict[str, Any] | None:
        return process_batch(ctx, [raw_from_wire(r) for r in batch], ticket)

    @app.task(name=POLL)  # type: ignore[untyped-decorator]
    def poll(name: str) -> dict[str, Any]:
        return poll_source(ctx, name, holder=node_name()).as_dict()

    del process, poll  # registered on the app by the decorator
    return app


def process_batch(ctx: Context, raws: list[RawItem | BadInput], ticket: int,
                  sleep: Callable[[float], None] = time.sleep) -> dict[str, Any] | None:
    """Run the batch ``ticket`` through ``ctx``'s pipeline while holding its ticket; return
    its counts (None: it committed before). A failure (the database away, a connection
    dropped) is tried again in this process, holding the ticket, after RETRY_DELAYS; then
    every input is recorded as a rejection (reason ``failed``), or, when even that cannot
    be written, the batch goes back to the broker (nothing acknowledged is lost). A batch
    whose turn waits for a batch no live worker holds goes back to the broker (Reject,
    requeued), freeing this worker for that batch."""
    tries = 0
    while True:
        try:
            with ctx.store.shared.hold_ticket(ticket):
                outcome = ctx.pipeline.process_ticket(raws, ticket, yield_after=YIELD_AFTER_S)
            return None if outcome is None else outcome.as_dict()
        except TurnNotCome:
            raise Reject("an earlier batch waits for a worker", requeue=True) from None
        except Exception as exc:
            if tries == len(RETRY_DELAYS):
                log.error("batch %s failed for good (%r): its inputs are recorded as rejected",
                          ticket, exc)
                try:
                    return ctx.pipeline.fail_ticket(raws, ticket, repr(exc)).as_dict()
                except Exception as lost:  # noqa: BLE001 - the store is away: keep the batch
                    log.error("batch %s could not be recorded (%r): back to the broker",
                              ticket, lost)
                    raise Reject("the store cannot record the batch", requeue=True) from None
            log.warning("batch %s failed (%r); trying again in %.1f s", ticket, exc,
                        RETRY_DELAYS[tries])
            sleep(RETRY_DELAYS[tries])
            tries += 1


def node_name() -> str:
    """Return this process's worker name: ``yuqing-<pid>@<host>``."""
    return f"yuqing-{os.getpid()}@{socket.gethostname()}"


# ----- the wire format of raw items --------------------------------------------------------


def raw_to_wire(raw: RawItem | BadInput) -> dict[str, Any]:
    """Return ``raw`` as a JSON object: its fields (a datetime as ``{"$dt": iso}``), or
    ``{"$bad": message}`` for an input already refused."""
    if isinstance(raw, BadInput):
        return {"$bad": str(raw)}
    out: dict[str, Any] = {}
    for f in fields(raw):
        value = getattr(raw, f.name)
        out[f.name] = {"$dt": value.isoformat()} if isinstance(value, datetime) else value
    return out


def raw_from_wire(doc: dict[str, Any]) -> RawItem | BadInput:
    """Return the RawItem (or BadInput) that :func:`raw_to_wire` gave ``doc``."""
    if "$bad" in doc:
        return BadInput(doc["$bad"])
    values: dict[str, Any] = {
        k: datetime.fromisoformat(v["$dt"]) if isinstance(v, dict) and "$dt" in v else v
        for k, v in doc.items()}
    return RawItem(**values)


# ----- the producer side -------------------------------------------------------------------


class BrokerUnavailable(BadInput):
    """The broker cannot be reached or refused us; the message names it (password masked)."""

    def __init__(self, broker: str, exc: BaseException) -> None:
        super().__init__(f"broker {broker}: cannot use it ({type(exc).__name__}: {exc})")


class Producer:
    """Enqueues batches of raw items for the workers, each with a ticket, and waits for
    what they did (the counts each batch recorded with its ticket)."""

    def __init__(self, ctx: Context, app: Celery | None = None) -> None:
        self.ctx = ctx
        self.app = app or make_celery(ctx)

    def check(self) -> None:
        """Connect to the broker once (a few tries); raises BrokerUnavailable naming it (the
        password masked) when it cannot be reached or refuses the login or virtual host."""
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
        except Exception as exc:  # noqa: BLE001 - kombu raises the transport's own errors
            raise BrokerUnavailable(self.broker(), exc) from None

    def broker(self) -> str:
        """The broker's URL as messages show it (password masked)."""
        return str(self.app.connection_for_write().as_uri())

    def enqueue(self, raws: Sequence[RawItem | BadInput]) -> int:
        """Publish one batch; return its ticket (the broker confirmed the message). Raises
        BrokerUnavailable when the broker cannot take it."""
        ticket = self.ctx.store.shared.issue_ticket()
        try:
            self.app.send_task(PROCESS, args=[[raw_to_wire(r) for r in raws], ticket],
                               queue=QUEUE_ITEMS)
        except Exception as exc:  # noqa: BLE001 - kombu raises the transport's own errors
            # the ticket stays unused: the batches after it go on once it is given up
            raise BrokerUnavailable(self.broker(), exc) from None
        return ticket

    def stream(self, raws: Iterable[RawItem | BadInput], *, batch_size: int = BATCH_SIZE,
               progress: Callable[[int], None] | None = None) -> Outcome:
        """Enqueue ``raws`` in batches of ``batch_size`` and return their summed counts once
        the workers committed them all (``progress`` as in :meth:`wait`)."""
        tickets = [self.enqueue(batch) for batch in batched(raws, batch_size)]
        return self.wait(tickets, progress=progress)

    def wait(self, tickets: Iterable[int], *, timeout: float | None = None,
             progress: Callable[[int], None] | None = None,
             sleep: Callable[[float], None] = time.sleep) -> Outcome:
        """Return the summed counts of the batches ``tickets`` once all committed;
        ``progress(n)`` after each with its n inputs. Logs a notice every WAIT_NOTICE_S s
        while some wait; raises YuqingError after ``timeout`` s (None: no limit)."""
        pending, total = set(tickets), Outcome()
        start = last = time.monotonic()
        while pending:
            for ticket, doc in self.ctx.store.shared.outcomes(pending).items():
                pending.discard(ticket)
                done = Outcome.from_dict(doc) if doc else Outcome()
                total.add(done)
                if progress is not None:
                    progress(done.read)
            if not pending:
                break
            now = time.monotonic()
            if timeout is not None and now - start > timeout:
                raise YuqingError(f"{len(pending)} batches not processed after {timeout:.0f} s: "
                                  "is a `yuqing worker` running on this broker?")
            if now - last > WAIT_NOTICE_S:
                log.warning("waiting for the workers: %d batches not processed yet",
                            len(pending))
                last = now
            sleep(WAIT_POLL_S)
        return total


# ----- the worker ----------------------------------------------------------------------------


def _start_process(ctx: Context) -> None:
    """Build this pool process's pipeline (stages, warm memory) and start its outbox
    dispatcher: alerts recorded on any worker are delivered from every worker (the
    outbox's leases make each delivery one dispatcher's)."""
    ctx.pipeline.dispatcher.start()


def _stop_process(ctx: Context) -> None:
    """Stop this pool process's dispatcher and close its store."""
    if "pipeline" in ctx.__dict__:
        ctx.pipeline.dispatcher.stop()
    ctx.close()


def run_worker(ctx: Context, queues: Sequence[str], concurrency: int,
               loglevel: str = "WARNING") -> int:
    """Run a Celery worker consuming ``queues`` with ``concurrency`` pool processes, each
    building its own pipeline, until it is stopped (SIGTERM/SIGINT: the tasks in flight
    finish); return its exit code.

    Always the ``prefork`` pool, one process too: with the ``solo`` pool (the task runs
    in the process that reads the broker's socket) a worker measured here on RabbitMQ
    sat idle about 10 s after every few tasks with messages ready (32 batches: 36-57 s
    instead of 3 s), and a pool process killed in the middle of a batch is seen by the
    parent, which requeues the message (``task_reject_on_worker_lost``)."""
    app = ctx.producer.app
    worker_process_init.connect(lambda **_: _start_process(ctx), weak=False)
    worker_process_shutdown.connect(lambda **_: _stop_process(ctx), weak=False)
    worker = app.Worker(queues=list(queues), concurrency=concurrency, pool="prefork",
                        loglevel=loglevel, hostname=node_name(), without_mingle=True,
                        without_gossip=True, without_heartbeat=True, quiet=True)
    worker.start()
    return int(worker.exitcode or 0)
