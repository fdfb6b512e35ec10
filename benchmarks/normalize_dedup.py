"""Speed of textnorm, normalize and dedup on real Weibo texts; prints one JSON object.

Reads /work/shared/data/checked_covid_fake/replay_stream.csv.gz (research
data, not shipped; located next to the repo checkout as ``../shared/data``).
Baseline, measured in the same run: datasketch's own per-object path
(``MinHash(...).update_batch`` with its default SHA-1 hash, then
``MinHashLSH.query``/``insert``), 128 permutations, over the same own words.
Near-dup recall: each >= 10-character text with one random CJK character
substituted must be found as a near-duplicate of its original.

Usage: python benchmarks/normalize_dedup.py [--json] [--n N]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from yuqing.domain import RawItem
from yuqing.pipeline.dedup import Deduplicator, own_words
from yuqing.pipeline.normalize import Normalizer
from yuqing.pipeline.textnorm import TextNormalizer

DATA = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "checked_covid_fake"
    / "replay_stream.csv.gz"
)


def load(n: int) -> list[str]:
    """Return up to ``n`` distinct texts of 50-100 characters from the replay stream."""
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        texts = list(
            dict.fromkeys(r["text"] for r in csv.DictReader(fh) if 50 <= len(r["text"]) <= 100)
        )
    return texts[:n]


def rate(fn, data) -> float:  # type: ignore[no-untyped-def]
    """Return items per second of ``fn(data)``."""
    start = time.perf_counter()
    fn(data)
    return len(data) / (time.perf_counter() - start)


def baseline(words: list[str]) -> None:
    """Datasketch per-object MinHash (SHA-1 of each bigram) + LSH query/insert."""
    lsh = MinHashLSH(num_perm=128, params=(32, 4))
    for i, w in enumerate(words):
        m = MinHash(num_perm=128)
        m.update_batch([w[k : k + 2].encode("utf-8") for k in range(len(w) - 1)])
        lsh.query(m)
        lsh.insert(str(i), m)


def main() -> None:
    """Measure and print one JSON object."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    if not DATA.exists():
        print(json.dumps({"error": f"missing {DATA}"}))
        sys.exit(1)
    texts = load(args.n)
    now = datetime(2020, 2, 1, tzinfo=UTC)
    tn = TextNormalizer()
    normalizer = Normalizer(tn)
    raws = [
        RawItem(source="bench", id=str(i), text=t, fetched_at=now, published_at="2020-01-22 20:32")
        for i, t in enumerate(texts)
    ]
    items, _ = normalizer.to_items(raws)
    words = [own_words(it.match_text)[0] for it in items]
    dedup_rate = rate(lambda b: Deduplicator().process(b), items)
    base_rate = rate(baseline, [w for w in words if len(w) >= 2])
    rng = random.Random(7)
    originals, edited = [], []
    for it, w in zip(items, words, strict=False):
        own_end = it.match_text.find("//@") % (len(it.match_text) + 1)
        chars = list(it.match_text)
        cjk = [k for k, c in enumerate(chars[:own_end]) if "\u4e00" <= c <= "\u9fff"]
        if len(w) < 10 or not cjk:
            continue
        chars[rng.choice(cjk)] = "鑫"
        originals.append(it)
        copy = normalizer.to_item(
            RawItem(source="bench", id="e" + (it.id or ""), text="".join(chars), fetched_at=now)
        )
        edited.append(copy)
    ded = Deduplicator()
    ded.process(list(items))
    ded.process(edited)
    found = sum(1 for e, o in zip(edited, originals, strict=False) if e.duplicate_of is not None)
    result = {
        "n": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "textnorm_per_s": round(rate(lambda b: [tn.normalize(t) for t in b], texts)),
        "normalize_per_s": round(rate(normalizer.to_items, raws)),
        "dedup_per_s": round(dedup_rate),
        "baseline_name": "datasketch MinHash per object (sha1) + LSH",
        "baseline_per_s": round(base_rate),
        "ratio": round(dedup_rate / base_rate, 2),
        "one_edit_recall": round(found / len(edited), 4),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
