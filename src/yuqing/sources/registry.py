"""Source kinds (``"rss"``, ``"file"``...) and how a source is built from its config.

The registry itself is a :class:`yuqing.plugins.Registry` of :data:`SourceFactory`,
owned by the composition root (runtime/context.py), which fills it with
:func:`register_builtin_sources` and the ``yuqing.sources`` entry points.
"""

from __future__ import annotations

from collections.abc import Callable

from yuqing.config import SourceConfig
from yuqing.plugins import Registry
from yuqing.sources.polling import AnySource

SourceFactory = Callable[[SourceConfig], AnySource]
#: the entry point group of third-party source kinds
ENTRY_POINT_GROUP = "yuqing.sources"


def source_registry() -> Registry[SourceFactory]:
    """Return a new, empty registry of source kinds."""
    return Registry("source kind")


def register_builtin_sources(registry: Registry[SourceFactory]) -> Registry[SourceFactory]:
    """Register the built-in kinds ``rss``, ``file``, ``replay``, ``hotlist``, ``newsnow``,
    ``search`` and ``site``; return ``registry``."""
    from yuqing.sources.files import FileSource
    from yuqing.sources.hotlist.newsnow import NewsnowSource
    from yuqing.sources.hotlist.source import HotlistSource
    from yuqing.sources.replay import ReplaySource
    from yuqing.sources.rss import RssSource
    from yuqing.sources.search import SearchSource
    from yuqing.sources.site import SiteSource

    registry.register("rss", RssSource)
    registry.register("file", FileSource)
    registry.register("replay", ReplaySource.from_config)
    registry.register("hotlist", HotlistSource)
    registry.register("newsnow", NewsnowSource)
    registry.register("search", SearchSource)
    registry.register("site", SiteSource)
    return registry


def create_source(registry: Registry[SourceFactory], config: SourceConfig) -> AnySource:
    """Return the source (a Source or a PollingSource) built from ``config``.

    Raises BadInput naming the source and listing the known kinds when ``config.kind``
    is unknown; factories raise BadInput for bad options.
    """
    return registry.get(config.kind, owner=f"source {config.name!r}")(config)


def create_sources(registry: Registry[SourceFactory],
                   configs: list[SourceConfig]) -> list[AnySource]:
    """Return a Source for every enabled config, in order (raises like :func:`create_source`)."""
    return [create_source(registry, c) for c in configs if c.enabled]
