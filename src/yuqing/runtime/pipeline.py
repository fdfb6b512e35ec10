"""The in-process pipeline: raw items -> stages -> store -> alerts, one batch at a time.

One ``Pipeline`` per process holds the built stages, the store and the alert
dispatcher. ``process`` is the unit every runtime uses: the file importer,
the replay, the feed watcher, the HTTP push endpoint and the Celery worker. Calls
are serialised with a lock, because the SQLite store has one writer; calls that
arrive while a batch runs are merged into the next batch (group commit, see
``Pipeline.process``), so many small pushes cost one pass of each stage and
one store transaction instead of one each.

A batch runs in two parts: the stages that need nothing but the batch (normalise,
segment, sentiment, ...) and the shared stages' text work (``prepare``: signatures,
terms) in this process alone, then the *shared step*
(runtime/scaleout.py): updates, the shared stages (de-duplication, events), the
store write and the alert decision, in one transaction under the store's
shared-state lock, so that many processes on one database decide as one.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

from yuqing.alerts.channels.registry import build_channels
from yuqing.alerts.outbox import OutboxDispatcher, build_dispatcher
from yuqing.alerts.policy import AlertPolicy
from yuqing.alerts.rulebook import RuleBook
from yuqing.alerts.rules import MatchRule
from yuqing.config import Config
from yuqing.domain import BadInput, Item, RawItem, RejectedItem
from yuqing.pipeline.base import Stage, live
from yuqing.pipeline.event_subject import SubjectWords
from yuqing.pipeline.events import EventClusterer, event_id_for
from yuqing.pipeline.normalize import Normalizer, change_notes
from yuqing.runtime.live_settings import LiveSettings
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.registries import Registries
from yuqing.runtime.scaleout import SharedStep
from yuqing.runtime.stages import BuiltStages, build_stages
from yuqing.store import Store, Transaction

if TYPE_CHECKING:
    from yuqing.assist.writer import BackgroundSummaries

#: the most items of waiting calls merged into one batch (one large call always runs whole)
MAX_MERGED_ITEMS = 2_000
#: the stages rebuilt when a new settings version changes their config section
LIVE_STAGES = {"schemes": "schemes", "sensitive": "lexicons"}


@dataclass
class Rejection:
    """One refused input, as recorded in the store."""

    source: str
    origin: str
    reason: str
    detail: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class _Call:
    """One waiting ``Pipeline.process``/``submit`` call: its input, then its outcome or
    error (also set on ``future`` for ``submit``)."""

    raws: list[RawItem | BadInput]
    outcome: Outcome | None = None
    error: BaseException | None = None
    future: Future[Outcome] | None = None

    @property
    def done(self) -> bool:
        return self.outcome is not None or self.error is not None

    def finish(self, outcome: Outcome | None, error: BaseException | None) -> None:
        """Store the result (and hand it to the future of a ``submit`` call)."""
        self.outcome, self.error = outcome, error
        if self.future is not None:
            if error is not None:
                self.future.set_exception(error)
            else:
                self.future.set_result(outcome)  # type: ignore[arg-type]


def _sum(outcomes: list[Outcome]) -> Outcome:
    """Return one Outcome holding the counts of all ``outcomes``."""
    total = Outcome()
    for outcome in outcomes:
        total.add(outcome)
    return total


def split_total(total: int, shares: list[int]) -> list[int]:
    """Return ``shares`` with ``total - sum(shares)`` added to the last one (kept >= 0):
    per-call counts of a merged batch that agree with the batch's own total."""
    out = list(shares)
    if out:
        out[-1] = max(0, out[-1] + total - sum(out))
    return out


