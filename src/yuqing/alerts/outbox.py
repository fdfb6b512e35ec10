"""The outbox dispatcher: sends what the outbox holds, once, with retries, from any process.

Alerts reach the outbox (store/alerts.py) before anything is sent. An
:class:`OutboxDispatcher` repeatedly

1. queues due escalation steps (unacknowledged alerts, alert_state.py);
2. claims pending deliveries with a lease (exclusive across dispatchers:
   store.alerts.claim_deliveries);
3. sends them, one ``send`` per channel, channels in parallel; an attempt
   row is committed just before each request and settled right after it
   (channels with ``announces_sends``; for the others, before and after the
   whole call), so every attempt is recorded;
4. records every outcome: ``sent``; a retryable failure is held for the
   next backoff step (``backoff[n-1]`` seconds after the n-th attempt, the
   last value repeating) until ``max_attempts``; a configuration error
   (wrong keyword, 4xx, unknown channel) fails at once; a delivery that
   failed for good queues the next channel of the rule's ``fallback`` chain.
   A message held back by the channel's OWN rate limit (DeliveryResult.deferred)
   is not an attempt: no attempt row (unless some parts went out first: then
   it is closed as ``deferred``), no backoff, the retry budget untouched; the
   delivery waits until the limit allows it. The parts of a split robot
   message the receiver accepted are recorded (deliveries.parts_sent), so a
   retry by any dispatcher sends only the rest.

Crash safety (kill -9 at any point): a claim whose owner died expires with
its lease; its unfinished attempt is closed as ``interrupted``. A channel that
passes an idempotency key to the receiver (``idempotent = True``: webhook,
client stream) is then sent again with the same key, which the receiver
deduplicates; any other channel (robots, SMS, e-mail) is NOT sent again
(the message may have gone out; a second one is what we promised never to
do) and the delivery is marked failed with a note saying so, unless the
channel sets ``resend_interrupted``. Everything recorded before the crash
is sent exactly once after the restart, including alerts recorded while no
dispatcher ran (docs/FIELD_CASES.md F15).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from yuqing.alerts.ack import AckSigner, store_signer
from yuqing.alerts.channels import ChannelFactory, build_channels
from yuqing.alerts.channels.base import Channel, DeliveryResult
from yuqing.alerts.dispatcher import check_rule_channels, send_safely
from yuqing.alerts.policy import quiet_hold
from yuqing.alerts.render import messages
from yuqing.alerts.rules import MatchRule
from yuqing.config import Config
from yuqing.domain import Alert
from yuqing.plugins import Registry
from yuqing.store import Store, Transaction
from yuqing.store.alerts import Claimed

log = logging.getLogger(__name__)

INTERRUPTED = ("interrupted mid-send (the dispatcher died); the message may have been "
               "delivered, so it is not sent again (set resend_interrupted on the channel "
               "to send it anyway)")


@dataclass
class SimpleRule:
    """A rule name and every channel it may send to (for check_rule_channels)."""

    name: str
    channels: list[str]


@dataclass(frozen=True)
class Resent:
    """What :meth:`OutboxDispatcher.resend` did with one alert: the ``channels`` whose
    failed deliveries it sent again and ``deliveries`` (every delivery of the alert after
    the send: ``{"channel", "status", "attempts", "last_error"}``), or ``refused``, why
    nothing was sent (no such alert; no delivery of it failed for good)."""

    alert_id: int
    channels: list[str]
    deliveries: list[dict[str, object]]
    refused: str | None = None

    @property
    def ok(self) -> bool:
        """True when something was resent and every resent delivery is now ``sent``."""
        return self.refused is None and all(
            d["status"] == "sent" for d in self.deliveries if d["channel"] in self.channels)


def dispatcher_id() -> str:
    """Return a unique owner name for a dispatcher: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class OutboxDispatcher:
    """Delivers the outbox of ``store`` over ``channels`` (see the module docstring).

    ``rules`` (by name) give fallback chains, escalation steps and the
    language of links; ``signer`` adds an acknowledgement link to every
    message; ``lease_s`` must exceed the slowest channel's send time (a
    live dispatcher slower than its lease may see its deliveries taken
    over); ``batch`` bounds deliveries per round; ``clock`` returns aware UTC.
    """

    def __init__(self, store: Store, channels: dict[str, Channel], *,
                 rules: Sequence[MatchRule] = (), signer: AckSigner | None = None,
                 max_attempts: int = 5, backoff: Sequence[float] = (1, 5, 30, 120),
                 lease_s: float = 60.0, batch: int = 200, poll_s: float = 0.5,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        self.store = store
        self.channels = channels
        self.rules = {r.name: r for r in rules}
        self.signer = signer
        self.max_attempts = max_attempts
        self.backoff = tuple(backoff) or (1.0,)
        self.lease = timedelta(seconds=lease_s)
        self.batch = batch
        self.poll_s = poll_s
        self.clock = clock
        self.owner = dispatcher_id()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="yuqing-send")

    # ----- running -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the background thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the background thread (no-op when it runs)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="yuqing-dispatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the background thread after its current round."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def notify(self) -> None:
        """Say new alerts are in the outbox: wake the thread, or deliver now when none runs."""
        if self.running:
            self._wake.set()
        else:
            self.drain()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except Exception:  # a database hiccup must not end the dispatcher
                log.exception("alert dispatcher round failed; retrying")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def drain(self, max_rounds: int = 1000) -> int:
        """Run rounds until nothing is due (a round's fallbacks may be due at once); return
        the deliveries handled. The last, empty round is only a read (see run_once)."""
        total = 0
        for _ in range(max_rounds):
            done = self.run_once()
            total += done
            if done == 0:
                break
        return total

    def resend(self, alert_ids: Sequence[int]) -> list[Resent]:
        """Send again, now, the deliveries of ``alert_ids`` that failed for good (`yuqing
        alerts resend`): each goes back to the outbox with a fresh retry budget
        (store.alerts.reset_failed) and the outbox is drained, so every other due delivery
        goes out too; return one Resent per id, in order (repeats once). An id with no such
        alert, or none of whose deliveries failed for good, is refused with the reason and
        the others still go. A delivery that fails again follows the usual policy (a
        retryable failure waits for its backoff step in the outbox)."""
        now = self.clock()
        reset = {i: self.store.alerts.reset_failed(i, now) for i in dict.fromkeys(alert_ids)}
        if any(reset.values()):
            self.drain()
        done = []
        for alert_id, channels in reset.items():
            states: list[dict[str, object]] = list(self.store.alerts.delivery_states(alert_id))
            refused = None
            if channels is None:
                refused = f"no alert {alert_id}"
            elif not channels:
                now_in = ", ".join(f"{d['channel']} {d['status']}" for d in states) or "none"
                refused = f"no delivery of it failed for good (deliveries: {now_in})"
            done.append(Resent(alert_id, channels or [], states, refused))
        return done

    # ----- one round ---------------------------------------------------------------------

    def run_once(self) -> int:
        """Escalate, claim, send and record one batch; return the deliveries claimed.

        A read first checks whether anything is due, so an idle poll never waits
        for the store's write lock (held by the pipeline while it saves items)."""
        now = self.clock()
        if not self.store.alerts.anything_due(now):
            return 0
        with self.store.transaction() as tx:
            self._escalate(tx, now)
            claimed = tx.alerts.claim_deliveries(self.owner, now, now + self.lease, self.batch)
            send = []
            for c in claimed:
                if c.interrupted and not self._resend_interrupted(c.channel):
                    tx.alerts.finish_attempt(None, c.alert_id, c.channel, "failed",
                                             INTERRUPTED, now)
                else:
                    send.append(c)
        by_channel: dict[str, list[Claimed]] = {}
        for c in send:
            by_channel.setdefault(c.channel, []).append(c)
        futures = [self._pool.submit(self._deliver, name, batch)
                   for name, batch in by_channel.items()]
        for future in futures:
            future.result()
        return len(claimed)

    def _resend_interrupted(self, channel: str) -> bool:
        ch = self.channels.get(channel)
        return bool(getattr(ch, "idempotent", False) or getattr(ch, "resend_interrupted", False))

    def _deliver(self, name: str, batch: list[Claimed]) -> None:
        """Send ``batch`` over channel ``name`` and record every attempt and outcome.

        Channels that announce their sends get a tracker: the attempt row is
        written just before each request and settled right after it. For the
        others all rows are written before the call and settled after it.
        """
        tracker = _Tracker(self, batch)
        channel = self.channels.get(name)
        if channel is None:
            known = ", ".join(sorted(self.channels)) or "none"
            results = [DeliveryResult.failure(f"unknown channel {name!r} (configured: {known})",
                                              retryable=False)] * len(batch)
        else:
            alerts = [self._with_link(c) for c in batch]
            if getattr(channel, "announces_sends", False):
                results = send_safely(name, channel, alerts, tracker)
            else:
                tracker.sending(list(range(len(batch))))
                results = send_safely(name, channel, alerts)
        for i, result in enumerate(results):
            if i not in tracker.settled:
                # never reached the wire: an SSRF refusal is an attempt, a local deferral not
                if i not in tracker.attempts and result.defer_s is None:
                    tracker.sending([i])
                tracker.done([i], result)

    def _with_link(self, c: Claimed) -> Alert:
        """Return the alert of ``c`` to send: with its acknowledgement link when signing."""
        if self.signer is None or not c.alert.item_keys:
            return c.alert
        rule = self.rules.get(c.alert.rule)
        label = messages(rule.lang if rule else "zh")["ack"]
        return replace(c.alert, body=f"{c.alert.body}\n{label}：{self.signer.link(c.alert_id)}")

    def settle(self, tx: Transaction, c: Claimed, result: DeliveryResult,
               attempt_id: int | None, now: datetime) -> None:
        """Record ``result`` of claimed delivery ``c`` in transaction ``tx`` (``attempt_id``
        None for a deferral before anything went out); queue a fallback when it failed for
        good."""
        tried = c.attempts + 1
        parts = result.parts
        if result.ok:
            tx.alerts.finish_attempt(attempt_id, c.alert_id, c.channel, "sent",
                                     result.error, now, parts=parts)
            return
        if result.defer_s is not None:
            tx.alerts.finish_attempt(attempt_id, c.alert_id, c.channel, "deferred",
                                     result.error, now, now + timedelta(seconds=result.defer_s),
                                     parts=parts)
            return
        if result.retryable and tried < self.max_attempts:
            wait = self.backoff[min(tried - 1, len(self.backoff) - 1)]
            tx.alerts.finish_attempt(attempt_id, c.alert_id, c.channel, "retry",
                                     result.error, now, now + timedelta(seconds=wait),
                                     parts=parts)
            return
        tx.alerts.finish_attempt(attempt_id, c.alert_id, c.channel, "failed",
                                 result.error, now, parts=parts)
        nxt = self._fallback(c)
        if nxt is not None:
            tx.alerts.add_delivery(c.alert_id, nxt, now)

    def _fallback(self, c: Claimed) -> str | None:
        """Return the channel after ``c.channel`` in its rule's fallback chain, if any."""
        rule = self.rules.get(c.alert.rule)
        if rule is None or not rule.cfg.fallback:
            return None
        chain = rule.cfg.fallback
        pos = chain.index(c.channel) + 1 if c.channel in chain else 0
        return chain[pos] if pos < len(chain) else None

    def _escalate(self, tx: Transaction, now: datetime) -> None:
        """Queue the due escalation steps of unacknowledged alerts (in transaction ``tx``);
        a step due in the rule's quiet hours (alerts/policy.py quiet_hold: not an override
        level) waits for their end."""
        for alert_id, step in tx.alerts.due_escalations(now):
            rule = self._rule_of(tx, alert_id)
            hold = quiet_hold(rule, tx.alerts.alert_level(alert_id), now) if rule else None
            if hold is not None:  # the rule's quiet hours hold the step as a first delivery
                tx.alerts.postpone_escalation(alert_id, hold)
                continue
            steps = rule.escalation if rule else []
            if step >= len(steps):
                tx.alerts.advance_escalation(alert_id, step, None)
                continue
            for channel in steps[step]:
                tx.alerts.add_delivery(alert_id, channel, now)
            more = step + 1 < len(steps)
            due = now + timedelta(seconds=rule.cfg.ack_timeout) if rule and more else None
            tx.alerts.advance_escalation(alert_id, step, due)

    def _rule_of(self, tx: Transaction, alert_id: int) -> MatchRule | None:
        name = tx.alerts.alert_rule(alert_id)
        return self.rules.get(name) if name else None


