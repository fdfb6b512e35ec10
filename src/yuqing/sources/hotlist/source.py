"""``kind = "hotlist"``: one platform's hot list, polled, each topic one item.

Every poll GETs the list (the platform's default endpoint, or the source's ``url``
for a mirror or a test), reads it with the platform's adapter (platforms.py),
stores the snapshot (``env.memory.save_snapshot``: each topic gets a rank/heat
series) and compares it with the previous one (changes.py). It returns one item
per topic that entered, rose, moved or left; an unchanged topic yields nothing.

A topic is ONE item: ``id`` = hotsearch.topic_id of ``"<list>:<topic key>"``, so
the item key ``<source>:<id>`` is the same on every poll and the pipeline stores
the first sighting and updates it after (``published_at`` stays the first
sighting: the store keeps it on updates). ``text`` and ``title`` are the topic's
title, ``url`` its link; ``extra`` holds ``platform``, ``hotlist`` (the list's
Chinese name), ``hotlist_change`` (``"entered"``, ``"rising"``, ``"left"`` or
None), ``rank`` (None once it left), ``previous_rank``, ``best_rank`` (over the
stored snapshots) and ``heat`` (None where the platform gives none).

Options: ``platform`` (required: a name of platforms.PLATFORMS), ``url``,
``headers`` (a table of request headers, e.g. a ``Cookie`` some platforms want),
``rise_places`` (default 10) and ``rise_heat_percent`` (default 50): see
changes.py. ``media_type`` defaults to the platform's.

A bad answer (HTML, a login wall, a changed shape, an empty list) fails the poll
with the platform and the field named (shape.ShapeError); nothing is stored from
it, so the previous snapshot stays the one the next poll compares with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from yuqing.config import SourceConfig
from yuqing.domain import BadInput, HotlistEntry, RawItem
from yuqing.sources.base import (
    HTTP_OPTIONS,
    ConfiguredSource,
    FetchResult,
    FetchState,
    check_options,
    http_url,
    require_option,
)
from yuqing.sources.hotlist.changes import RISE_HEAT_PERCENT, RISE_PLACES, Rise, TopicChange
from yuqing.sources.hotlist.changes import compare_snapshots as compare
from yuqing.sources.hotlist.platforms import Platform, platform
from yuqing.sources.hotsearch import topic_id
from yuqing.sources.polling import FetchError, PollEnv


def _where(config: SourceConfig) -> str:
    return f"source {config.name!r} (kind {config.kind})"


def rise_option(config: SourceConfig) -> Rise:
    """Return the source's rise thresholds (``rise_places`` >= 1, ``rise_heat_percent``
    > 0); raises BadInput naming the source and the option."""
    places, percent = config.option("rise_places", RISE_PLACES), config.option(
        "rise_heat_percent", RISE_HEAT_PERCENT)
    if isinstance(places, bool) or not isinstance(places, int) or places < 1:
        raise BadInput(f"{_where(config)}: option 'rise_places' must be a whole number >= 1, "
                       f"not {places!r}")
    if isinstance(percent, bool) or not isinstance(percent, int | float) or percent <= 0:
        raise BadInput(f"{_where(config)}: option 'rise_heat_percent' must be a number > 0, "
                       f"not {percent!r}")
    return Rise(places, float(percent))


def headers_option(config: SourceConfig) -> dict[str, str]:
    """Return the ``headers`` option (a table of strings); raises BadInput otherwise."""
    value = config.option("headers", {}) or {}
    if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise BadInput(f"{_where(config)}: option 'headers' must be a table of strings")
    return dict(value)


class HotList:
    """One hot list a source watches: its adapter, URL, and where its snapshots live.

    ``memory_key`` names the list in the source memory (the source name, or
    ``name/id`` for one list of several); ``list_id`` goes into topic ids
    (``"<list_id>:<key>"``) and ``extra.platform``; ``label`` is its Chinese name;
    ``where`` starts the messages about its answers (``"weibo"``, ``"newsnow weibo"``).
    """

    def __init__(self, adapter: Platform, url: str, memory_key: str, list_id: str,
                 label: str, media_type: str, where: str | None = None) -> None:
        self.adapter = adapter
        self.where = where or list_id
        self.url = url
        self.memory_key = memory_key
        self.list_id = list_id
        self.label = label
        self.media_type = media_type

    async def read(self, env: PollEnv, headers: Mapping[str, str]) -> list[HotlistEntry]:
        """GET the list and return its entries; raises FetchError or ShapeError."""
        page = await env.http.get(self.url, headers=headers)
        return self.adapter.parse(page.body, self.where)

    def topics(self, env: PollEnv, entries: Sequence[HotlistEntry], rise: Rise,
               config: SourceConfig, now: datetime) -> list[RawItem]:
        """Store ``entries`` as this list's snapshot at ``now``; return the items of the
        topics that changed since the previous snapshot (module doc)."""
        previous = env.memory.last_snapshot(self.memory_key)
        env.memory.save_snapshot(self.memory_key, now, entries)
        return [self._item(c, env, config, now) for c in compare(previous, entries, rise)]

    def _item(self, change: TopicChange, env: PollEnv, config: SourceConfig,
              now: datetime) -> RawItem:
        entry = change.entry
        series = env.memory.snapshot_series(self.memory_key, entry.key)
        extra: dict[str, Any] = {
            "platform": self.list_id, "hotlist": self.label, "hotlist_change": change.fact,
            "rank": None if change.fact == "left" else entry.rank,
            "previous_rank": change.previous_rank,
            "best_rank": min((e.rank for _, e in series), default=entry.rank),
            "heat": None if change.fact == "left" else entry.heat,
        }
        return RawItem(
            source=config.name, text=entry.title, title=entry.title, fetched_at=now,
            id=topic_id(f"{self.list_id}:{entry.key}"), media_type=self.media_type,
            url=entry.url, published_at=now, tz=config.timezone,
            origin=f"{self.url}#{entry.rank}", extra=extra,
        )


def media_type_of(config: SourceConfig, default: str) -> str:
    """Return the config's ``media_type`` when it sets one, else ``default``."""
    return config.media_type if "media_type" in config.model_fields_set else default


