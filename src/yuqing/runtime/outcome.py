"""Counts of what one run (or one batch) did, in the JSON shape of docs/INTERFACES.md."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: rejection messages kept per outcome (the counts are always complete)
MAX_PROBLEMS = 100
_COUNTS = ("read", "stored", "updated", "duplicates", "rejected", "matched", "negative",
           "sensitive", "alerts", "events")


@dataclass
class Outcome:
    """What happened to the items of a run.

    ``read`` counts every input record (good or bad); ``stored`` new rows;
    ``updated`` rows that already existed (same identity: re-fetch, new guid
    of the same URL) whose source values changed (text, title, counts ...; an
    unchanged re-fetch counts only in ``read``: docs/FIELD_CASES.md F20.9);
    ``duplicates`` stored items marked as
    duplicates of another; ``rejected`` inputs refused, by reason in
    ``rejected_by_reason``; ``matched`` / ``negative`` / ``sensitive`` count
    the new or updated items with that label; ``alerts`` alerts newly recorded.
    ``problems`` holds the first ``MAX_PROBLEMS`` rejection messages, each
    naming the input (file:line, request element) and the problem; ``notes``
    likewise for kept inputs whose values were changed or dropped (counted by
    flag in ``changed_by_reason``).
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
    problems: list[str] = field(default_factory=list)
    changed_by_reason: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def reject(self, reason: str, message: str) -> None:
        """Count one rejection with its ``reason`` and keep its message (up to MAX_PROBLEMS)."""
        self.rejected += 1
        self.rejected_by_reason[reason] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    def note(self, reason: str, message: str) -> None:
        """Count one kept input whose value was changed or dropped (``reason``: its flag) and
        keep the message (up to MAX_PROBLEMS)."""
        self.changed_by_reason[reason] += 1
        if len(self.notes) < MAX_PROBLEMS:
            self.notes.append(message)

    def add(self, other: Outcome) -> None:
        """Add the counts of ``other`` into this outcome."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejected_by_reason.update(other.rejected_by_reason)
        self.problems.extend(other.problems[: MAX_PROBLEMS - len(self.problems)])
        self.changed_by_reason.update(other.changed_by_reason)
        self.notes.extend(other.notes[: MAX_PROBLEMS - len(self.notes)])

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Outcome:
        """Return the Outcome whose :meth:`as_dict` is ``doc`` (e.g. a worker's outcome of a
        batch, recorded in the store)."""
        out = cls(**{name: doc[name] for name in _COUNTS})
        out.rejected_by_reason.update(doc["rejected_by_reason"])
        out.problems = list(doc["problems"])
        out.changed_by_reason.update(doc["changed_by_reason"])
        out.notes = list(doc["notes"])
        return out

    def as_dict(self) -> dict[str, Any]:
        """Return the ``ingest --json`` shape, plus ``updated``, ``rejected_by_reason``,
        ``problems`` (the first rejection messages), ``changed_by_reason`` and ``notes`` (the
        first messages about kept items whose values were changed, e.g. an unreadable date)."""
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
            "problems": list(self.problems),
            "changed_by_reason": dict(sorted(self.changed_by_reason.items())),
            "notes": list(self.notes),
        }
