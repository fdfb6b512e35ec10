"""What changed on a hot list between two snapshots: entered, rising, left.

The facts alert rules use (``hotlist = ["entered", "rising"]``, alerts/rules.py):

- ``entered``: the topic is on the list now and was not on the previous snapshot
  (on the first poll of a list every topic has entered: it is new to us);
- ``rising``: on both, and its rank improved by at least ``places`` (default 10:
  a fifth of a 50-topic list, a jump that ordinary churn between two polls five
  minutes apart rarely makes) or its heat grew by at least ``heat_percent`` (default
  50 %: half as hot again within one poll interval) since the previous snapshot;
- ``left``: on the previous snapshot and gone now (the last seen entry is reported).

A topic on both snapshots whose rank or heat moved without rising is reported with
no fact (``None``), so its item carries the current rank and heat; a topic whose
rank, heat, title and link are all the same is not reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from yuqing.domain import HotlistEntry

#: one of domain.HOTLIST_FACTS
HotlistFact = Literal["entered", "rising", "left"]
#: default rise thresholds (module doc)
RISE_PLACES = 10
RISE_HEAT_PERCENT = 50.0


@dataclass(frozen=True)
class Rise:
    """When a topic counts as rising: ``places`` gained, or heat up ``heat_percent`` %."""

    places: int = RISE_PLACES
    heat_percent: float = RISE_HEAT_PERCENT

    def rose(self, before: HotlistEntry, now: HotlistEntry) -> bool:
        """True when ``now`` is at least ``places`` better ranked than ``before``, or its
        heat is at least ``heat_percent`` % above a positive heat before."""
        if before.rank - now.rank >= self.places:
            return True
        return (before.heat is not None and now.heat is not None and before.heat > 0
                and now.heat >= before.heat * (1 + self.heat_percent / 100))


@dataclass(frozen=True)
class TopicChange:
    """One topic to report: its ``entry`` (the current one; the last seen one when it
    left), the ``fact`` (None: moved, nothing notable) and its ``previous_rank``."""

    entry: HotlistEntry
    fact: HotlistFact | None
    previous_rank: int | None


def compare_snapshots(previous: Sequence[HotlistEntry], current: Sequence[HotlistEntry],
                      rise: Rise = Rise()) -> list[TopicChange]:
    """Return the changes from ``previous`` to ``current`` (module doc): the current
    topics in rank order, then the topics that left, in their previous rank order."""
    before = {e.key: e for e in previous}
    now_keys = {e.key for e in current}
    out: list[TopicChange] = []
    for entry in current:
        old = before.get(entry.key)
        if old is None:
            out.append(TopicChange(entry, "entered", None))
        elif rise.rose(old, entry):
            out.append(TopicChange(entry, "rising", old.rank))
        elif old != entry:
            out.append(TopicChange(entry, None, old.rank))
    out += [TopicChange(e, "left", e.rank) for e in previous if e.key not in now_keys]
    return out
