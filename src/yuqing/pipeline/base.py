"""The contract every batch stage follows.

A stage is built once at start-up from the config by a factory; a factory
that lacks its model or lexicon raises :class:`StageUnavailable`, the runner
reports it and runs without that stage (Scrapy's ``NotConfigured`` idea).
``process`` mutates the items of one batch in place; an item the stage
refuses gets ``item.rejected = reason`` and later stages skip it, so a
rejection is always a counted outcome, never a silent loss.
"""

from __future__ import annotations

from typing import Protocol

from yuqing.domain import Item, YuqingError


class StageUnavailable(YuqingError):
    """A stage cannot run (model or lexicon missing); the message says why."""


class Stage(Protocol):
    """A pipeline stage over a batch of items."""

    name: str

    def process(self, items: list[Item]) -> None:
        """Annotate or reject the not-yet-rejected items of ``items`` in place."""


def live(items: list[Item]) -> list[Item]:
    """Return the items of ``items`` that no stage has rejected."""
    return [it for it in items if it.rejected is None]
