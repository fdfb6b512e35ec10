"""The tree of units (单位): who is whose parent, and which units a unit oversees.

Units come from two places, joined here: ``[[cases.units]]`` of the config
(``parent``) and the units the web admin adds (``store.accounts.units()``,
``parent``); a unit named in both takes the config's parent. A parent
oversees its children (and theirs): it reads their cases, it does not act
on them; siblings see nothing of each other (web/access.py applies it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from yuqing.config import UnitConfig
from yuqing.store import Store


class UnitTree:
    """Parent links between units; ``below(unit)`` is the unit and every descendant."""

    def __init__(self, parents: Mapping[str, str | None]) -> None:
        self.parents = dict(parents)
        self.children: dict[str, set[str]] = {}
        for unit, parent in self.parents.items():
            if parent:
                self.children.setdefault(parent, set()).add(unit)

    @classmethod
    def of(cls, configured: Iterable[UnitConfig], stored: Iterable[Mapping[str, Any]]
           ) -> UnitTree:
        """Return the tree of the config's units and the stored ones (``{"name", "parent"}``)."""
        parents: dict[str, str | None] = {u["name"]: u.get("parent") for u in stored}
        parents.update({u.name: u.parent for u in configured})
        return cls(parents)

    def below(self, unit: str) -> frozenset[str]:
        """Return ``unit`` and every unit under it (a cycle in the parents stops the walk)."""
        seen = {unit}
        todo = [unit]
        while todo:
            for child in self.children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return frozenset(seen)


def units_under(configured: Iterable[UnitConfig], store: Store, unit: str) -> frozenset[str]:
    """Return ``unit`` and every unit under it in the tree of the ``configured`` units and
    the units stored by the web admin (what a user of ``unit`` reads)."""
    return UnitTree.of(configured, store.accounts.units()).below(unit)
