"""Reading the real CHECKED replay stream with the built-in column mapping.

Research data: read from shared/data next to the repo, never copied; skipped
when absent.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from yuqing.domain import BadInput, RawItem
from yuqing.sources.files import count_rows, read_items
from yuqing.sources.records import load_mapping

CHECKED = (
    Path(__file__).parents[3] / "shared" / "data" / "checked_covid_fake" / "replay_stream.csv.gz"
)


def test_whole_checked_stream_reads_without_bad_rows() -> None:
    if not CHECKED.exists():
        pytest.skip(f"{CHECKED} not present")
    results = list(read_items(CHECKED, mapping=load_mapping("builtin:checked_replay"),
                              media_type="weibo"))
    items = [r for r in results if isinstance(r, RawItem)]
    assert len(results) == len(items) == 48358
    assert not any(isinstance(r, BadInput) for r in results)
    assert all(isinstance(i.id, str) and len(i.id) == 32 for i in items)
    assert Counter(i.extra["kind"] for i in items) == {"post": 392, "repost": 21733,
                                                       "comment": 26233}
    posts = [i for i in items if i.extra["kind"] == "post"]
    assert all(i.parent_id is None and i.likes is not None for i in posts)
    assert all(i.parent_id for i in items if i.extra["kind"] != "post")
    assert sum("empty_text" in i.flags for i in items) == 1251
    assert count_rows(CHECKED) == 48358
