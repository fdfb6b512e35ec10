"""F20.2 (docs/FIELD_CASES.md): ids rounded by Excel.

A CSV export whose id column went through Excel: ``4.49E+15`` (scientific
notation) and ``7312345678901230000`` (a 19-digit id written out again with
its last digits zeroed). Expected: both rows are stored with their text,
flagged ``lossy_id``, without an id, under a key made from their text (the
same row sent again is the same item); the id as written is kept in
``extra["lossy_id"]``; a real id beside them is untouched.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.config import Config
from yuqing.domain import RawItem
from yuqing.exchange import is_lossy_id
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.sources.files import read_items
from yuqing.store import Store

AT = datetime(2024, 3, 5, 2, tzinfo=UTC)
ROWS = {
    "4.49E+15": "燃气表读数异常，物业回应正在排查",
    "7312345678901230000": "小区停水三天无人回应",
    "5012345678901234": "今天的发布会推迟了",
}


def _read(tmp_path: Path) -> list[RawItem]:
    path = tmp_path / "export.csv"
    path.write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in ROWS.items()),
                    encoding="utf-8")
    raws = [r for r in read_items(path, source="export", fetched_at=AT)]
    assert all(isinstance(r, RawItem) for r in raws)
    return raws  # type: ignore[return-value]


@pytest.mark.parametrize("written", ["4.49E+15", "7312345678901230000", "73123456789012300",
                                     7312345678901230000, 4.49e15])
def test_rounded_ids_are_lossy(written: object) -> None:
    assert is_lossy_id(written)


@pytest.mark.parametrize("written", ["5012345678901234", "5012345678901230", "7312345678901234567",
                                     "100000000000000", "O5banBlCi"])
def test_real_ids_are_not(written: str) -> None:
    assert not is_lossy_id(written)


def test_rows_with_rounded_ids_are_kept(store: Store, tmp_path: Path) -> None:
    pipeline = Pipeline(Config(), store, registries=load_registries())
    outcome = pipeline.process(_read(tmp_path))
    assert (outcome.stored, outcome.rejected) == (3, 0)
    assert outcome.changed_by_reason["lossy_id"] == 2
    stored = {it.text: it for it in list(store.iter_items())}
    assert set(stored) == set(ROWS.values())
    for written, text in ROWS.items():
        item = stored[text]
        if written == "5012345678901234":
            assert item.key == "export:5012345678901234" and "lossy_id" not in item.flags
            continue
        assert "lossy_id" in item.flags and item.id is None
        assert item.key == f"export:text:{item.content_hash}"
        assert item.extra["lossy_id"] == written
    again = pipeline.process(_read(tmp_path))
    assert (again.stored, again.rejected) == (0, 0)
    assert len(list(store.iter_items())) == 3
