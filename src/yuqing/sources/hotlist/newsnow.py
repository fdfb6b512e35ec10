"""``kind = "newsnow"``: about 40 more hot lists through one newsnow server.

newsnow (github.com/ourongxing/newsnow, MIT) reads many Chinese hot lists and
serves each as ``GET <url>/api/s?id=<id>``::

    {"status": "success" | "cache", "id": "weibo", "updatedTime": 1718433605123,
     "items": [{"id": ..., "title": "...", "url": "...", "mobileUrl": "...",
                "extra": {...}}]}

Options: ``url`` (the server, required; run your own or use a public one),
``ids`` (required: the lists, e.g. ``["weibo", "zhihu", "douyin", "kuaishou",
"tieba", "thepaper", "ifeng", "cankaoxiaoxi"]``), ``headers``, ``rise_places``,
``rise_heat_percent``. Each id is watched as a hot list of its own (snapshots
under ``<source>/<id>``, topic ids from ``newsnow/<id>`` and the item's ``id``),
exactly as ``kind = "hotlist"`` watches one (source.py); newsnow gives no heat,
so "rising" is by rank. A list's media type is its platform's when Yuqing knows
the platform (``weibo`` -> weibo), else ``news``, unless the source sets one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from yuqing.config import SourceConfig
from yuqing.domain import BadInput
from yuqing.sources.answers import ShapeError, load_json
from yuqing.sources.base import check_options, http_url, require_option
from yuqing.sources.hotlist.platforms import PLATFORMS, Platform, link_from
from yuqing.sources.hotlist.source import LIST_OPTIONS, HotList, ListSource, media_type_of

#: the statuses of a usable answer (``cache``: newsnow's copy, at most its TTL old)
GOOD_STATUSES = ("success", "cache")


def newsnow_document(body: bytes, where: str) -> Any:
    """Return the JSON answer of ``/api/s``; ShapeError when it is not JSON or its
    ``status`` is not success/cache."""
    doc = load_json(body, where)
    status = doc.get("status") if isinstance(doc, dict) else None
    if status not in GOOD_STATUSES:
        raise ShapeError(f"{where}: status {status!r} is not one of {', '.join(GOOD_STATUSES)}")
    return doc


def newsnow_list(list_id: str) -> Platform:
    """Return the adapter of newsnow's list ``list_id`` (items[].title, key items[].id); its
    label and media type are those of the platform Yuqing knows by that name (the part
    before a ``-``: ``bilibili-hot-video`` -> bilibili), else ``list_id`` and news."""
    known = PLATFORMS.get(list_id.split("-")[0])
    label = known.label if known and known.name == list_id else list_id
    return Platform(list_id, label, "", known.media_type if known else "news",
                    items="items", title="title", key="id", heat=None,
                    link=link_from(None, "url", "mobileUrl"), document=newsnow_document)


class NewsnowSource(ListSource):
    """``kind = "newsnow"``: the lists ``ids`` of the newsnow server ``url`` (module doc)."""

    def __init__(self, config: SourceConfig) -> None:
        check_options(config, LIST_OPTIONS | {"ids"})
        super().__init__(config)
        server = http_url(config, "url", require_option(config, "url")).rstrip("/")
        ids = config.option("ids")
        if not isinstance(ids, list) or not ids or not all(
                isinstance(i, str) and i.strip() for i in ids):
            raise BadInput(f"source {config.name!r} (kind newsnow): option 'ids' must be a "
                           "non-empty list of newsnow list ids, e.g. [\"weibo\", \"zhihu\"]")
        self.lists = []
        for list_id in dict.fromkeys(i.strip() for i in ids):
            adapter = newsnow_list(list_id)
            self.lists.append(HotList(
                adapter, f"{server}/api/s?id={quote(list_id)}", f"{config.name}/{list_id}",
                f"newsnow/{list_id}", adapter.label, media_type_of(config, adapter.media_type),
                where=f"newsnow {list_id}"))
