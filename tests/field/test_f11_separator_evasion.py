"""F11: evasion by separators, and no false shortening of a keyword with symbols."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.domain import Item
from yuqing.pipeline.sensitive import SensitiveMatcher, Term

NOW = datetime(2024, 3, 5, tzinfo=UTC)


def hits(keyword: str, text: str) -> list[tuple[str, int, int, str]]:
    item = Item(key="k", source="t", text=text, match_text=text,
                offsets=list(range(len(text))), published_at=NOW, fetched_at=NOW)
    SensitiveMatcher([Term(keyword, "x")]).process([item])
    return [(h.term, h.start, h.end, text[h.start:h.end]) for h in item.sensitive_terms]


@pytest.mark.parametrize(("text", "expected"), [
    ("曝光一批假 疫.苗", [("假疫苗", 4, 9, "假 疫.苗")]),
    ("假——疫——苗", [("假疫苗", 0, 7, "假——疫——苗")]),
    ("假日疫情防控苗头", []),
])
def test_fake_vaccine(text: str, expected: list[tuple[str, int, int, str]]) -> None:
    assert hits("假疫苗", text) == expected


def test_keyword_is_never_shortened_by_stripping_its_own_symbols() -> None:
    assert hits("≡国", "春秋战国") == []
    assert hits("≡国", "春秋≡国") == [("≡国", 2, 4, "≡国")]
