"""Tests of yuqing.pipeline.normalize.Normalizer: RawItem -> Item or a typed rejection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.domain import RawItem, RejectedItem
from yuqing.pipeline.normalize import Normalizer, content_hash

FETCH = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer()


def raw(**kw: object) -> RawItem:
    fields: dict[str, object] = {
        "source": "weibo",
        "text": "某路段塌陷，请绕行",
        "fetched_at": FETCH,
        "origin": "export.csv:2",
    }
    fields.update(kw)
    return RawItem(**fields)  # type: ignore[arg-type]


def test_basic_fields(normalizer: Normalizer) -> None:
    item = normalizer.to_item(
        raw(
            id=" 5012345678901234 ",
            title="<b>突发</b>",
            published_at="2024-03-05 08:15",
            reposts="1.2万",
            comments=3,
            likes="1,024",
            media_type="weibo",
            author=" 某网友 ",
        )
    )
    assert item.key == "weibo:5012345678901234"
    assert item.id == "5012345678901234"
    assert item.title == "突发"
    assert item.published_at == datetime(2024, 3, 5, 0, 15, tzinfo=UTC)
    assert (item.reposts, item.comments, item.likes) == (12000, 3, 1024)
    assert item.media_type == "weibo" and item.author == "某网友"
    assert item.content_hash == content_hash(item.match_text) and len(item.content_hash) == 32
    assert item.origin == "export.csv:2" and item.flags == []


def test_html_text_is_stored_as_plain_text(normalizer: Normalizer) -> None:
    item = normalizer.to_item(
        raw(id="1", text="<p>臺北&nbsp;市</p><script>x()</script><p>停水通知</p>")
    )
    assert item.text == "臺北\u00a0市\n停水通知"
    assert item.match_text == "台北 市 停水通知"
    start = item.match_text.index("停水")
    assert item.original_span(start, start + 2) == (
        item.text.index("停水"),
        item.text.index("停水") + 2,
    )


@pytest.mark.parametrize("text", ["", "   \u3000", "<p>\u200b</p>", "<script>only()</script>"])
def test_empty_text_rejected(normalizer: Normalizer, text: str) -> None:
    with pytest.raises(RejectedItem) as err:
        normalizer.to_item(raw(id="1", text=text))
    assert err.value.reason == "empty_text"
    assert "export.csv:2" in err.value.detail


def test_no_identity_rejected(normalizer: Normalizer) -> None:
    with pytest.raises(RejectedItem) as err:
        normalizer.to_item(raw())
    assert err.value.reason == "no_identity" and "export.csv:2" in err.value.detail


@pytest.mark.parametrize(
    "bad", ["7.31234567890123E+18", "5.012345678901234e15", "5012345678901234.0",
            "7312345678901230000"]
)
def test_lossy_id_is_kept_under_a_text_key(normalizer: Normalizer, bad: str) -> None:
    item = normalizer.to_item(raw(id=bad))
    assert item.id is None and "lossy_id" in item.flags and item.extra["lossy_id"] == bad
    assert item.key == f"{item.source}:text:{item.content_hash}"


def test_lossy_id_with_a_url_is_keyed_by_the_url(normalizer: Normalizer) -> None:
    item = normalizer.to_item(raw(id="4.49E+15", url="https://news.example.cn/a/1.html"))
    assert item.key == "url:news.example.cn/a/1.html" and "lossy_id" in item.flags


def test_lossy_parent_id_is_dropped_with_flag(normalizer: Normalizer) -> None:
    item = normalizer.to_item(raw(id="1", parent_id="5.0E+15"))
    assert item.parent_id is None and "lossy_parent_id" in item.flags


def test_url_identity_and_canonical_url(normalizer: Normalizer) -> None:
    item = normalizer.to_item(
        raw(source="people.cn", url="https://www.news.example.cn/a/1.html?utm_source=x")
    )
    assert item.key == "url:news.example.cn/a/1.html"
    assert item.canonical_url == "news.example.cn/a/1.html"
    assert item.id is None


def test_weibo_mid_from_url_when_id_missing(normalizer: Normalizer) -> None:
    item = normalizer.to_item(raw(url="https://m.weibo.cn/detail/O5banBlCi"))
    assert item.id == "5012345678901234" and item.key == "weibo:5012345678901234"
    assert item.parent_id is None


def test_date_flags_and_bad_zone(normalizer: Normalizer) -> None:
    assert normalizer.to_item(raw(id="1", published_at="明天")).flags == ["date_unparsed"]
    item = normalizer.to_item(
        raw(id="1", published_at="2024-03-05 08:15", tz="Mars/Base", flags=["from_csv"])
    )
    assert item.flags == ["from_csv", "bad_timezone"]
    assert item.published_at == datetime(2024, 3, 5, 0, 15, tzinfo=UTC)


def test_bad_count_flagged(normalizer: Normalizer) -> None:
    item = normalizer.to_item(raw(id="1", likes="很多", reposts=5))
    assert item.likes is None and item.reposts == 5 and "bad_count" in item.flags


def test_to_items_counts_rejections(normalizer: Normalizer) -> None:
    items, rejected = normalizer.to_items([raw(id="1"), raw(id="2", text=""), raw(), raw(id="3")])
    assert [it.id for it in items] == ["1", "3"]
    assert [r.reason for r in rejected] == ["empty_text", "no_identity"]


def test_huge_text_is_cut_and_flagged() -> None:
    from yuqing.pipeline.normalize import MAX_TEXT_CHARS

    raw = RawItem(source="s", id="big", text="舆" * (MAX_TEXT_CHARS + 500),
                  fetched_at=datetime(2024, 3, 5, tzinfo=UTC))
    item = Normalizer().to_item(raw)
    assert len(item.text) == MAX_TEXT_CHARS and "text_truncated" in item.flags
