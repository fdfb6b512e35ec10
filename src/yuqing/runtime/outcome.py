"""Counts of what one run (or one batch) did, in the JSON shape of INTERFACES.md."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Outcome:
    """What happened to the items of a run.

    ``read`` counts every input record (good or bad); ``stored`` new rows;
    ``updated`` rows that already existed (same identity: re-fetch, new guid
    of the same URL) and were refreshed; ``duplicates`` stored items marked as
    duplicates of another; ``rejected`` inputs refused, by reason in
    ``rejected_by_reason``; ``matched`` / ``negative`` / ``sensitive`` count
    the new or updated items with that label; ``alerts`` alerts newly recorded.
    """

    read: int = 0
    stored: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    matched: int = 0
    negative: int = 0
    sensitive: int = 0
    alerts: int = 0
    events: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)

    def add(self, other: Outcome) -> None:
        """Add the counts of ``other`` into this outcome."""
        for name in ("read", "stored", "updated", "duplicates", "rejected", "matched",
                     "negative", "sensitive", "alerts", "events"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejected_by_reason.update(other.rejected_by_reason)

    def as_dict(self) -> dict[str, Any]:
        """Return the ``ingest --json`` shape, plus ``updated`` and ``rejected_by_reason``."""
        return {
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "matched": self.matched,
            "negative": self.negative,
            "sensitive": self.sensitive,
            "alerts": self.alerts,
            "events": self.events,
            "updated": self.updated,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
        }
