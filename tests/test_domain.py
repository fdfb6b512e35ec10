"""The core types: original spans, the origin of a bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.domain import BadInput, Item


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


def test_stage_fields_start_unset_and_are_not_shared() -> None:
    now = datetime(2024, 3, 5, tzinfo=UTC)
    a, b = (Item(key=k, source="s", text="x", match_text="x", offsets=[0], published_at=now,
                 fetched_at=now) for k in ("a", "b"))
    assert (a.repost_chain, a.place_detail, a.keywords, a.handling, a.spike, a.incident,
            a.extra) == ([], None, None, None, False, None, {})
    a.repost_chain.append("路人甲")
    assert b.repost_chain == []
