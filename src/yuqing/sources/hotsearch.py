"""Weibo hot-search topics as items, and the copy of that data bundled in the package.

The data: Weibo hot-search lists, hourly, 1-14 June 2025 (5,750 topics,
15,726 snapshot rows), derived from github.com/lxw15337674/
weibo-trending-hot-history, MIT, "Copyright (c) 2020 xiadd"; the copy in
``yuqing/data/hotsearch/`` keeps that notice (LICENSE, SOURCE.txt).

One item per topic, in the exchange format of docs/INTERFACES.md:
``id`` = first 16 hex of SHA-1 of the title (stable across runs and
machines); ``text`` = title, plus a newline and the description when there
is one; ``published_at`` = ``first_snapshot``; ``source`` =
``"weibo-hotsearch"``; ``media_type`` = ``"weibo"``; no url. Counts come from
the topic's best snapshot (the one with the highest ``hot``; the earliest on
ties): ``reposts`` <- ``discuss_count``, ``comments`` <- ``origin_count`` (as
the design brief asks; Weibo's hot-search page shows these as 讨论 and 原创).
``extra`` holds ``heat`` (= ``max_hot``), ``category`` (None for upstream's
``暂无``), ``best_rank``, ``n_snapshots``, ``last_snapshot`` and
``read_count``.

:func:`bundled_demo_items` converts the bundled gzipped files on the fly (no
derived file is shipped, so the upstream files stay the one source of
truth); topics are in ``first_snapshot`` order, so the replay source can
stream them without sorting.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any

from yuqing.domain import RawItem
from yuqing.sources.base import utc_now
from yuqing.sources.records import RecordConverter

SOURCE_NAME = "weibo-hotsearch"
BUILTIN_NAME = "builtin:weibo-hotsearch"
NO_CATEGORY = "暂无"
TZ = "Asia/Shanghai"


def topic_id(title: str) -> str:
    """Return the stable id of a topic: the first 16 hex digits of SHA-1(title, UTF-8)."""
    return hashlib.sha1(title.encode("utf-8")).hexdigest()[:16]


def _open_text(path: Path | Traversable) -> IO[str]:
    """Open a (gzipped) text file; a .gz file is decompressed whole (the bundled ones are small)."""
    raw: IO[bytes] = (io.BytesIO(gzip.decompress(path.read_bytes()))
                      if path.name.endswith(".gz") else path.open("rb"))
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def best_snapshots(snapshots: Path | Traversable) -> dict[str, dict[str, str]]:
    """Return title -> its snapshot row with the highest ``hot`` (earliest on ties)."""
    best: dict[str, dict[str, str]] = {}
    best_hot: dict[str, int] = {}
    with _open_text(snapshots) as f:
        for row in csv.DictReader(f):
            hot = int(row["hot"] or 0)
            if hot > best_hot.get(row["title"], -1):
                best[row["title"]], best_hot[row["title"]] = row, hot
    return best


def hotsearch_records(
    topics: Path | Traversable, snapshots: Path | Traversable
) -> Iterator[dict[str, Any]]:
    """Yield one exchange-format record (dict) per topic of ``topics.jsonl``.

    Fields as in the module doc; a ``.gz`` suffix on either file is read
    gzipped. Raises ValueError (json) or KeyError on a file not in the
    upstream layout.
    """
    best = best_snapshots(snapshots)
    with _open_text(topics) as f:
        for line in f:
            if line.strip():
                yield _topic_record(json.loads(line), best)


def _topic_record(topic: dict[str, Any], best: dict[str, dict[str, str]]) -> dict[str, Any]:
    title = topic["title"]
    desc = topic.get("description")
    snap = best.get(title, {})
    category = topic.get("category")
    return {
        "id": topic_id(title), "title": title,
        "text": f"{title}\n{desc}" if desc else title,
        "published_at": topic["first_snapshot"], "source": SOURCE_NAME, "media_type": "weibo",
        "reposts": snap.get("discuss_count") or None, "comments": snap.get("origin_count") or None,
        "heat": topic.get("max_hot"),
        "category": None if category in (None, "", NO_CATEGORY) else category,
        "best_rank": topic.get("best_rank"), "n_snapshots": topic.get("n_snapshots"),
        "last_snapshot": topic.get("last_snapshot"),
        "read_count": int(snap["read_count"]) if snap.get("read_count") else None,
    }


def hotsearch_items(
    topics: Path | Traversable,
    snapshots: Path | Traversable,
    *,
    fetched_at: datetime | None = None,
) -> Iterator[RawItem]:
    """Yield the RawItems of :func:`hotsearch_records` (origin ``topics:line``)."""
    conv = RecordConverter()
    at = fetched_at or utc_now()
    for n, rec in enumerate(hotsearch_records(topics, snapshots), start=1):
        yield conv.convert(rec, source=SOURCE_NAME, tz=TZ, media_type="weibo",
                           origin=f"{topics.name}:{n}", fetched_at=at)


def bundled_demo_items(*, fetched_at: datetime | None = None) -> Iterator[RawItem]:
    """Yield the 5,750 bundled hot-search topics as RawItems, in ``first_snapshot`` order."""
    folder = resources.files("yuqing").joinpath("data", "hotsearch")
    yield from hotsearch_items(folder.joinpath("topics.jsonl.gz"),
                               folder.joinpath("snapshots.csv.gz"), fetched_at=fetched_at)
