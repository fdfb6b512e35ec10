"""Tests of yuqing.pipeline.dedup: updates, exact and near duplicates, seeding, memory bound."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np
import pytest
from datasketch import MinHash

from yuqing.domain import Item, RawItem
from yuqing.pipeline.dedup import (
    BandIndex,
    Deduplicator,
    Signer,
    code_hash,
    jaccard,
    ngram_set,
    own_words,
)
from yuqing.pipeline.normalize import Normalizer

FETCH = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)
NEWS = [
    "市应急管理局通报：今日凌晨某化工园区发生火情，已扑灭，无人员伤亡",
    "市交通运输局发布通知，地铁三号线因设备检修明日停运半天，请市民提前安排出行",
    "区教育局回应家长关切：学校食堂将引入第三方检测，每周公布检测结果",
    "省气象台发布寒潮蓝色预警，未来三天气温将下降八到十度，注意防寒保暖",
]


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer()


def items(normalizer: Normalizer, *texts: str, prefix: str = "", **kw: object) -> list[Item]:
    out, rejected = normalizer.to_items(
        RawItem(source="weibo", id=f"{prefix}{i}", text=t, fetched_at=FETCH, **kw)  # type: ignore[arg-type]
        for i, t in enumerate(texts)
    )
    assert not rejected
    return out


def test_signatures_equal_datasketch() -> None:
    signer = Signer(ngram=2, num_perm=64)
    texts = ["市卫健委回应网传某医院停诊", NEWS[0]]
    sigs = signer.sign(texts)
    for text, sig in zip(texts, sigs, strict=False):
        codes = [ord(text[i]) << 21 | ord(text[i + 1]) for i in range(len(text) - 1)]
        ref = MinHash(
            num_perm=64,
            seed=1,
            scheme="affine32",
            hashfunc=lambda c: int(code_hash(np.array([c], dtype=np.uint64))[0]),
        )
        ref.update_batch(codes)
        assert np.array_equal(ref.hashvalues, sig)


def test_band_index_finds_what_one_table_per_band_finds() -> None:
    """The sorted arrays, their directory, the waiting dicts, merges and renumbering give
    the candidates of the plain rule: keys sharing >= min_bands (band, fingerprint)."""
    rng = random.Random(5)
    bands = 6
    # few distinct values, some equal in different bands, some near the top and the bottom
    values = [rng.getrandbits(64) for _ in range(12)] + [0, 1, 2**64 - 1]
    index = BandIndex(bands, 1, min_bands=2)
    index.MERGE_KEYS = 7  # many merges
    tables: list[dict[int, set[str]]] = [{} for _ in range(bands)]
    indexed: dict[str, list[int]] = {}

    def reference(fps: list[int]) -> set[str]:
        hits: dict[str, int] = {}
        for table, fp in zip(tables, fps, strict=True):
            for key in table.get(fp, ()):
                hits[key] = hits.get(key, 0) + 1
        return {key for key, n in hits.items() if n >= 2}

    def forget(key: str) -> None:
        for table, fp in zip(tables, indexed.pop(key), strict=True):
            table[fp].discard(key)

    for step in range(3000):
        key = f"k{rng.randrange(400)}"
        fps = [rng.choice(values) for _ in range(bands)]
        action = rng.random()
        if action < 0.5:
            if key in indexed:
                forget(key)
            index.insert(key, fps)
            indexed[key] = fps
            for table, fp in zip(tables, fps, strict=True):
                table.setdefault(fp, set()).add(key)
        elif action < 0.7:
            if key in indexed:
                forget(key)
            index.remove(key)
        else:
            assert index.query(fps) == reference(fps), step
    assert len(index) == len(indexed)
    assert index._fp.size > 0  # merged entries were searched
    assert len(index._keys) < 3000 // 2  # slots were renumbered


def test_exact_duplicate_points_at_first_seen(normalizer: Normalizer) -> None:
    dedup = Deduplicator()
    batch = items(normalizer, NEWS[0], NEWS[1], NEWS[0] + " ")
    dedup.process(batch)
    assert [it.duplicate_of for it in batch] == [None, None, "weibo:0"]


def test_near_duplicate_with_repost_prefix_and_edit(normalizer: Normalizer) -> None:
    dedup = Deduplicator()
    first = items(normalizer, *NEWS)
    dedup.process(first)
    edited = NEWS[1].replace("半天", "一天") + "//@用户3f2a1b:扩散"
    second = items(normalizer, edited, "完全无关的一条消息，讲的是周末音乐节的票务安排", prefix="r")
    dedup.process(second)
    assert second[0].duplicate_of == "weibo:1"
    assert second[0].repost_chain == ["用户3f2a1b"]
    assert second[1].duplicate_of is None


def test_different_notice_from_same_office_is_not_duplicate(normalizer: Normalizer) -> None:
    dedup = Deduplicator()
    batch = items(normalizer, "市卫健委回应网传某医院停诊", "市卫健委回应网传某学校停课")
    dedup.process(batch)
    assert batch[1].duplicate_of is None
    assert (
        jaccard(
            ngram_set("市卫健委回应网传某医院停诊", 2), ngram_set("市卫健委回应网传某学校停课", 2)
        )
        == 0.5
    )


def test_trivial_reposts_are_never_duplicates(normalizer: Normalizer) -> None:
    dedup = Deduplicator()
    batch = items(
        normalizer,
        "转发微博",
        "转发微博",
        "转发 //@路人甲:注意安全",
        "转发//@路人甲:注意安全",
        "Repost",
    )
    dedup.process(batch)
    assert all(it.duplicate_of is None for it in batch)
    assert batch[2].repost_chain == ["路人甲"]


def test_short_texts_only_exact(normalizer: Normalizer) -> None:
    dedup = Deduplicator()
    batch = items(normalizer, "太可怕了吧", "太可怕了啊", "太可怕了吧")
    dedup.process(batch)
    assert [it.duplicate_of for it in batch] == [None, None, "weibo:0"]


def test_same_key_or_canonical_url_is_an_update(normalizer: Normalizer) -> None:
    dedup = Deduplicator()
    first, _ = normalizer.to_items(
        [
            RawItem(
                source="rss",
                id="http://news.example.cn/a/1001.html",
                url="http://news.example.cn/a/1001.html",
                text=NEWS[0],
                fetched_at=FETCH,
            )
        ]
    )
    dedup.process(first)
    again, _ = normalizer.to_items(
        [
            RawItem(
                source="rss",
                id="https://news.example.cn/a/1001.html?from=rss",
                url="https://news.example.cn/a/1001.html?from=rss",
                text=NEWS[0] + "（评论12）",
                fetched_at=FETCH,
            )
        ]
    )
    dedup.process(again)
    assert again[0].is_update and again[0].key == first[0].key and again[0].duplicate_of is None
    assert len(dedup) == 1


def test_root_id_for_direct_reposts(normalizer: Normalizer) -> None:
    dedup = Deduplicator()
    batch = items(normalizer, "转发", parent_id="5000000000012345")
    chained = items(normalizer, "转发//@路人甲:注意安全", prefix="c", parent_id="5000000000012345")
    dedup.process(batch + chained)
    assert batch[0].root_id == "5000000000012345"
    assert chained[0].root_id is None


def test_rejected_items_are_skipped(normalizer: Normalizer) -> None:
    dedup = Deduplicator()
    batch = items(normalizer, NEWS[0], NEWS[0])
    batch[0].rejected = "other_stage"
    dedup.process(batch)
    assert batch[1].duplicate_of is None


def test_seed_makes_restart_deduplicate(normalizer: Normalizer) -> None:
    stored = items(normalizer, *NEWS)
    dedup = Deduplicator()
    assert (
        dedup.seed((it.key, it.content_hash, it.canonical_url, it.match_text) for it in stored) == 4
    )
    fresh = items(normalizer, NEWS[2], NEWS[3].replace("八到十度", "八至十度"), prefix="n")
    dedup.process(fresh)
    assert [it.duplicate_of for it in fresh] == ["weibo:2", "weibo:3"]


def test_capacity_evicts_oldest(normalizer: Normalizer) -> None:
    dedup = Deduplicator(capacity=2)
    dedup.process(items(normalizer, *NEWS[:3]))
    assert len(dedup) == 2
    again = items(normalizer, NEWS[0], NEWS[2], prefix="x")
    dedup.process(again)
    assert again[0].duplicate_of is None  # forgotten
    assert again[1].duplicate_of == "weibo:2"


def test_recall_of_one_edit_on_varied_posts(normalizer: Normalizer) -> None:
    rng = random.Random(11)
    pool = "".join(NEWS)
    originals = [
        "".join(rng.choice(pool) for _ in range(rng.randrange(12, 80))) for _ in range(300)
    ]
    dedup = Deduplicator()
    dedup.process(items(normalizer, *originals))
    edited = []
    for text in originals:
        k = rng.randrange(len(text))
        edited.append(text[:k] + "鑫" + text[k + 1 :])
    copies = items(normalizer, *edited, prefix="e")
    dedup.process(copies)
    found = sum(it.duplicate_of == f"weibo:{i}" for i, it in enumerate(copies))
    assert found / len(copies) >= 0.97


def test_own_words_strip_chain_and_punctuation() -> None:
    assert own_words("说得好！ 支持。//@用户a:原文") == ("说得好支持", ["用户a"])


TAIL = "本文转自青山日报微信公众号，版权归原作者所有，如有侵权请联系删除。责任编辑：李四"


def test_short_posts_differing_only_in_punctuation_or_emoji_are_duplicates(
    normalizer: Normalizer,
) -> None:
    dedup = Deduplicator()
    batch = items(normalizer, "学校停课了！", "学校停课了", "学校停课了😭😭", "学校停课了[泪]",
                  "学校停课了？？", "学校停课了吗", "支持//@青山发布:学校停课了",
                  "支持//@路人甲:学校停课了")
    dedup.process(batch)
    assert [it.duplicate_of for it in batch] == [
        None, "weibo:0", "weibo:0", "weibo:0", "weibo:0", None, None, None]


def test_attribution_tails_are_stripped_before_hashing_and_signing(
    normalizer: Normalizer,
) -> None:
    dedup = Deduplicator()
    batch = items(normalizer, "学校停课了！", "学校停课了。" + TAIL, "学校停课了——转自青山教育",
                  "来源：青山发布。学校停课了", NEWS[1],
                  NEWS[1] + "\n来源：青山发布 责任编辑：张三")
    dedup.process(batch)
    assert [it.duplicate_of for it in batch] == [None, "weibo:0", "weibo:0", "weibo:0", None,
                                                 "weibo:4"]
    assert batch[1].content_hash != batch[0].content_hash  # the stored text keeps its tail
    assert batch[1].text.endswith("李四")


def test_different_posts_sharing_a_long_tail_stay_apart(normalizer: Normalizer) -> None:
    first, second = "学校停课了。" + TAIL, "医院停诊了。" + TAIL
    # without stripping, the tail alone would make them near-duplicates
    assert jaccard(ngram_set(own_words(first)[0] + TAIL, 2),
                   ngram_set(own_words(second)[0] + TAIL, 2)) >= 0.6
    dedup = Deduplicator()
    batch = items(normalizer, first, second, NEWS[0] + TAIL, NEWS[3] + TAIL)
    dedup.process(batch)
    assert [it.duplicate_of for it in batch] == [None, None, None, None]
    assert own_words(first)[0] == "学校停课了"


def test_seed_knows_punctuation_variants_after_a_restart(normalizer: Normalizer) -> None:
    stored = items(normalizer, "学校停课了！" + TAIL)
    dedup = Deduplicator()
    dedup.seed((it.key, it.content_hash, it.canonical_url, it.match_text) for it in stored)
    fresh = items(normalizer, "学校停课了", prefix="n")
    dedup.process(fresh)
    assert fresh[0].duplicate_of == "weibo:0"
