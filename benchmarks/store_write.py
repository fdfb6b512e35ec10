"""Benchmark: SQLite store writes (items + FTS bigram index), batched vs one row per transaction.

Prints one JSON object: ``{"n", "mean_chars", "batch", "items_per_s", "items_per_cpu_s",
"baseline_name", "baseline_items_per_s", "ratio", "search_ms", "search_hits"}``;
``items_per_cpu_s`` divides by this process's CPU time instead of wall time
(steadier on a busy machine). Posts are
real texts from shared/data/sentiment3 when present (cut/padded to about 70
characters, the Weibo length of MEASURED.md), else synthetic Chinese text.
Run: ``python benchmarks/store_write.py --json [--n 20000]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from yuqing.domain import Item
from yuqing.store import open_store

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sentiment3" / "train.csv"
POST_CHARS = 70


def _texts(n: int) -> list[str]:
    """Return ``n`` texts of about POST_CHARS characters (real posts when available)."""
    rng = random.Random(0)
    if DATA.exists():
        with DATA.open(encoding="utf-8") as f:
            pool = [row["text"] for row in csv.DictReader(f) if row.get("text")]
    else:
        pool = ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(POST_CHARS))]
    out = []
    for i in range(n):
        text = pool[i % len(pool)]
        while len(text) < POST_CHARS:
            text += pool[rng.randrange(len(pool))]
        out.append(text[:POST_CHARS] + str(i))
    return out


def _items(texts: list[str], prefix: str) -> list[Item]:
    """Return one Item per text, keys ``prefix:i``."""
    t0 = datetime(2024, 3, 5, tzinfo=UTC)
    return [
        Item(key=f"{prefix}:{i}", source="weibo", text=t, match_text=t,
             offsets=list(range(len(t))), published_at=t0 + timedelta(seconds=i),
             fetched_at=t0, id=str(5012345678900000 + i), media_type="weibo",
             content_hash=f"{i:016x}", sentiment="neutral", schemes=["demo"] if i % 7 == 0 else [])
        for i, t in enumerate(texts)
    ]


def main() -> None:
    """Run the benchmark and print its JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000, help="items in the batched run")
    parser.add_argument("--baseline-n", type=int, default=2_000, help="items in the baseline run")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    args = parser.parse_args()
    texts = _texts(args.n)
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/bench.db") as store:
        batched = _items(texts, "b")
        start, cpu_start = time.perf_counter(), time.process_time()
        store.save_items(batched)
        batched_s = time.perf_counter() - start
        batched_cpu_s = time.process_time() - cpu_start
        single = _items(texts[: args.baseline_n], "s")
        start = time.perf_counter()
        for item in single:
            store.save_items([item])
        single_s = time.perf_counter() - start
        start = time.perf_counter()
        hits = store.count_items(query="我们")
        search_ms = (time.perf_counter() - start) * 1000
    rate = args.n / batched_s
    baseline = args.baseline_n / single_s
    json.dump({
        "n": args.n, "mean_chars": round(sum(map(len, texts)) / len(texts), 1), "batch": 1000,
        "items_per_s": round(rate), "items_per_cpu_s": round(args.n / batched_cpu_s),
        "baseline_name": "one item per transaction",
        "baseline_items_per_s": round(baseline), "ratio": round(rate / baseline, 2),
        "search_ms": round(search_ms, 2), "search_hits": hits,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
