"""Sending now, in memory: :class:`Dispatcher` (used by `yuqing alerts test`), and the
helpers the outbox dispatcher shares (:func:`send_safely`, :func:`check_rule_channels`).

Alerts of the pipeline never go through :class:`Dispatcher`: they are written
to the outbox and sent by alerts/outbox.py, which records every attempt and
survives restarts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from yuqing.alerts.channels.base import Channel, DeliveryResult, SendTracker
from yuqing.domain import Alert, BadInput

log = logging.getLogger(__name__)

Results = dict[str, dict[str, DeliveryResult]]


class RuleLike(Protocol):
    """Anything with a ``name`` and a list of ``channels`` (MatchRule, RuleConfig)."""

    name: str
    channels: list[str]


def check_rule_channels(rules: Iterable[RuleLike], channels: dict[str, Channel]) -> None:
    """Raise BadInput when a rule names a channel that is not configured.

    The message names every such rule and channel and lists the configured
    channels. Call it at start-up, after building rules and channels.
    """
    problems = [f"rule {rule.name!r} uses unknown channel {name!r}"
                for rule in rules for name in rule.channels if name not in channels]
    if problems:
        raise BadInput("; ".join(problems) + f" (configured channels: "
                       f"{', '.join(sorted(channels)) or 'none'})")


class Dispatcher:
    """Send alerts over named channels with bounded retries.

    ``channels`` maps names (as rules use them) to channels. A retryable
    failure is retried up to ``max_attempts`` sends in all; before retry
    round ``n`` (1-based) the dispatcher calls ``sleep(backoff[n-1])``
    seconds (the last value repeats). Non-retryable failures are never
    retried. A channel that raises is caught and counts as a non-retryable
    failure of its alerts; it never stops the other channels.
    """

    def __init__(self, channels: dict[str, Channel], max_attempts: int = 3,
                 backoff: Sequence[float] = (0.5, 2, 8),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        self.channels = channels
        self.max_attempts = max_attempts
        self.backoff = tuple(backoff) or (0.0,)
        self.sleep = sleep

    def deliver(self, alerts: list[Alert]) -> Results:
        """Deliver each alert over each of its channels.

        Returns ``{alert.dedup_key: {channel name: DeliveryResult}}`` with a
        result for every channel the alert names (``attempts`` set). An
        unknown channel name gets a failed, non-retryable result saying so.
        """
        results: Results = {a.dedup_key: {} for a in alerts}
        pending: dict[str, list[Alert]] = {}
        for alert in alerts:
            for name in dict.fromkeys(alert.channels):
                if name in self.channels:
                    pending.setdefault(name, []).append(alert)
                else:
                    results[alert.dedup_key][name] = DeliveryResult.failure(
                        f"unknown channel {name!r} (configured: "
                        f"{', '.join(sorted(self.channels)) or 'none'})", retryable=False)
        for attempt in range(1, self.max_attempts + 1):
            if not pending:
                break
            if attempt > 1:
                self.sleep(self.backoff[min(attempt - 2, len(self.backoff) - 1)])
            pending = self._round(pending, attempt, results)
        return results

    def _round(self, pending: dict[str, list[Alert]], attempt: int,
               results: Results) -> dict[str, list[Alert]]:
        """Send one round; store the outcomes; return what to retry next round."""
        retry: dict[str, list[Alert]] = {}
        for name, batch in pending.items():
            for alert, result in zip(batch, self._send(name, batch), strict=True):
                results[alert.dedup_key][name] = DeliveryResult(
                    result.ok, result.error, result.retryable, attempts=attempt)
                if not result.ok and result.retryable:
                    retry.setdefault(name, []).append(alert)
        return retry

    def _send(self, name: str, batch: list[Alert]) -> list[DeliveryResult]:
        """Return the channel's results for ``batch``, or failures if it misbehaves."""
        return send_safely(name, self.channels[name], batch)


def send_safely(name: str, channel: Channel, batch: list[Alert],
                tracker: SendTracker | None = None) -> list[DeliveryResult]:
    """Return ``channel.send(batch)`` (with ``tracker`` when given: channels that announce
    their sends); a channel that raises or returns the wrong number of results fails the
    whole batch (not retryable) instead of stopping the caller."""
    try:
        out = channel.send(batch) if tracker is None else channel.send(batch, tracker)  # type: ignore[call-arg]
    except Exception as exc:  # a channel bug must not stop the other channels
        log.exception("alert channel %s raised", name)
        return [DeliveryResult.failure(f"channel {name!r} raised "
                                       f"{type(exc).__name__}: {exc}", retryable=False)
                ] * len(batch)
    if len(out) != len(batch):
        error = f"channel {name!r} returned {len(out)} results for {len(batch)} alerts"
        return [DeliveryResult.failure(error, retryable=False)] * len(batch)
    for alert, result in zip(batch, out, strict=True):
        if not result.ok:
            log.warning("alert %s over %s failed: %s", alert.dedup_key, name, result.error)
    return out
