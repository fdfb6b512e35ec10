"""The core types: lossy ids, original spans."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.domain import BadInput, Item, is_lossy_id


@pytest.mark.parametrize("value", ["7.31234567890123E+18", "5.01E+15", "5.012345678901234e+15",
                                   "5012345678901234.0", 5.012345678901234e15])
def test_float_mangled_ids_are_lossy(value: object) -> None:
    assert is_lossy_id(value)


@pytest.mark.parametrize("value", ["5012345678901234", "3e47199473151162", "619e296372662365",
                                   "O5banBlCi", "0012", "1.2.3"])
def test_real_ids_are_not_lossy(value: str) -> None:
    # hex digests with an 'e' in them are not scientific notation (hot-search ids)
    assert not is_lossy_id(value)


def test_original_span_maps_through_offsets() -> None:
    now = datetime(2024, 3, 5, tzinfo=UTC)
    # original "Ａ假 疫苗" -> match "A假 疫苗"; offsets one to one here
    item = Item(key="k", source="s", text="Ａ假 疫苗", match_text="A假 疫苗",
                offsets=[0, 1, 2, 3, 4], published_at=now, fetched_at=now)
    assert item.original_span(1, 5) == (1, 5)
    assert item.original_span(5, 5) == (5, 5)
    with pytest.raises(IndexError):
        item.original_span(2, 9)


def test_bad_input_names_its_origin() -> None:
    assert BadInput("export.csv:12: 3 columns, the header has 2").origin == "export.csv:12"
