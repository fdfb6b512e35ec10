r"""docs/FIELD_CASES.md F4: the same CSV saved as UTF-8, UTF-8 with BOM and GB18030.

Expected: three identical records; the first column is ``id``, not
``\ufeffid``; the id stays the string ``5012345678901234``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.domain import RawItem
from yuqing.sources.files import read_items

ITEMS = Path(__file__).parents[1] / "fixtures" / "items"
AT = datetime(2024, 3, 5, tzinfo=UTC)
NAMES = ["f4_utf8.csv", "f4_utf8_bom.csv", "f4_gb18030.csv", "f4_gb18030.csv.gz"]


@pytest.mark.parametrize("name", NAMES)
def test_f04_each_encoding_reads_the_record(name: str) -> None:
    (item,) = list(read_items(ITEMS / name, source="export", fetched_at=AT))
    assert isinstance(item, RawItem)
    assert item.id == "5012345678901234"
    assert item.text == "今天的发布会推迟了"
    assert item.extra == {}  # no "\ufeffid" column left over
    assert item.flags == []


def test_f04_three_identical_records() -> None:
    records = []
    for name in NAMES:
        (item,) = list(read_items(ITEMS / name, source="export", fetched_at=AT))
        assert isinstance(item, RawItem)
        records.append((item.id, item.text, item.source, item.extra, item.flags))
    assert len(set(map(repr, records))) == 1