def one_blas_thread() -> None:
    """Make the BLAS libraries loaded so far (numpy's and scipy's OpenBLAS) use one thread,
    for the rest of the process.

    The stages make many small matrix products (the sentiment CNN's per-batch word table
    and output layer); with OpenBLAS's default of one thread per core, its idle threads
    spin on every product, and pushes of one item each cost about 16 ms of CPU instead of
    6 ms on the 2-core benchmark machine (measured: Pipeline.process with batches of 2
    items, OPENBLAS_NUM_THREADS unset vs 1), starving the web server's event loop. The
    pipeline runs batches in one thread anyway. Called once the stages (and so numpy,
    scipy and scikit-learn) are loaded.
    """
    threadpool_limits(limits=1, user_api="blas")


def settle_heap() -> None:
    """Move every object alive now (the stages' lexicon automata, model weights, IDF and
    place tables, warmed de-duplication and event state) out of the cyclic garbage
    collector's reach, for the rest of the process.

    They live as long as the process, yet every full collection walked them again: on
    the 2-core benchmark machine the collector's passes, triggered by the many small
    objects a batch makes, doubled the time of the dedup and keywords stages
    (benchmarks/pipeline.py, 4,000 sentiment3 posts on one core, per-stage times with and
    without). ``gc.collect()`` first, so no garbage is frozen with them; frozen objects are
    still freed when their last reference goes (Python's gc.freeze documentation).
    """
    gc.collect()
    gc.freeze()


def background_summaries(config: Config, store: Store) -> BackgroundSummaries | None:
    """Return the background writer of event summaries when ``[llm]`` is set, else None
    (then nothing of assist/ is imported and nothing is sent anywhere)."""
    if config.llm is None:
        return None
    from yuqing.assist.writer import BackgroundSummaries, EventSummaries

    return BackgroundSummaries(EventSummaries(config, store))


