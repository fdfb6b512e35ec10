"""One truth for many processes: the shared step of a batch (docs/SCALEOUT.md).

The shared stages (``Stage.shared``: de-duplication and events) keep in memory
what every process stored. :class:`SharedStep` runs the part of a batch that
decides from that memory (updates, duplicates, events, the store write, the alert
decision) in one write transaction that holds the store's shared-state lock
(store/scaleout.py); inside it the shared stages first catch up with the rows other
processes wrote since this one last looked (``items.rev`` above its watermark). So
two ``yuqing ingest`` at once, or N Celery workers, decide as one process would, and
a batch commits all of its decisions or none.

Batches a broker carries also have a *ticket*: their steps commit in ticket order,
so N workers fed the same batches reach exactly the state one process reaches. A
batch whose turn has not come gives up the lock, waits ``ORDER_POLL_S`` and looks
again. When the earliest open ticket is held by no live batch (its worker died and
its message waits in the broker for a free worker), a waiting worker hands its own
batch back to the broker after ``YIELD_AFTER_S`` (TurnNotCome), freeing its slot for
the earlier one; when that lasts ``ORDER_GRACE_S`` (the message was lost before it
ran) the others go on without it, and it commits out of order if it ever comes.

When a step fails (a stage raised, the connection dropped, the commit failed) the
memory may hold decisions that were rolled back: the next step rebuilds the shared
stages from the store under the lock (a warm restart, a few seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from yuqing.domain import Item, YuqingError
from yuqing.pipeline.base import Stage, StageState
from yuqing.store import Store, Transaction

T = TypeVar("T")

#: first wait before looking again whether a ticket's turn came (doubled up to 50 ms)
ORDER_POLL_S = 0.002
ORDER_POLL_MAX_S = 0.05
#: how long the earliest open ticket may be held by no live batch before others go on
ORDER_GRACE_S = 5.0
#: how long a worker's batch waits for such a ticket before it goes back to the broker
YIELD_AFTER_S = 0.5
#: the most rows of others prepared before the lock (a few batches of each other worker);
#: a larger backlog (a worker back from a long pause) is signed in the catch-up, in
#: chunks, so preparing never holds the band fingerprints of a whole backlog at once
PREPARE_STORED = 10_000


class SharedStep:
    """Runs the shared step of batches for one pipeline (module doc).

    ``stages`` is the pipeline's list of stages in order; its shared ones are replaced
    in place, by ``rebuild(name)`` (a fresh stage of that name), after a failed step.
    ``sleep`` is injectable for tests.
    """

    def __init__(self, store: Store, stages: list[Stage], rebuild: Callable[[str], Stage], *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.store = store
        self.stages = stages
        self.rebuild = rebuild
        self.sleep = sleep
        self.view = store.view()
        self.state = StageState(fingerprints=self.view.items, events=self.view.events)
        self._watermark: tuple[int, int] | None = None  # None: the memory must be rebuilt

    @property
    def shared(self) -> list[Stage]:
        """The shared stages, in pipeline order."""
        return [s for s in self.stages if s.shared]

    def open(self) -> None:
        """Open every stage on one consistent snapshot of the store (warm memory), and
        remember that snapshot's write position as the watermark."""
        with self.store.snapshot() as snap, self.view.using(snap):
            for stage in self.stages:
                stage.open(self.state)
            self._watermark = snap.shared.watermark()

    def prepare(self, items: list[Item]) -> None:
        """Let the shared stages do, before the lock, the text work of the batch ``items``
        and of the rows others wrote since the watermark as far as they are committed now
        (the step reads them again under the lock: rows committed meanwhile are caught up
        all the same)."""
        known = self._watermark
        stored = self.store.shared.changes_after(*known) if known is not None else []
        for stage in self.shared:
            stage.prepare(items, stored[:PREPARE_STORED])

    def run(self, work: Callable[[Transaction], T], ticket: int | None = None,
            record: Callable[[T], dict[str, Any]] | None = None,
            yield_after: float | None = None) -> T | None:
        """Return ``work(tx)`` run in a write transaction holding the shared-state lock,
        the shared stages caught up first; with a ``ticket``, once every earlier ticket
        committed or was given up, recording it done with ``record(result)`` (the batch's
        counts), and None (nothing run) when ``ticket`` committed before.

        While it waits its turn and the earliest open ticket is held by no live batch,
        it raises TurnNotCome after ``yield_after`` seconds of that (None: it waits on),
        so a worker can give its slot to the lost batch. Raises what ``work`` or the
        database raises (the memory is then rebuilt at the next step)."""
        pause = ORDER_POLL_S
        while True:
            with self.store.transaction() as tx:
                tx.shared.lock()
                verdict = "go"
                if ticket is not None:
                    verdict, head = tx.shared.turn(ticket)
                    if verdict == "wait":
                        self._wait(tx, head, yield_after)
                if verdict == "go":
                    known, self._watermark = self._watermark, None  # valid again once committed
                    result, after = self._locked(tx, work, known, ticket, record)
            if verdict == "go":
                self._watermark = after
                return result
            if verdict == "done":
                return None
            self.sleep(pause)  # the transaction ended: the lock is free while we wait
            pause = min(pause * 2, ORDER_POLL_MAX_S)

    @staticmethod
    def _wait(tx: Transaction, head: int, yield_after: float | None) -> None:
        """Give up the earliest open ticket ``head`` when no live batch held it for
        ORDER_GRACE_S; raise TurnNotCome after ``yield_after`` s of that."""
        stalled = tx.shared.stalled_for(tx.shared.ticket_held(head), datetime.now(UTC))
        if stalled >= ORDER_GRACE_S:
            tx.shared.give_up(head)
        elif yield_after is not None and stalled >= yield_after:
            raise TurnNotCome(f"ticket {head} is held by no live batch")

    def _locked(self, tx: Transaction, work: Callable[[Transaction], T],
                known: tuple[int, int] | None, ticket: int | None,
                record: Callable[[T], dict[str, Any]] | None) -> tuple[T, tuple[int, int]]:
        """Catch up from the watermark ``known`` (rebuild when None), run ``work``, record
        the ticket; return the result and the watermark after it (the caller commits)."""
        with self.view.using(tx):
            if known is None:
                self._rebuild()
            else:
                changes = tx.shared.changes_after(*known)
                if changes:
                    for stage in self.shared:
                        stage.catch_up(changes)
            result = work(tx)
            if ticket is not None:
                tx.shared.finish(ticket, datetime.now(UTC), record(result) if record else None)
            return result, tx.shared.watermark()

    def _rebuild(self) -> None:
        """Replace every shared stage by a fresh one, opened through the view (on the
        step's transaction, under the lock)."""
        for i, stage in enumerate(self.stages):
            if stage.shared:
                stage.close()
                self.stages[i] = self.rebuild(stage.name)
                self.stages[i].open(self.state)


class TurnNotCome(YuqingError):
    """A batch waited for an earlier ticket that no live batch holds (its message waits
    for a free worker): the caller should hand the batch back to the broker."""
