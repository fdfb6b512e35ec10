"""F20.3 (docs/FIELD_CASES.md): near-duplicates just above the threshold.

Pairs of 200-character posts whose exact bigram Jaccard lies in [0.60, 0.65)
(the threshold is 0.6): the de-duplicator finds every one, on every run (the
texts, edits and MinHash permutations are all fixed). Pairs below the
threshold stay apart: the exact check after the LSH step is kept.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from yuqing.domain import Item
from yuqing.pipeline.dedup import Deduplicator, jaccard, ngram_set

AT = datetime(2024, 3, 5, tzinfo=UTC)
#: the 3,755 common hanzi of GB 2312 level 1 (rows 0xB0-0xD7), so random bigrams rarely repeat
POOL = [bytes((hi, lo)).decode("gb2312") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF)
        if (hi, lo) < (0xD7, 0xFA)]


def pair(rng: random.Random, low: float, high: float) -> tuple[str, str, float]:
    """Return (post, edited copy, exact bigram Jaccard in [low, high)), edits one by one."""
    while True:
        post = "".join(rng.choice(POOL) for _ in range(200))
        edited, grams = list(post), ngram_set(post, 2)
        target = rng.uniform(low, high)
        score = 1.0
        while score >= target:
            edited[rng.randrange(200)] = rng.choice(POOL)
            score = jaccard(grams, ngram_set("".join(edited), 2))
        if score >= low:
            return post, "".join(edited), score


def item(key: str, text: str) -> Item:
    return Item(key=key, source="forum", text=text, match_text=text, offsets=[],
                published_at=AT, fetched_at=AT, content_hash=key)


def found(pairs: list[tuple[str, str, float]]) -> list[bool]:
    dedup = Deduplicator()
    originals = [item(f"a{i}", a) for i, (a, _, _) in enumerate(pairs)]
    copies = [item(f"b{i}", b) for i, (_, b, _) in enumerate(pairs)]
    dedup.process(originals)
    dedup.process(copies)
    assert all(o.duplicate_of is None for o in originals)
    return [c.duplicate_of == f"a{i}" for i, c in enumerate(copies)]


def test_every_pair_just_above_the_threshold_is_found() -> None:
    rng = random.Random(20)
    pairs = [pair(rng, 0.60, 0.65) for _ in range(600)]
    missed = [round(j, 3) for (_, _, j), ok in zip(pairs, found(pairs), strict=True) if not ok]
    assert missed == []


def test_pairs_below_the_threshold_stay_apart() -> None:
    rng = random.Random(21)
    pairs = [pair(rng, 0.50, 0.59) for _ in range(100)]
    assert not any(found(pairs))
