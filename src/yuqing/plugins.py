"""One registry type for every extension point: sources, pipeline stages, alert channels.

A :class:`Registry` maps a name (a source kind, a stage name, a channel kind) to a
factory. It is an object, never module-global state: the composition root
(runtime/context.py) builds one per kind, fills it with our built-ins through
the same ``register`` call a plugin uses, then with the entry points of the
matching group (``yuqing.sources``, ``yuqing.stages``, ``yuqing.channels``), and
hands it to whoever builds things. Two apps in one process, and every test,
hold their own.

A third-party package declares, in its ``pyproject.toml``::

    [project.entry-points."yuqing.stages"]
    shout = "yuqing_shout:make_stage"

and the object named is registered under the entry point's name.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Generic, TypeVar

from yuqing.config import did_you_mean
from yuqing.domain import BadInput

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to factories of type ``T``.

    ``what`` names one entry in messages (``"source kind"``, ``"channel kind"``,
    ``"pipeline stage"``); its last word is the noun of "unknown kind 'x'; known kinds: ...".
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self._factories: dict[str, T] = {}

    @property
    def _noun(self) -> str:
        return self.what.split()[-1]

    def register(self, name: str, factory: T, *, replace: bool = False) -> None:
        """Register ``factory`` under ``name``.

        Raises ValueError when ``name`` is taken and ``replace`` is False (two plugins
        claiming one name is a programming error, not something to resolve silently).
        """
        if name in self._factories and not replace:
            raise ValueError(f"{self.what} {name!r} is already registered")
        self._factories[name] = factory

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        return sorted(self._factories)

    def __contains__(self, name: object) -> bool:
        return name in self._factories

    def get(self, name: str, *, owner: str = "") -> T:
        """Return the factory registered under ``name``.

        Raises BadInput ``OWNER: unknown kind 'x'; known kinds: a, b`` (``owner`` names
        what asked, e.g. ``source 'news'``; the noun is the last word of ``what``).
        """
        factory = self._factories.get(name)
        if factory is None:
            prefix = f"{owner}: " if owner else ""
            raise BadInput(f"{prefix}unknown {self._noun} {name!r}; "
                           f"known {self._noun}s: {', '.join(self.names()) or '(none)'}"
                           f"{did_you_mean(name, self.names())}")
        return factory

    def load_entry_points(self, group: str) -> list[str]:
        """Register the object of every installed entry point of ``group`` under the entry
        point's name; return the names registered, in the order found.

        Raises ValueError when a plugin claims a name already registered (ours or another
        plugin's); an import error of a plugin propagates (a broken plugin must be seen).
        """
        loaded = []
        for ep in entry_points(group=group):
            self.register(ep.name, ep.load())
            loaded.append(ep.name)
        return loaded
