"""The registries of one process: source kinds, pipeline stages, alert channel kinds.

Built once by the composition root (runtime/context.py) from our built-ins and
the entry points of the groups ``yuqing.sources``, ``yuqing.stages`` and
``yuqing.channels`` (third-party plugins), then handed to whoever builds sources,
stages or channels. Nothing else fills a registry with the built-ins.
"""

from __future__ import annotations

from dataclasses import dataclass

from yuqing.alerts.channels import registry as channels
from yuqing.plugins import Registry
from yuqing.runtime import stages
from yuqing.sources import registry as sources


@dataclass(frozen=True)
class Registries:
    """The three registries of a process (see yuqing.plugins.Registry)."""

    sources: Registry[sources.SourceFactory]
    stages: Registry[stages.StageFactory]
    channels: Registry[channels.ChannelFactory]


def load_registries() -> Registries:
    """Return new registries holding the built-ins and every installed entry point of
    the three groups.

    Raises ValueError when a plugin claims a name already taken; a plugin that fails to
    import raises its own error (it must be seen, not skipped).
    """
    found = Registries(
        sources=sources.register_builtin_sources(sources.source_registry()),
        stages=stages.register_builtin_stages(stages.stage_registry()),
        channels=channels.register_builtin_channels(channels.channel_registry()),
    )
    found.sources.load_entry_points(sources.ENTRY_POINT_GROUP)
    found.stages.load_entry_points(stages.ENTRY_POINT_GROUP)
    found.channels.load_entry_points(channels.ENTRY_POINT_GROUP)
    return found
