"""Tests of yuqing.pipeline.keywords (TF-IDF keywords per item and per set)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.domain import Item
from yuqing.pipeline.base import StageUnavailable
from yuqing.pipeline.keywords import (
    KeywordExtractor,
    clean_for_keywords,
    read_idf,
    set_keywords,
    write_idf_table,
)

NOW = datetime(2024, 3, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def extractor() -> KeywordExtractor:
    return KeywordExtractor()


def test_keywords_are_real_words_without_noise(extractor: KeywordExtractor) -> None:
    text = "【突发】地铁2号线今早故障停运，乘客滞留站台！！[允悲][doge] @用户a1b2c3 #地铁停运# http://t.cn/abc"
    words = [w for w, _ in extractor.extract(text, top_k=20)]
    assert {"地铁", "停运", "故障", "滞留"} <= set(words)
    for noise in ("允悲", "doge", "用户a1b2c3", "t.cn", "的", "！", "[", "#", "2", "http"):
        assert noise not in words
    assert all(len(w) > 1 for w in words)


def test_weights_rank_rare_words_over_common_ones(extractor: KeywordExtractor) -> None:
    ranked = extractor.extract("今天我们医院急诊科排队排了很久很久")
    assert ranked[0][0] in {"急诊科", "排队"}
    assert ranked == sorted(ranked, key=lambda kv: -kv[1])
    assert abs(sum(extractor.weights("今天我们医院急诊科排队").values()) - 1.0) < 1e-9
    assert extractor.extract("哈哈哈哈[允悲]，的了吗") == []


def test_set_keywords_count_words_shared_by_many_items(extractor: KeywordExtractor) -> None:
    top = dict(set_keywords(extractor, ["地铁故障停运", "地铁停运乘客滞留", "医院排队"], top_k=10))
    assert list(top)[0] == "停运"
    assert top["停运"] > top["故障"] and top["地铁"] > top["乘客"]


def test_stage_sets_item_keywords(extractor: KeywordExtractor) -> None:
    item = Item(key="k", source="t", text="自来水停水三天", match_text="自来水停水三天",
                offsets=list(range(7)), published_at=NOW, fetched_at=NOW)
    extractor.process([item])
    words = [w for w, _ in item.keywords or []]
    assert {"自来水", "停水"} <= set(words) and "三天" not in words[:1]


def test_idf_table_round_trip_and_missing_file(tmp_path: Path) -> None:
    src = tmp_path / "idf.txt"
    src.write_text("地铁 6.5\n罕见词 13.9\n停运 9.0\n", encoding="utf-8")
    out = tmp_path / "idf.tsv.gz"
    assert write_idf_table(src, out) == 2
    assert read_idf(out) == {"停运": 9.0, "地铁": 6.5}
    first = out.read_bytes()
    write_idf_table(src, out)
    assert out.read_bytes() == first and gzip.decompress(first).startswith("停运".encode())
    with pytest.raises(StageUnavailable, match="absent"):
        read_idf(tmp_path / "absent.gz")


def test_clean_for_keywords_removes_codes_mentions_urls() -> None:
    assert clean_for_keywords("好[赞]@用户ab12 看http://x.cn/a #话题#").split() == [
        "好",
        "看",
        "话题",
    ]


def test_segment_tokens_are_reused_without_emoticon_and_mention_parts(
        extractor: KeywordExtractor) -> None:
    text = "地铁停运[允悲]@用户abc 乘客滞留"
    tokens = extractor.segmenter.cut(text)
    assert "允悲" in tokens
    assert extractor.extract(text, top_k=10, tokens=tokens) == extractor.extract(text, top_k=10)
