"""The alert policy: one alert per story, re-alerts of growing events, storm cap, quiet hours.

:meth:`AlertPolicy.record` turns the stories a rule found in one batch into
outbox rows (store/alerts.py), in one write transaction:

- a story never alerted gets its alert (``dedup_key`` ``rule:story``);
- a story alerted before gets an update (``rule:story:uN``) only when the
  rule allows re-alerts, it grew (level graver, or at least twice the items
  of the last alert) and the last alert is at least ``window`` seconds old;
  an event's size is its stored items (or the events stage's
  ``event_size``), so an item seen again or by two workers counts once;
- the storm limiter lets ``max_per_window`` alerts of a rule per window
  (windows aligned to multiples of ``window`` since the epoch) through; later
  ones are stored without deliveries (visible in the list), and the first one
  held triggers ONE summary alert with a link to the list (docs/FIELD_CASES.md F15);
- in quiet hours (office zone) deliveries are held until the quiet hours end,
  except for the rule's override levels (default I and II); :func:`quiet_hold`
  is that rule, and the outbox applies it to escalation steps too;
- a rule with an escalation chain arms it (store.alerts.start_escalation):
  the first step is due ``ack_timeout`` after the alert went out (after a hold,
  counted from the end of the quiet hours).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from yuqing.alerts.render import messages
from yuqing.alerts.rules import MatchRule, Story, level_rank
from yuqing.domain import Alert, BadInput, Item
from yuqing.store import Transaction
from yuqing.store.alert_state import GroupState
from yuqing.store.repositories import Repositories
from yuqing.time_range import local_time

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_DASHES = str.maketrans({"~": "-", "～": "-", "–": "-", "—": "-"})


def parse_quiet_hours(spec: str, where: str) -> tuple[time, time]:
    """Return (start, end) of ``"HH:MM-HH:MM"``; raises BadInput naming ``where``.

    Full-width forms an input method types (``22：00－07：00``) and the dashes ~ ～ – —
    between the two times are read as the ASCII spelling.
    """
    plain = unicodedata.normalize("NFKC", spec).translate(_DASHES)
    try:
        start, end = (time.fromisoformat(p.strip()) for p in plain.split("-"))
    except ValueError:
        raise BadInput(f"{where}: quiet_hours {spec!r} must look like \"22:00-07:00\"") from None
    if start == end:
        raise BadInput(f"{where}: quiet_hours {spec!r} is empty (start equals end)")
    return start, end


def quiet_until(now: datetime, hours: tuple[time, time], tz: str) -> datetime | None:
    """Return when the quiet hours around ``now`` end (aware), or None outside them.

    Hours are wall-clock times in ``tz``; ``22:00-07:00`` wraps past midnight.
    """
    local = now.astimezone(ZoneInfo(tz))
    start, end = hours
    t = local.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=ZoneInfo(tz))


def quiet_hold(rule: MatchRule, level: str | None, now: datetime) -> datetime | None:
    """Return when the quiet hours of ``rule`` around ``now`` end, for an alert of ``level``
    that they hold (not one of the rule's ``quiet_override_levels``); None when nothing
    holds it. Applies alike to first deliveries and escalation steps."""
    if not rule.cfg.quiet_hours or level in rule.cfg.quiet_override_levels:
        return None
    hours = parse_quiet_hours(rule.cfg.quiet_hours, f"alert rule {rule.name!r}")
    return quiet_until(now, hours, rule.tz)


def window_start(now: datetime, seconds: float) -> datetime:
    """Return the start of the ``seconds``-long window holding ``now`` (aligned to the epoch)."""
    n = int((now - EPOCH).total_seconds() // seconds)
    return EPOCH + timedelta(seconds=n * seconds)


class AlertPolicy:
    """Applies the policy of the module docstring for the rules it was given.

    ``base_url`` starts the links in summaries (``{base_url}/alerts?rule=``).
    """

    def __init__(self, rules: list[MatchRule], base_url: str) -> None:
        self.rules = rules
        self.base_url = base_url.rstrip("/")
        for r in rules:  # a bad setting fails when the policy is built, not at the first alert
            if r.cfg.quiet_hours:
                parse_quiet_hours(r.cfg.quiet_hours, f"alert rule {r.name!r}")

    @staticmethod
    def annotate(store: Repositories, items: list[Item]) -> None:
        """Put the stored size and level of each item's event into ``item.extra``
        (``event_size``, ``event_level``) unless a stage set them already; ``store`` is the
        Store or a transaction."""
        facts = store.alerts.event_facts({it.event_id for it in items if it.event_id})
        for it in items:
            if it.event_id in facts:
                size, level = facts[it.event_id]
                it.extra.setdefault("event_size", size)
                it.extra.setdefault("event_level", level)

    def record(self, tx: Transaction, rule: MatchRule, stories: list[Story],
               now: datetime) -> list[int]:
        """Record the alerts of ``stories`` under ``rule`` in transaction ``tx`` (from
        ``store.transaction()``; it takes the shared-state lock, which the pipeline's shared
        step holds already); return the ids of new alerts.

        The stories' events' stored sizes and their sent states are read with one query
        each for the whole list, decided in order in memory, and written back with one
        statement (a few round trips per batch, not per story).
        """
        # decided in memory from states read once: no other writer may decide meanwhile
        # (the pipeline's shared step holds the lock already; taking it again is a no-op)
        tx.shared.lock()
        sizes = tx.alerts.event_sizes(
            {s.items[0].event_id for s in stories if s.items[0].event_id})
        states = tx.alerts.load_groups(rule.name, [s.key for s in stories])
        changed: dict[str, GroupState] = {}
        decided = []
        for story in stories:
            alert = self._decide(rule, story, sizes, states, now)
            changed[story.key] = states[story.key]
            if alert is not None:
                decided.append(alert)
        tx.alerts.save_groups(rule.name, changed)
        if not decided:
            return []
        start = window_start(now, rule.cfg.window)
        slots = tx.alerts.take_window_slots(rule.name, start, rule.cfg.max_per_window,
                                            len(decided))
        ids = []
        for alert, held in zip(decided, slots, strict=True):
            if held:
                alert.channels = []
                if held == 1:
                    ids += self._plain(tx, rule, self.summary(rule, start, now), now)
            ids += self._plain(tx, rule, alert, now)
        return ids

    @staticmethod
    def _decide(rule: MatchRule, story: Story, sizes: dict[str, int],
                states: dict[str, GroupState], now: datetime) -> Alert | None:
        """Return the alert to record for ``story`` (new or update), or None; puts the
        story's new state in ``states``."""
        state = states.get(story.key)
        event_id = story.items[0].event_id
        count = max(story.size, len(story.items), sizes.get(event_id, 0) if event_id else 1)

        if state is None:
            states[story.key] = GroupState(count, count, story.level, now, 0)
            return rule.make_alert(story, now)
        count = max(count, state.count)
        graver = level_rank(story.level) < level_rank(state.sent_level)
        due = (now - state.sent_at).total_seconds() >= rule.cfg.window
        if not (rule.cfg.realert and due and (graver or count >= 2 * state.sent_count)):
            states[story.key] = GroupState(count, state.sent_count, state.sent_level,
                                           state.sent_at, state.updates)
            return None
        n = state.updates + 1
        states[story.key] = GroupState(count, count, story.level, now, n)
        note = messages(rule.lang)["update_note"].format(count=count, level=story.level)
        return rule.make_alert(story, now, suffix=f":u{n}", note=note)

    def _plain(self, tx: Transaction, rule: MatchRule, alert: Alert, now: datetime) -> list[int]:
        """Record ``alert`` (quiet hours applied, escalation armed); return [id] or []."""
        hold = quiet_hold(rule, alert.level, now)
        alert_id = tx.alerts.record_alert(alert, now, hold)
        if alert_id is None:
            return []
        if rule.escalation and alert.channels:
            tx.alerts.start_escalation(alert_id, (hold or now)
                                       + timedelta(seconds=rule.cfg.ack_timeout))
        return [alert_id]

    def summary(self, rule: MatchRule, start: datetime, now: datetime) -> Alert:
        """Return the storm summary alert of ``rule`` for the window starting at ``start``."""
        m = messages(rule.lang)
        end = start + timedelta(seconds=rule.cfg.window)
        link = f"{self.base_url}/alerts?rule={quote(rule.name)}"
        body = m["storm_body"].format(rule=rule.name, cap=rule.cfg.max_per_window, link=link,
                                      start=local_time(start, rule.tz),
                                      end=local_time(end, rule.tz))
        return Alert(rule=rule.name, dedup_key=f"{rule.name}:storm:{start:%Y%m%dT%H%M%S}",
                     title=m["storm_title"].format(rule=rule.name), body=body, item_keys=[],
                     created_at=now, level=rule.level,
                     channels=list(rule.channels))
