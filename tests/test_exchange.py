"""Exchange-format values: lossy ids, counts, strings no store keeps."""

from __future__ import annotations

import pytest

from yuqing.domain import BadInput
from yuqing.exchange import MAX_COUNT, clean_string, field_string, is_lossy_id, parse_count


@pytest.mark.parametrize("value", ["7.31234567890123E+18", "5.01E+15", "5.012345678901234e+15",
                                   "5012345678901234.0", 5.012345678901234e15])
def test_float_mangled_ids_are_lossy(value: object) -> None:
    assert is_lossy_id(value)


@pytest.mark.parametrize("value", ["5012345678901234", "3e47199473151162", "619e296372662365",
                                   "O5banBlCi", "0012", "1.2.3"])
def test_real_ids_are_not_lossy(value: str) -> None:
    # hex digests with an 'e' in them are not scientific notation (hot-search ids)
    assert not is_lossy_id(value)


@pytest.mark.parametrize(("value", "expected"), [
    (12, (12, True)), ("1,234", (1234, True)), ("1.2万", (12000, True)), ("10w+", (100000, True)),
    ("3k", (3000, True)), (None, (None, True)), ("", (None, True)), ("很多", (None, False)),
    (-5, (None, False)), (True, (None, False)), (10**30, (None, False)), ("1e308", (None, False)),
    (1e308, (None, False)), (MAX_COUNT, (MAX_COUNT, True)),
])
def test_parse_count(value: object, expected: tuple[int | None, bool]) -> None:
    assert parse_count(value) == expected


def test_clean_string_drops_nul_controls_and_lone_surrogates() -> None:
    assert clean_string("a\x00b\x07c\ud83dd\te\nf😀") == "abcd\te\nf😀"


def test_field_string_refuses_objects_and_booleans_naming_field() -> None:
    assert field_string(5012345678901234, "id", "x.jsonl:1") == "5012345678901234"
    assert field_string("  ", "id", "x.jsonl:1") is None
    assert field_string("a\x00b", "author", "x.jsonl:1") == "ab"
    with pytest.raises(BadInput, match=r"x.jsonl:3: field 'id' .* got dict"):
        field_string({"x": 1}, "id", "x.jsonl:3")
    with pytest.raises(BadInput, match="got bool"):
        field_string(True, "text", "x.jsonl:4")
