"""Measure repeat and cross-level detection on labelled petitions (``yuqing eval petitions``).

Input: JSON lines with the intake fields (``channel``, ``subject``,
``accused``, ``addressed_level``, ``unit``, ``contact``, ``received_at``)
and the labels ``matter`` (same matter = same id), ``repeat`` (an earlier
petition of the matter exists) and ``cross_level``. The petitions go
through the real intake (cases/intake.py) in order on a store, with the
responsible level left to inference. The receiving units form one chain by
the level their petitions are addressed to (township under county under
city...: ``unit_chain``), so a unit matches against its own and its lower
units' petitions only, as in the field (cases/intake.py); a labelled repeat
counts as one when an earlier petition of its matter was received within
that reach (``repeat_out_of_reach`` counts the others). A predicted repeat is
correct when the petition it links to has the same matter. Baselines
measured in the same run, over the same reach: repeat = same petitioner
(identity only); cross-level = addressed above the county, the default
responsible level.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yuqing.cases import petitions as pet
from yuqing.cases.inputs import CONTACT_FIELDS, PetitionInput
from yuqing.cases.intake import PETITIONER_KEY, add_petition
from yuqing.cases.service import CaseService
from yuqing.cases.units import UnitTree
from yuqing.config import CasesConfig, Config, UnitConfig
from yuqing.domain import BadInput, Contact, PetitionIntake
from yuqing.store.shared_secrets import shared_secret

ACTOR = {"actor": "eval", "role": "handler"}


@dataclass
class Tally:
    """True/false positives and false negatives of one detector."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, correct: bool, actual: bool) -> None:
        """Count one decision: ``correct`` says whether a positive prediction is right."""
        if predicted and correct:
            self.tp += 1
        elif predicted:
            self.fp += 1
        if actual and not (predicted and correct):
            self.fn += 1

    def scores(self) -> dict[str, Any]:
        """Return ``{"precision", "recall", "f1", "tp", "fp", "fn"}`` (None when undefined)."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f1 = 2 * p * r / (p + r) if p and r else None
        return {"precision": _round(p), "recall": _round(r), "f1": _round(f1),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def read_labelled(path: Path, matters: str = "all") -> list[dict[str, Any]]:
    """Return the rows of a labelled JSONL file; ``matters`` ``odd``/``even`` keeps
    the rows whose matter id ends in an odd/even number (the threshold-tuning and
    held-out halves of tests/fixtures/petitions). Raises BadInput naming file:line."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append({**row, "_line": n, "matter": str(row["matter"]),
                         "repeat": bool(row["repeat"]), "cross_level": bool(row["cross_level"])})
        except (ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"{path}:{n}: not a labelled petition ({exc})") from None
    if matters == "all":
        return rows
    if matters not in ("odd", "even"):
        raise BadInput(f"matters {matters!r}: expected all, odd or even")
    parity = 1 if matters == "odd" else 0
    return [r for r in rows if int(re.sub(r"\D", "", r["matter"]) or 0) % 2 == parity]


def _contact(row: dict[str, Any]) -> dict[str, str | None]:
    """Return the contact fields of a labelled row."""
    given = row.get("contact") or {}
    return {k: given.get(k) for k in CONTACT_FIELDS}


def _intake(service: CaseService, row: dict[str, Any]) -> PetitionIntake:
    """Run one labelled row through the real intake."""
    return add_petition(service, PetitionInput(
        channel=row["channel"], subject=row["subject"], unit=row["unit"],
        accused=row.get("accused"), addressed_level=row["addressed_level"],
        contact=_contact(row), received_at=row["received_at"]), **ACTOR)


def unit_chain(rows: Iterable[dict[str, Any]]) -> Config:
    """Return a config whose units are the receiving units of ``rows``, each at the level
    its petitions are addressed to and under the unit of the next level up that has one
    (one 信访 hierarchy). Raises BadInput when a unit's petitions name two levels or two
    units share a level."""
    level_of: dict[str, str] = {}
    for row in rows:
        unit, level = row["unit"], pet.check_level(row["addressed_level"], "addressed level")
        if level_of.setdefault(unit, level) != level:
            raise BadInput(f"line {row.get('_line')}: unit {unit!r} is addressed at "
                           f"{level_of[unit]} and {level}; expected one level per unit")
    by_level = {level: unit for unit, level in level_of.items()}
    if len(by_level) < len(level_of):
        raise BadInput(f"units {sorted(level_of)}: expected one unit per level")
    chain = [by_level[lv] for lv in pet.LEVELS if lv in by_level]
    return Config(cases=CasesConfig(units=[
        UnitConfig(name=unit, level=level_of[unit], parent=up)
        for unit, up in zip(chain, [*chain[1:], None], strict=True)]))


def evaluate(service: CaseService, rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Return ``{"n", "repeat": scores, "repeat_out_of_reach", "cross_level": scores,
    "baseline": {"name", "repeat", "cross_level"}}`` for ``rows`` taken in on
    ``service``'s store under its config's units (``unit_chain``)."""
    repeat, cross, base_repeat, base_cross = Tally(), Tally(), Tally(), Tally()
    tree = UnitTree.of(service.config.cases.units, [])
    matter_of: dict[int, str] = {}
    earlier: list[tuple[str, str, set[str]]] = []  # unit, matter, identity hashes
    key = shared_secret(service.store, PETITIONER_KEY)  # the baseline hashes as intake does
    n = out_of_reach = 0
    for row in rows:
        n += 1
        got = _intake(service, row).petition
        matter_of[got.id] = row["matter"]
        reach = tree.below(row["unit"])
        seen = [(matter, ids) for unit, matter, ids in earlier if unit in reach]
        is_repeat = any(matter == row["matter"] for matter, _ in seen)
        out_of_reach += row["repeat"] and not is_repeat
        linked = got.repeat_of
        repeat.add(linked is not None, matter_of.get(linked or -1) == row["matter"], is_repeat)
        cross.add(got.cross_level, row["cross_level"], row["cross_level"])
        ids = set((pet.identity_hash(Contact(**_contact(row)), key) or "").split())
        same_person = [matter for matter, old in seen if ids & old]
        base_repeat.add(bool(same_person), same_person[-1:] == [row["matter"]], is_repeat)
        earlier.append((row["unit"], row["matter"], ids))
        base_cross.add(pet.is_cross_level(row["addressed_level"], pet.DEFAULT_RESPONSIBLE_LEVEL),
                       row["cross_level"], row["cross_level"])
    return {"n": n, "repeat": repeat.scores(), "repeat_out_of_reach": out_of_reach,
            "cross_level": cross.scores(),
            "baseline": {"name": "identity-only repeats; county as every responsible level",
                         "repeat": base_repeat.scores(), "cross_level": base_cross.scores()}}
