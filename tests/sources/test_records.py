"""Tests of yuqing.sources.records: the exchange format and column mappings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.domain import BadInput
from yuqing.sources.records import (
    RecordConverter,
    load_mapping,
    parse_mapping_option,
    raw_from_record,
    resolve_mapping,
)

AT = datetime(2024, 3, 5, tzinfo=UTC)
CTX = {"source": "s", "tz": "Asia/Shanghai", "media_type": "weibo", "origin": "f.csv:7",
       "fetched_at": AT}
CHECKED_ROW = {
    "time": "2020-01-22 20:35", "kind": "comment", "id": "5a2c", "root_id": "0113",
    "user_id_hashed": "a133", "root_label": "fake", "text": "：", "repost_num": "",
    "comment_num": "", "like_num": "3",
}


def test_checked_mapping_applies_and_rest_goes_to_extra() -> None:
    item = raw_from_record(CHECKED_ROW, mapping=load_mapping("builtin:checked_replay"), **CTX)
    assert (item.id, item.parent_id, item.author_id) == ("5a2c", "0113", "a133")
    assert item.published_at == "2020-01-22 20:35"
    assert (item.reposts, item.comments, item.likes) == (None, None, 3)
    assert item.extra == {"kind": "comment", "root_label": "fake"}
    assert (item.source, item.media_type, item.origin, item.flags) == ("s", "weibo", "f.csv:7", [])


def test_json_big_int_id_stays_exact() -> None:
    rec = json.loads('{"id": 12345678901234567890123, "text": "x"}')
    assert raw_from_record(rec, **CTX).id == "12345678901234567890123"


@pytest.mark.parametrize("raw_id", ["7.31234567890123E+18", "5.01E+15", 5012345678901234.0])
def test_lossy_ids_are_kept_and_flagged(raw_id: object) -> None:
    item = raw_from_record({"id": raw_id, "text": "x"}, **CTX)
    assert "lossy_id" in item.flags
    assert isinstance(item.id, str) and item.id


def test_plain_numeric_string_id_is_not_lossy() -> None:
    item = raw_from_record({"id": "5012345678901234", "text": "x"}, **CTX)
    assert (item.id, item.flags) == ("5012345678901234", [])


@pytest.mark.parametrize(("value", "expected"), [
    (7, 7), ("12", 12), ("1,234", 1234), ("1.2万", 12000), ("3亿", 300_000_000), (4.0, 4),
    ("12.0", 12),
])
def test_counts(value: object, expected: int) -> None:
    item = raw_from_record({"id": "1", "text": "x", "likes": value}, **CTX)
    assert (item.likes, item.flags) == (expected, [])


@pytest.mark.parametrize("value", ["很多", "-3", "1.5", True])
def test_bad_count_is_none_and_flagged(value: object) -> None:
    item = raw_from_record({"id": "1", "text": "x", "reposts": value}, **CTX)
    assert item.reposts is None and item.flags == ["bad_count"]


def test_missing_text_names_origin() -> None:
    with pytest.raises(BadInput, match=r"^f\.csv:7: no 'text' field"):
        raw_from_record({"id": "1"}, **CTX)


def test_empty_text_is_kept_and_flagged() -> None:
    assert raw_from_record({"id": "1", "text": ""}, **CTX).flags == ["empty_text"]


def test_id_or_url_required() -> None:
    with pytest.raises(BadInput, match="neither 'id' nor 'url'"):
        raw_from_record({"text": "x", "id": ""}, **CTX)
    assert raw_from_record({"text": "x", "url": "http://a.cn/1"}, **CTX).url == "http://a.cn/1"


def test_record_source_and_media_type_override_defaults() -> None:
    item = raw_from_record({"id": "1", "text": "x", "source": "people.cn", "media_type": "news"},
                           **CTX)
    assert (item.source, item.media_type) == ("people.cn", "news")


def test_mapped_away_column_name_is_not_read_as_ours() -> None:
    # "id" is mapped from "mid", so a column literally called "id" goes to extra
    item = raw_from_record({"mid": "m1", "id": "other", "text": "x"}, mapping={"id": "mid"}, **CTX)
    assert item.id == "m1" and item.extra == {"id": "other"}


def test_a_mapped_field_is_read_under_its_own_name_where_its_column_is_missing() -> None:
    # an export mixing rows with ``published`` and rows with ``published_at``, mapped
    # published_at=published, keeps the dates of both kinds of row
    mapping = {"published_at": "published"}
    old = raw_from_record({"id": "1", "text": "x", "published_at": "2026-12-01 08:00"},
                          mapping=mapping, **CTX)
    new = raw_from_record({"id": "2", "text": "x", "published": "2026-12-02 09:00"},
                          mapping=mapping, **CTX)
    assert (old.published_at, old.extra) == ("2026-12-01 08:00", {})
    assert (new.published_at, new.flags) == ("2026-12-02 09:00", [])


def test_a_date_under_another_name_is_flagged() -> None:
    item = raw_from_record({"id": "1", "text": "x", "发布时间": "2026-12-01"}, **CTX)
    assert item.published_at is None and item.flags == ["date_field_unread"]
    dated = raw_from_record({"id": "1", "text": "x", "published_at": "2026-12-01",
                             "date": "2026-12-01"}, **CTX)
    assert dated.flags == []


def test_mapping_to_unknown_field_is_bad_input() -> None:
    with pytest.raises(BadInput, match="not exchange fields"):
        RecordConverter({"heat": "hot"})


def test_parse_mapping_option() -> None:
    assert parse_mapping_option("published_at=time, id=mid,") == {
        "published_at": "time",
        "id": "mid",
    }
    with pytest.raises(BadInput, match="'id' is not of the form"):
        parse_mapping_option("id")


def test_load_mapping_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="not found"):
        load_mapping("builtin:nope")
    bad = tmp_path / "m.toml"
    bad.write_text("[other]\nid = 'x'\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"m\.toml: needs a \[mapping\] table"):
        load_mapping(bad)
    bad.write_text("[mapping\n", encoding="utf-8")
    with pytest.raises(BadInput, match="not a valid TOML"):
        load_mapping(bad)


def test_resolve_mapping_forms(tmp_path: Path) -> None:
    assert resolve_mapping(None) is None
    assert resolve_mapping({"id": "mid"}) == {"id": "mid"}
    assert resolve_mapping("mine", {"mine": {"text": "content"}}) == {"text": "content"}
    assert resolve_mapping("id=mid") == {"id": "mid"}
    assert resolve_mapping("builtin:checked_replay")["parent_id"] == "root_id"
    f = tmp_path / "m.toml"
    f.write_text('[mapping]\ntext = "content"\n', encoding="utf-8")
    assert resolve_mapping(str(f)) == {"text": "content"}
