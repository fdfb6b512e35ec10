"""The in-process pipeline: raw items -> stages -> store -> alerts, one batch at a time.

One ``Pipeline`` per process holds the built stages, the store and the alert
dispatcher. ``process`` is the unit every runtime uses: the file importer,
the replay, the feed watcher and the HTTP push endpoint. Calls are
serialised with a lock, because the SQLite store has one writer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from yuqing.alerts.outbox import OutboxDispatcher, build_dispatcher
from yuqing.alerts.policy import AlertPolicy
from yuqing.alerts.rulebook import RuleBook
from yuqing.alerts.rules import MatchRule
from yuqing.config import Config
from yuqing.domain import BadInput, Item, RawItem, RejectedItem
from yuqing.pipeline.base import live
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import attach_event_store, opened_events
from yuqing.pipeline.normalize import Normalizer
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.stages import BuiltStages, build_stages
from yuqing.store import Store

#: how many of the items stored last warm the de-duplicator at start-up (a few seconds)
DEDUP_WARM_ITEMS = 50_000


@dataclass
class Rejection:
    """One refused input, as recorded in the store."""

    source: str
    origin: str
    reason: str
    detail: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Pipeline:
    """Runs batches of raw items through the stages, stores them, and alerts.

    ``config`` gives schemes, lexicons, rules and channels; ``store`` is an
    open Store. Construction builds every stage once (a stage without its
    model or lexicon is skipped and listed in ``skipped``), warms the
    de-duplicator from the last ``DEDUP_WARM_ITEMS`` stored items, and
    checks that every rule names a configured channel (BadInput otherwise).
    Alert rules come from the store (alerts/rulebook.py: the config's rules
    are seeded there, web edits win) and are reloaded before a batch when
    they changed.
    """

    def __init__(self, config: Config, store: Store, *, stages: BuiltStages | None = None,
                 dispatcher: OutboxDispatcher | None = None, alerts_enabled: bool = True) -> None:
        self.config = config
        self.store = store
        self.normalizer = Normalizer()
        self.built = stages if stages is not None else build_stages(config)
        self.rulebook = RuleBook(config, store) if alerts_enabled else None
        self.rules: list[MatchRule] = self.rulebook.rules if self.rulebook else []
        self.dispatcher = dispatcher or build_dispatcher(config, store, self.rules)
        self.policy = AlertPolicy(self.rules, config.web.base_url)
        self._lock = threading.Lock()
        self._warm_dedup()
        attach_event_store(self.built, store)

    @property
    def skipped(self) -> dict[str, str]:
        """Stages that could not start, with the reason (for the start-up report)."""
        return self.built.skipped

    def _warm_dedup(self) -> None:
        dedup = self.built.get("dedup")
        if isinstance(dedup, Deduplicator):
            dedup.seed(self.store.recent_fingerprints(DEDUP_WARM_ITEMS))

    def process(self, raws: Iterable[RawItem | BadInput]) -> Outcome:
        """Run one batch through the whole pipeline; returns its counts.

        Bad inputs and items a stage refuses are recorded as rejections with
        their reason, never dropped silently. Alerts go out for new items only.
        """
        with self._lock:
            outcome = Outcome()
            rejections: list[Rejection] = []
            items = self._normalize(raws, outcome, rejections)
            self._mark_updates(items)
            for stage in self.built.stages:
                stage.process(live(items))
            kept = self._collect(items, outcome, rejections)
            if kept:
                saved = self.store.save_items(kept)
                outcome.stored += saved.inserted
                outcome.updated += saved.updated
            if rejections:
                self.store.record_rejections([asdict(r) for r in rejections])
            outcome.alerts = self._alert(kept)
            return outcome

    def _normalize(self, raws: Iterable[RawItem | BadInput], outcome: Outcome,
                   rejections: list[Rejection]) -> list[Item]:
        items: list[Item] = []
        for raw in raws:
            outcome.read += 1
            if isinstance(raw, BadInput):
                self._reject(outcome, rejections, "", "bad_input", str(raw), raw.origin)
                continue
            try:
                items.append(self.normalizer.to_item(raw))
            except RejectedItem as exc:
                self._reject(outcome, rejections, raw.source, exc.reason, exc.detail, raw.origin)
        return items

    @staticmethod
    def _reject(outcome: Outcome, rejections: list[Rejection], source: str, reason: str,
                detail: str, origin: str = "") -> None:
        named = detail if detail.startswith(origin) else f"{origin}: {detail}"
        outcome.reject(reason, named)
        rejections.append(Rejection(source=source, origin=origin, reason=reason, detail=detail))

    def _mark_updates(self, items: list[Item]) -> None:
        existing = self.store.existing_keys([it.key for it in items])
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
        outcome.events += opened_events(self.built.stages)
        return kept

    def _alert(self, items: list[Item]) -> int:
        """Record the alerts of ``items`` in the outbox (one per story: alerts/policy.py) in
        one transaction, then hand them to the dispatcher (woken when it runs in the
        background, e.g. under the web server; else it delivers now). Returns alerts recorded."""
        self._refresh_rules()
        if not self.rules or not items:
            return 0
        if any(it.event_id for it in items):
            with self.store.read() as conn:
                self.policy.annotate(conn, items)
        found = [(rule, stories) for rule in self.rules if (stories := rule.stories(items))]
        if not found:
            return 0
        recorded = 0
        with self.store.write() as conn:
            for rule, stories in found:
                recorded += len(self.policy.record(conn, rule, stories, rule.clock()))
        if recorded:
            self.dispatcher.notify()
        return recorded

    def _refresh_rules(self) -> None:
        """Take the stored rules when they changed (a web edit); the dispatcher keeps
        knowing deleted rules, for the fallbacks and escalations of their alerts."""
        if self.rulebook is None or not self.rulebook.refresh():
            return
        self.rules = self.rulebook.rules
        self.policy = AlertPolicy(self.rules, self.config.web.base_url)
        self.dispatcher.rules = {**self.dispatcher.rules, **{r.name: r for r in self.rules}}