#: the options of every hot-list source (``hotlist``, ``newsnow``)
LIST_OPTIONS = HTTP_OPTIONS | {"url", "rise_places", "rise_heat_percent"}


class ListSource(ConfiguredSource):
    """Base of sources that watch hot lists (``hotlist``, ``newsnow``): polled only.

    Subclasses set ``lists`` (HotList) in ``__init__``; ``poll`` reads each, stores its
    snapshot and returns the topics' items. A list that fails is named in the error;
    the others still count (status ``degraded``; ``failed`` when none was read).
    """

    supports_conditional_get: ClassVar[bool] = False
    is_finite: ClassVar[bool] = False
    is_remote: ClassVar[bool] = True
    lists: list[HotList]

    def __init__(self, config: SourceConfig) -> None:
        self._config = config
        self.rise = rise_option(config)
        self.headers = headers_option(config)

    def endpoints(self) -> list[str]:
        """Return the URL of every list (the platform's default endpoint unless ``url``
        overrides it), so the source's ``delay`` and ``timeout`` apply to their hosts."""
        return [hot.url for hot in self.lists]

    async def poll(self, state: FetchState, env: PollEnv) -> FetchResult:
        """Read every list, store its snapshot, return the changed topics; never raises
        for a failed request or a bad answer (they are the result's ``error``)."""
        items: list[RawItem] = []
        errors: list[str] = []
        for hot in self.lists:
            try:
                entries = await hot.read(env, self.headers)
            except (FetchError, BadInput) as exc:
                errors.append(str(exc))
                continue
            items += hot.topics(env, entries, self.rise, self._config,
                                env.now().astimezone(UTC))
        if not errors:
            return FetchResult(items)
        return FetchResult(items, "degraded" if len(errors) < len(self.lists) else "failed",
                           "; ".join(errors))


class HotlistSource(ListSource):
    """``kind = "hotlist"``: one platform's hot list (module doc)."""

    def __init__(self, config: SourceConfig) -> None:
        check_options(config, LIST_OPTIONS | {"platform"})
        super().__init__(config)
        adapter = platform(require_option(config, "platform"), _where(config))
        url = config.option("url") or adapter.url
        if not isinstance(url, str):
            raise BadInput(f"{_where(config)}: option 'url' must be a string")
        http_url(config, "url", url)
        self.lists = [HotList(adapter, url, config.name, adapter.name, adapter.label,
                              media_type_of(config, adapter.media_type))]
