"""Throughput of each analysis stage on one core, against SnowNLP sentiment in the same run.

Usage: python benchmarks/analysis.py [--json] [--n 5000] [--baseline-n 200] [--data FILE]

Feeds Weibo posts (sentiment3 test texts, research data read from
../shared/data) through normalise, then each analysis stage in pipeline
order (segment, sentiment, sensitive, places, keywords, handling), in
batches of 1,000, and times every stage separately. The baseline is SnowNLP
sentiment on the first ``--baseline-n`` texts. Prints one JSON object:
{"n", "mean_chars", "stages": {name: posts_per_s}, "posts_per_s" (all analysis
stages together), "baseline_name", "baseline_posts_per_s", "ratio"}.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "sentiment3" / "test.csv"
STAGES = ("segment", "sentiment", "sensitive", "places", "keywords", "handling")
BATCH = 1000


def load_texts(path: Path, n: int) -> list[str]:
    """The first ``n`` texts of a ``text,label`` CSV."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["text"] for _, row in zip(range(n), csv.DictReader(fh), strict=False)]


def time_stages(texts: list[str]) -> dict[str, float]:
    """Return posts/s per analysis stage over ``texts`` (normalisation not counted)."""
    from yuqing.config import Config
    from yuqing.domain import RawItem
    from yuqing.pipeline.normalize import Normalizer
    from yuqing.runtime.stages import build_stages

    now = datetime.now(UTC)
    items, _ = Normalizer().to_items(RawItem(source="bench", id=str(i), text=t, fetched_at=now,
                                             published_at=now) for i, t in enumerate(texts))
    built = build_stages(Config(), order=STAGES)
    if built.skipped:
        raise SystemExit(f"stages unavailable: {built.skipped}")
    elapsed = dict.fromkeys(STAGES, 0.0)
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        for stage in built.stages:
            t0 = time.perf_counter()
            stage.process(batch)
            elapsed[stage.name] += time.perf_counter() - t0
    return {name: len(items) / max(sec, 1e-9) for name, sec in elapsed.items()}


def snownlp_rate(texts: list[str]) -> float:
    """Posts/s of SnowNLP sentiment on ``texts`` (model loading not counted)."""
    from snownlp import SnowNLP  # type: ignore[import-untyped]

    _ = SnowNLP("预热").sentiments
    t0 = time.perf_counter()
    for text in texts:
        _ = SnowNLP(text).sentiments
    return len(texts) / max(time.perf_counter() - t0, 1e-9)


def main() -> None:
    """Parse arguments, run, print the JSON object (or a short table)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--baseline-n", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    texts = load_texts(args.data, args.n)
    rates = time_stages(texts)
    total = 1.0 / sum(1.0 / r for r in rates.values())
    base = snownlp_rate(texts[: args.baseline_n])
    doc = {"n": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
           "stages": {k: round(v) for k, v in rates.items()}, "posts_per_s": round(total),
           "baseline_name": "snownlp sentiment", "baseline_posts_per_s": round(base, 1),
           "ratio": round(total / base, 1)}
    if args.json:
        print(json.dumps(doc))
    else:
        for key, value in doc.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
