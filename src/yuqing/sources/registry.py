"""The source registry: source kind (``"rss"``, ``"file"``...) -> factory.

A registry is an object that lives on the app/runner (no module-global
dict, nothing registered at import): two apps in one process, and every
test, get their own. :func:`default_registry` builds one with the built-in
kinds; plugins add theirs with :meth:`SourceRegistry.register`.
"""

from __future__ import annotations

from collections.abc import Callable

from yuqing.config import SourceConfig
from yuqing.domain import BadInput
from yuqing.sources.base import Source

SourceFactory = Callable[[SourceConfig], Source]


class SourceRegistry:
    """Maps a source kind to the factory that builds a Source from its config."""

    def __init__(self) -> None:
        self._factories: dict[str, SourceFactory] = {}

    def register(self, kind: str, factory: SourceFactory, *, replace: bool = False) -> None:
        """Register ``factory`` for ``kind``.

        Raises ValueError when ``kind`` is already registered and ``replace``
        is False (two plugins claiming one kind is a programming error).
        """
        if kind in self._factories and not replace:
            raise ValueError(f"source kind {kind!r} is already registered")
        self._factories[kind] = factory

    def kinds(self) -> list[str]:
        """Return the registered kinds, sorted."""
        return sorted(self._factories)

    def __contains__(self, kind: object) -> bool:
        return kind in self._factories

    def create(self, config: SourceConfig) -> Source:
        """Return the Source built from ``config``.

        Raises BadInput naming the source and listing the known kinds when
        ``config.kind`` is unknown; factories raise BadInput for bad options.
        """
        factory = self._factories.get(config.kind)
        if factory is None:
            raise BadInput(
                f"source {config.name!r}: unknown kind {config.kind!r}; "
                f"known kinds: {', '.join(self.kinds()) or '(none)'}"
            )
        return factory(config)

    def create_all(self, configs: list[SourceConfig]) -> list[Source]:
        """Return a Source for every enabled config, in order (raises like :meth:`create`)."""
        return [self.create(c) for c in configs if c.enabled]


def default_registry() -> SourceRegistry:
    """Return a new registry holding the built-in kinds ``rss``, ``file`` and ``replay``."""
    from yuqing.sources.files import FileSource
    from yuqing.sources.replay import ReplaySource
    from yuqing.sources.rss import RssSource

    registry = SourceRegistry()
    registry.register("rss", RssSource)
    registry.register("file", FileSource)
    registry.register("replay", ReplaySource.from_config)
    return registry
