"""Labelled event sets built at run time from the research data in ``../shared/data``.

Nothing here is shipped data: the functions read the research folders (see
their SOURCE.txt) and yield exchange-format records (docs/INTERFACES.md) with an
``event_label``, for ``yuqing eval events`` and benchmarks/events.py.

* **CHECKED** (``checked_covid_fake/posts_all.csv``): the fake-news posts,
  labelled by the rumour their official ``analysis`` debunks (:func:`rumour_key`)
  -- the same rumour told by different posters, in their own words; the full
  analysis text is kept as a second labelling.
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
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

EMPTY_REPOST_TEXT = "转发微博"


_DEBUNK_URL = re.compile(r"详情[:：]\s*(https?://(?:www\.)?weibo\.com/\d+/[0-9A-Za-z]+)")
_QUOTED = re.compile(r"“[^”]*”")
_SANCTION = re.compile(r"被(?:举报|投诉)人.*", re.DOTALL)
CHECKED_LABELS = ("rumour", "analysis")
PARTS = ("all", "dev", "test")


def rumour_key(analysis: str) -> str:
    """Return the rumour a CHECKED ``analysis`` text debunks: the debunking Weibo post it
    links (``详情：https://weibo.com/<uid>/<id>``), else the text with the quoted claim and
    the sanction removed. The quoted claim is the poster's own wording and the sanction
    (``被举报人…扣除信用积分2分…``) is per poster, so the full text splits one rumour
    into several labels (341 fake posts: 196 full texts, 100 rumours;
    grouping them perfectly by rumour scores B-cubed F1 0.76 against the full texts)."""
    found = _DEBUNK_URL.search(analysis)
    if found:
        return found.group(1)
    return _QUOTED.sub("“”", _SANCTION.sub("", analysis)).strip()


def label_part(label: str) -> str:
    """Return ``"dev"`` or ``"test"``: a fixed half of the gold groups (SHA-1 of the label,
    even first byte = dev), for tuning on one half and reporting the other."""
    return "dev" if hashlib.sha1(label.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def checked_records(data: Path, *, label: str = "rumour",
                    part: str = "all") -> Iterator[dict[str, Any]]:
    """Yield the CHECKED fake-news posts of ``data``/checked_covid_fake as labelled records.

    ``label``: ``"rumour"`` groups posts by :func:`rumour_key` (the rumour debunked),
    ``"analysis"`` by the full analysis text (the earlier labelling, which also splits by
    the per-poster sanction). ``part``: ``"all"``, or the ``"dev"``/``"test"`` half of the
    groups (:func:`label_part`). Raises ValueError for another ``label`` or ``part``."""
    if label not in CHECKED_LABELS or part not in PARTS:
        raise ValueError(f"label must be one of {CHECKED_LABELS} and part one of {PARTS}")
    with (data / "checked_covid_fake" / "posts_all.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["label"] != "fake" or not row["analysis"]:
                continue
            key = rumour_key(row["analysis"]) if label == "rumour" else row["analysis"]
            gold = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
            if part != "all" and label_part(gold) != part:
                continue
            yield {"id": row["id"], "text": row["text"], "published_at": row["date"],
                   "source": "checked", "media_type": "weibo", "author": row["user_id"],
                   "reposts": row["repost_num"] or None, "comments": row["comment_num"] or None,
                   "likes": row["like_num"] or None, "event_label": gold}


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