class Pipeline:
    """Runs batches of raw items through the stages, stores them, and alerts.

    ``config`` gives schemes, lexicons, rules and channels; ``store`` is an open Store;
    ``registries`` the stages and channel kinds (runtime/registries.py). Construction
    builds every stage once (a stage without its model or lexicon is skipped and listed
    in ``skipped``), warms the stages through their ``open`` hook on one snapshot of the
    store (the de-duplicator remembers recent items), and checks that every rule names a
    configured channel
    (BadInput otherwise). Alert rules come from the store (alerts/rulebook.py: the
    config's rules are seeded there, web edits win) and are reloaded before a batch when
    they changed. With ``live`` (runtime/live_settings.py), a new settings version is
    taken before a batch (:meth:`reconfigure`).
    """

    def __init__(self, config: Config, store: Store, *, registries: Registries,
                 stages: BuiltStages | None = None, dispatcher: OutboxDispatcher | None = None,
                 alerts_enabled: bool = True, live: LiveSettings | None = None) -> None:
        self.config = config
        self.live = live
        self._settings_version = live.version if live is not None else 0
        self.store = store
        self.normalizer = Normalizer()
        self._registries = registries
        self.built = stages if stages is not None else build_stages(config, registries.stages)
        self.rulebook = RuleBook(config, store) if alerts_enabled else None
        self.rules: list[MatchRule] = self.rulebook.rules if self.rulebook else []
        self.dispatcher = dispatcher or build_dispatcher(config, store, self.rules,
                                                         registries.channels)
        self.policy = AlertPolicy(self.rules, config.web.base_url)
        self.summaries = background_summaries(config, store)
        self._lock = threading.Lock()
        self._waiting: list[_Call] = []
        self._waiting_lock = threading.Lock()
        self._drainer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yuqing-pipeline")
        self.shared = SharedStep(store, self.built.stages, self._fresh_stage)
        self.shared.open()
        one_blas_thread()
        settle_heap()

    def close(self) -> None:
        """Run every stage's ``close`` hook and write the queued event summaries (the
        process is shutting down)."""
        for stage in self.built.stages:
            stage.close()
        if self.summaries is not None:
            self.summaries.close()

    def _fresh_stage(self, name: str) -> Stage:
        """Return a new stage ``name`` built from the config (to rebuild a shared stage)."""
        return build_stages(self.config, self._registries.stages, order=(name,)).stages[0]

    @property
    def skipped(self) -> dict[str, str]:
        """Stages that could not start, with the reason (for the start-up report)."""
        return self.built.skipped

    def process(self, raws: Iterable[RawItem | BadInput]) -> Outcome:
        """Run one batch through the whole pipeline; returns its counts.

        Bad inputs and items a stage refuses are recorded as rejections with
        their reason, never dropped silently. Alerts go out for new items only.

        Group commit: calls made while another batch runs wait for the lock;
        the first of them to get it runs every waiting call (in arrival order,
        up to MAX_MERGED_ITEMS items) as one batch and gives each call its own
        Outcome; the others find theirs done. A lone call runs at once, so
        merging never delays anything. An exception of a merged batch is
        raised in every call of it.
        """
        mine = _Call(list(raws))
        with self._waiting_lock:
            self._waiting.append(mine)
        with self._lock:
            while not mine.done:
                self._run_calls(self._take_waiting())
        if mine.error is not None:
            raise mine.error
        assert mine.outcome is not None
        return mine.outcome

    def process_ticket(self, raws: Iterable[RawItem | BadInput], ticket: int,
                       yield_after: float | None = None) -> Outcome | None:
        """Run one batch that a broker carried under ``ticket`` (store/scaleout.py): its
        shared step commits after those of every earlier ticket; returns its counts, or
        None when the batch committed before (a second delivery). Never merged. Raises
        TurnNotCome (runtime/scaleout.py) as ``SharedStep.run`` does for ``yield_after``."""
        with self._lock:
            done = self._process_batches([list(raws)], ticket, yield_after)
        return None if done is None else done[0]

    def fail_ticket(self, raws: Iterable[RawItem | BadInput], ticket: int, error: str) -> Outcome:
        """Record every input of the batch ``ticket``, which failed for good (``error``), as
        a rejection (reason ``failed``) and the ticket as committed, so the batches after
        it go on and nothing is lost unseen; returns the batch's counts."""
        outcome = Outcome()
        rejections: list[Rejection] = []
        for raw in raws:
            outcome.read += 1
            source = raw.source if isinstance(raw, RawItem) else ""
            self._reject(outcome, rejections, source, "failed",
                         f"processing failed: {error}", raw.origin)

        def record(tx: Transaction) -> Outcome:
            tx.sources.record_rejections([asdict(r) for r in rejections])
            return outcome

        with self._lock:
            self.shared.run(record, ticket, Outcome.as_dict)
        return outcome

    def submit(self, raws: Iterable[RawItem | BadInput]) -> Future[Outcome]:
        """Queue one batch and return the future of its Outcome (or exception), for callers
        that must not hold a thread while they wait (the HTTP push endpoint awaits it).

        A single pipeline thread runs everything waiting as merged batches (see
        ``process``), so however many pushes arrive at once, none waits for a
        free worker thread and they all share the next batch.
        """
        call = _Call(list(raws), future=Future())
        with self._waiting_lock:
            self._waiting.append(call)
        self._drainer.submit(self._drain)
        return call.future  # type: ignore[return-value]

    def _drain(self) -> None:
        """Run every waiting call, in merged batches, until none waits."""
        with self._lock:
            while calls := self._take_waiting():
                self._run_calls(calls)

    def _take_waiting(self) -> list[_Call]:
        """Remove and return the oldest waiting calls, up to MAX_MERGED_ITEMS items (at least
        one call; none when none waits)."""
        with self._waiting_lock:
            n, size = 0, 0
            while n < len(self._waiting) and (n == 0 or size + len(self._waiting[n].raws)
                                              <= MAX_MERGED_ITEMS):
                size += len(self._waiting[n].raws)
                n += 1
            taken, self._waiting = self._waiting[:n], self._waiting[n:]
        return taken

    def _run_calls(self, calls: list[_Call]) -> None:
        """Run ``calls`` as one batch and store each call's outcome (or the error in all)."""
        try:
            outcomes = self._process_batches([c.raws for c in calls])
        except BaseException as exc:  # handed to every waiting caller, raised there
            for c in calls:
                c.finish(None, exc)
            return
        for c, outcome in zip(calls, outcomes or [], strict=True):  # no ticket: never None
            c.finish(outcome, None)

    def _process_batches(self, batches: Sequence[list[RawItem | BadInput]],
                         ticket: int | None = None,
                         yield_after: float | None = None) -> list[Outcome] | None:
        """Run ``batches`` through the stages and the store as one batch; return one Outcome
        per batch, or None when ``ticket`` committed before (the caller holds the lock)."""
        outcomes = [Outcome() for _ in batches]
        rejections: list[Rejection] = []
        parts = [
            self._normalize(raws, o, rejections) for raws, o in zip(batches, outcomes, strict=True)
        ]
        items = [it for part in parts for it in part]
        self._refresh_settings()
        for stage in self.built.stages:
            if not stage.shared:
                stage.process(live(items))
        self.shared.prepare(live(items))
        self._refresh_rules()
        alerts = self.shared.run(lambda tx: self._decide(tx, parts, outcomes, rejections), ticket,
                                 lambda _: _sum(outcomes).as_dict(), yield_after)
        if alerts is None:
            return None
        if alerts:
            self.dispatcher.notify()
        if self.summaries is not None:  # after the alerts, in the background: never delays one
            self.summaries.note(it.event_id for part in parts for it in part
                                if it.event_id and it.rejected is None)
        return outcomes

    def _decide(self, tx: Transaction, parts: list[list[Item]], outcomes: list[Outcome],
                rejections: list[Rejection]) -> int:
        """The shared step of a batch (runtime/scaleout.py): mark updates, run the shared
        stages, store the items and rejections, record the alerts, all in ``tx``; count
        into ``outcomes``; return the alerts recorded."""
        items = [it for part in parts for it in part]
        self._mark_updates(tx, items)
        for stage in self.shared.shared:
            stage.process(live(items))
        kept = [self._collect(part, o, rejections) for part, o in zip(parts, outcomes, strict=True)]
        opened = split_total(sum(s.stats().get("opened_events", 0) for s in self.shared.shared),
                             [sum(not it.is_update and it.event_id == event_id_for(it.key)
                                  for it in part) for part in kept])
        for outcome, n in zip(outcomes, opened, strict=True):
            outcome.events += n
        everything = [it for part in kept for it in part]
        if everything:
            saved = tx.items.save(everything)
            new = split_total(saved.inserted, [sum(not it.is_update for it in part)
                                               for part in kept])
            for outcome, part, n in zip(outcomes, kept, new, strict=True):
                outcome.stored += n
                outcome.updated += len({it.key for it in part if it.is_update}
                                       & saved.updated_keys)
        if rejections:
            tx.sources.record_rejections([asdict(r) for r in rejections])
        counts = self._alert(tx, kept)
        for outcome, n in zip(outcomes, counts, strict=True):
            outcome.alerts = n
        return sum(counts)

    def _normalize(self, raws: Iterable[RawItem | BadInput], outcome: Outcome,
                   rejections: list[Rejection]) -> list[Item]:
        items: list[Item] = []
        for raw in raws:
            outcome.read += 1
            if isinstance(raw, BadInput):
                self._reject(outcome, rejections, raw.source, "bad_input", str(raw), raw.origin)
                continue
            try:
                item = self.normalizer.to_item(raw)
            except RejectedItem as exc:
                self._reject(outcome, rejections, raw.source, exc.reason, exc.detail, raw.origin)
                continue
            items.append(item)
            for flag, message in change_notes(raw, item):
                outcome.note(flag, f"{item.origin}: {message}")
        return items

    @staticmethod
    def _reject(outcome: Outcome, rejections: list[Rejection], source: str, reason: str,
                detail: str, origin: str = "") -> None:
        named = detail if detail.startswith(origin) else f"{origin}: {detail}"
        outcome.reject(reason, named)
        rejections.append(Rejection(source=source, origin=origin, reason=reason, detail=detail))

    @staticmethod
    def _mark_updates(tx: Transaction, items: list[Item]) -> None:
        existing = tx.items.existing_keys([it.key for it in items])
        seen: set[str] = set()
        for it in items:
            if it.key in existing or it.key in seen:
                it.is_update = True
            seen.add(it.key)

    def _collect(self, items: list[Item], outcome: Outcome,
                 rejections: list[Rejection]) -> list[Item]:
        kept: list[Item] = []
        for it in items:
            if it.rejected is not None:
                self._reject(outcome, rejections, it.source, it.rejected,
                             f"refused by a pipeline stage ({it.rejected})", it.origin)
                continue
            kept.append(it)
            if it.is_update:
                continue
            outcome.duplicates += it.duplicate_of is not None
            outcome.matched += bool(it.schemes)
            outcome.negative += it.is_negative
            outcome.sensitive += it.is_sensitive
        return kept

    def _alert(self, tx: Transaction, groups: list[list[Item]]) -> list[int]:
        """Record the alerts of each group of items (one group per merged call) in the
        outbox (one per story: alerts/policy.py) in ``tx``; the caller then hands them to
        the dispatcher (woken when it runs in the background, e.g. under the web server;
        else it delivers now). Returns the alerts recorded per group."""
        counts = [0] * len(groups)
        items = [it for group in groups for it in group]
        if not self.rules or not items:
            return counts
        if any(it.event_id for it in items):
            self.policy.annotate(tx, items)
        for k, group in enumerate(groups):
            for rule in self.rules if group else ():
                stories = rule.stories(group)
                if stories:
                    counts[k] += len(self.policy.record(tx, rule, stories, rule.clock()))
        return counts

    def _refresh_settings(self) -> None:
        """Take the settings version in force when this pipeline runs another (the caller
        holds the lock)."""
        if self.live is None:
            return
        self.live.refresh()
        if self.live.version != self._settings_version:
            self._settings_version = self.live.version
            self.reconfigure(self.live.config)

    def reconfigure(self, config: Config) -> None:
        """Run ``config`` from the next batch on: rebuild the stages of LIVE_STAGES whose
        section changed, give the events stage the office's subject words of changed
        schemes (pipeline/event_subject.py), rebuild the alert channels, and the rules'
        view of schemes and channels.
        The caller holds the pipeline's lock (or no batch runs). Raises BadInput as
        build_stages and build_channels do (the config was checked before)."""
        old, self.config = self.config, config
        changed = tuple(name for name, section in LIVE_STAGES.items()
                        if getattr(old, section) != getattr(config, section))
        if changed:
            fresh = build_stages(config, self._registries.stages, order=changed)
            kept = {s.name: s for s in self.built.stages if s.name not in changed}
            kept |= {s.name: s for s in fresh.stages}
            for name in changed:
                self.built.skipped.pop(name, None)
            self.built.skipped |= fresh.skipped
            self.built.stages[:] = [kept[n] for n in config.pipeline.stage_order() if n in kept]
        if old.schemes != config.schemes:
            for stage in self.built.stages:
                if isinstance(stage, EventClusterer):
                    stage.subject = SubjectWords.of_schemes(config.schemes)
        if old.alerts.channels != config.alerts.channels:
            self.dispatcher.channels = build_channels(config.alerts.channels,
                                                      self._registries.channels)
        if self.rulebook is not None:
            self.rulebook.retarget(config)
            self._take_rules()

    def _refresh_rules(self) -> None:
        """Take the stored rules when they changed (a web edit); the dispatcher keeps
        knowing deleted rules, for the fallbacks and escalations of their alerts."""
        if self.rulebook is None or not self.rulebook.refresh():
            return
        self._take_rules()

    def _take_rules(self) -> None:
        """Run the rulebook's rules from now on."""
        assert self.rulebook is not None
        self.rules = self.rulebook.rules
        self.policy = AlertPolicy(self.rules, self.config.web.base_url)
        self.dispatcher.rules = {**self.dispatcher.rules, **{r.name: r for r in self.rules}}