def check_channels(rules: Sequence[MatchRule], channels: dict[str, Channel]) -> None:
    """Raise BadInput when a rule's channels, fallback or escalation name an unknown channel."""
    named = [SimpleRule(r.name, [*r.channels, *r.cfg.fallback,
                                 *(c for s in r.escalation for c in s)]) for r in rules]
    check_rule_channels(named, channels)


def build_dispatcher(config: Config, store: Store, rules: Sequence[MatchRule],
                     registry: Registry[ChannelFactory]) -> OutboxDispatcher:
    """Return the dispatcher of ``config.alerts`` (channels built by ``registry`` and checked
    against ``rules``).

    Acknowledgement links are signed with ``alerts.ack_secret`` or the key kept in
    the store (alerts/ack.py: store_signer). Raises BadInput for a bad channel
    option or a rule naming an unknown channel.
    """
    channels = build_channels(config.alerts.channels, registry)
    check_channels(rules, channels)
    a = config.alerts
    signer = store_signer(a.ack_secret, store, config.web.base_url)
    return OutboxDispatcher(store, channels, rules=rules, signer=signer,
                            max_attempts=a.max_attempts, backoff=a.backoff)


class _Tracker:
    """The SendTracker of one channel batch of an OutboxDispatcher."""

    def __init__(self, dispatcher: OutboxDispatcher, batch: list[Claimed]) -> None:
        self.d = dispatcher
        self.batch = batch
        self.attempts: dict[int, int] = {}
        self.settled: set[int] = set()

    def sending(self, indexes: list[int]) -> None:
        """Write the attempt rows of the alerts at ``indexes`` (committed before the request)."""
        chosen = [self.batch[i] for i in indexes]
        ids = self.d.store.alerts.start_attempts(self.d.owner, chosen, self.d.clock())
        self.attempts.update(zip(indexes, ids, strict=True))

    def done(self, indexes: list[int], result: DeliveryResult) -> None:
        """Record ``result`` for the alerts at ``indexes`` (no attempt row for a deferral
        before anything went out)."""
        with self.d.store.transaction() as tx:
            now = self.d.clock()
            for i in indexes:
                self.d.settle(tx, self.batch[i], result, self.attempts.get(i), now)
        self.settled.update(indexes)

    def accepted_parts(self, index: int) -> int:
        """Return the parts of the split message at ``index`` accepted in earlier attempts."""
        return self.batch[index].parts_sent
