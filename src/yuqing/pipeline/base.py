"""The contract every batch stage follows.

A stage is built once at start-up from the config by a factory; a factory
that lacks its model or lexicon raises :class:`StageUnavailable`, the runner
reports it and runs without that stage (Scrapy's ``NotConfigured`` idea).
``process`` mutates the items of one batch in place; an item the stage
refuses gets ``item.rejected = reason`` and later stages skip it, so a
rejection is always a counted outcome, never a silent loss.

Hooks (Scrapy's ``open_spider``/``close_spider`` idea): the runtime calls
``open(state)`` once before the first batch, handing the stage the shared
state it needs as ports (:class:`StageState`: protocols of this layer that
store repositories implement), so no stage imports the store; ``stats()``
gives the counters of the last batch and ``close()`` runs at shut-down.
:class:`BaseStage` gives the hooks that do nothing.

Shared stages (``shared = True``: the de-duplicator, the events stage) remember
what every process stored. The runtime runs them after the other stages, under
the store's shared-state lock, and first hands them, through ``catch_up``, the
rows other processes wrote since the stage last saw the store, in write order;
a shared stage must then be in the state it would be in had it processed those
items itself (docs/SCALEOUT.md). A stage that reads what a shared stage writes
must be shared too. Before the lock the runtime calls a shared stage's
``prepare`` with the batch and the rows others wrote as far as it can see them then:
the work that needs only their texts (signatures, terms) is done there, in parallel
with other processes, and ``catch_up`` and ``process`` take it up (doing it
themselves for any text ``prepare`` did not see).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from yuqing.domain import Event, Item, StoredChange, YuqingError

#: one stored item as the de-duplicator is warmed with it: (key, content_hash, url, match_text)
Fingerprint = tuple[str, str, str | None, str]
#: one stored item as the events stage is warmed with it:
#: (key, event_id, match_text, source, author)
EventLink = tuple[str, str, str, str, str | None]


class StageUnavailable(YuqingError):
    """A stage cannot run (model or lexicon missing); the message says why."""


class FingerprintSource(Protocol):
    """Port: the fingerprints of the items stored last (implemented by the items repository)."""

    def recent_fingerprints(self, limit: int) -> Iterable[Fingerprint]:
        """Return the fingerprints of the ``limit`` items stored last, oldest first."""


class EventStatePort(Protocol):
    """Port: the stored events the events stage resumes from and saves to (implemented by
    the events repository)."""

    def open_events(self, window: timedelta) -> list[Event]:
        """Return the events whose last item is within ``window`` of the newest event's
        last item (the events still open for new items)."""

    def item_events(self, keys: Iterable[str]) -> dict[str, str]:
        """Return ``{key: event_id}`` for the stored items among ``keys`` that have one."""

    def load(self, ids: Iterable[str]) -> list[Event]:
        """Return the stored events with the given ids (unknown ids are skipped)."""

    def recent_links(self, limit: int) -> list[EventLink]:
        """Return the links of the ``limit`` items stored last that have an event, oldest
        first."""

    def save(self, changed: Sequence[Event]) -> None:
        """Store the ``changed`` events (each replaces its stored row), all or none."""


@dataclass(frozen=True)
class StageState:
    """The shared state the runtime hands every stage at ``open``; None when the runtime
    has no store (a stage then works from memory alone)."""

    fingerprints: FingerprintSource | None = None
    events: EventStatePort | None = None


class Stage(Protocol):
    """A pipeline stage over a batch of items."""

    name: str
    #: True when the stage's memory mirrors what every process stored (module doc)
    shared: bool

    def open(self, state: StageState) -> None:
        """Take the shared state the stage needs before the first batch."""

    def catch_up(self, changes: Sequence[StoredChange]) -> None:
        """Take in the item rows other processes wrote since the last batch (a shared
        stage; called under the shared-state lock, ``changes`` in write order)."""

    def prepare(self, items: list[Item], stored: Sequence[StoredChange]) -> None:
        """Do the work of the next ``catch_up`` and ``process`` that needs only the texts
        of ``items`` and of the rows ``stored`` by others (a shared stage; called before
        the shared-state lock, nothing shared read or changed)."""

    def process(self, items: list[Item]) -> None:
        """Annotate or reject the not-yet-rejected items of ``items`` in place."""

    def stats(self) -> dict[str, int]:
        """Return the counters of the last batch (e.g. ``{"opened_events": 3}``)."""

    def close(self) -> None:
        """Release what ``open`` took (the runtime is shutting down)."""


class BaseStage:
    """Hooks that do nothing: a stage without shared state subclasses this."""

    name = ""
    shared = False

    def open(self, state: StageState) -> None:
        """Do nothing: the stage needs no shared state."""

    def catch_up(self, changes: Sequence[StoredChange]) -> None:
        """Do nothing: the stage remembers nothing of other items."""

    def prepare(self, items: list[Item], stored: Sequence[StoredChange]) -> None:
        """Do nothing: ``process`` does all its work."""

    def stats(self) -> dict[str, int]:
        """Return no counters."""
        return {}

    def close(self) -> None:
        """Do nothing."""


def live(items: list[Item]) -> list[Item]:
    """Return the items of ``items`` that no stage has rejected."""
    return [it for it in items if it.rejected is None]
