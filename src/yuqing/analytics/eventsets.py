"""Labelled event sets built at run time from the research data in ``../shared/data``.

Nothing here is shipped data: the functions read the research folders (see
their SOURCE.txt) and yield exchange-format records (INTERFACES.md) with an
``event_label``, for ``yuqing eval events`` and benchmarks/events.py.

* **CHECKED** (``checked_covid_fake/posts_all.csv``): the fake-news posts,
  labelled by their official ``analysis`` text -- the same rumour told by
  different posters, in their own words.
* **CED** (``ced_rumor/original-microblog`` + ``*-repost``): each original
  post with its reposts and comments, labelled by the event; a record's
  ``parent_id`` is its ``parent`` mid, or the original's mid when ``parent``
  is empty (a direct repost). An empty repost text becomes ``转发微博``,
  the text Weibo shows for a repost without words.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

EMPTY_REPOST_TEXT = "转发微博"


def checked_records(data: Path) -> Iterator[dict[str, Any]]:
    """Yield the CHECKED fake-news posts of ``data``/checked_covid_fake as labelled records."""
    with (data / "checked_covid_fake" / "posts_all.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["label"] != "fake" or not row["analysis"]:
                continue
            label = hashlib.sha1(row["analysis"].encode("utf-8")).hexdigest()[:12]
            yield {"id": row["id"], "text": row["text"], "published_at": row["date"],
                   "source": "checked", "media_type": "weibo", "author": row["user_id"],
                   "reposts": row["repost_num"] or None, "comments": row["comment_num"] or None,
                   "likes": row["like_num"] or None, "event_label": label}


def ced_events(data: Path) -> list[Path]:
    """Return the CED repost files of ``data``/ced_rumor that have an original post, sorted."""
    folder = data / "ced_rumor"
    files = sorted([*folder.glob("rumor-repost/*.json"), *folder.glob("non-rumor-repost/*.json")])
    return [f for f in files if (folder / "original-microblog" / f.name).is_file()]


def _ced_time(value: Any) -> str:
    """CED's ``time``: unix seconds (most rows) or a Weibo date string (87 rows)."""
    if isinstance(value, int | float) or str(value).isdigit():
        return datetime.fromtimestamp(int(value), UTC).isoformat()
    return parsedate_to_datetime(str(value).replace("+0800", "+0800 ")).isoformat()


def ced_records(repost_file: Path, *, with_original: bool = True) -> Iterator[dict[str, Any]]:
    """Yield one CED event as labelled records: the original (unless ``with_original`` is
    False) then its reposts. The original's id is the mid in the file name
    ``<index>_<mid>_<uid>.json``; the label is the file stem."""
    label = repost_file.stem
    mid = label.split("_")[1]
    original_path = repost_file.parent.parent / "original-microblog" / repost_file.name
    original = json.loads(original_path.read_text(encoding="utf-8"))
    if with_original:
        yield {"id": mid, "text": original["text"] or EMPTY_REPOST_TEXT, "source": "ced",
               "media_type": "weibo", "author": label.split("_")[2],
               "published_at": _ced_time(original["time"]), "reposts": original.get("reposts"),
               "comments": original.get("comments"), "likes": original.get("likes"),
               "event_label": label}
    for rec in json.loads(repost_file.read_text(encoding="utf-8")):
        yield {"id": rec["mid"], "text": rec["text"] or EMPTY_REPOST_TEXT, "source": "ced",
               "media_type": "weibo", "author": rec["uid"], "published_at": rec["date"],
               "parent_id": rec["parent"] or mid, "event_label": label}


def write_jsonl(records: Iterator[dict[str, Any]], path: Path) -> int:
    """Write ``records`` to ``path`` as JSON Lines; return how many."""
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n
