"""Whole-pipeline throughput on one core, against jieba + SnowNLP in the same run.

Usage: python benchmarks/pipeline.py [--json] [--n 10000] [--baseline-n 300] [--data FILE]
                                     [--stages core|all]

Feeds Weibo-length posts (sentiment3 texts, research data read from
../shared/data) through every stage (normalise, de-duplicate, segment,
sentiment, sensitive terms, places, keywords, handling class, schemes,
events), the store (SQLite in a temporary folder) and the alert rules with
their outbox, in batches of 1,000, pinned to one CPU core. ``--stages core``
runs only the stages of the main job (normalise, de-duplicate, segment,
sentiment, sensitive terms, schemes) before the store and alerts, to
separate their cost from the later analysis and event stages. The baseline does
segmentation (jieba) and sentiment (SnowNLP) only, on the first
``--baseline-n`` of the same posts. Both are timed by the wall clock and by the
process's CPU time (``time.process_time``: on a machine shared with other jobs the wall
clock also counts the time the core served them). Prints one JSON object:
{"n", "mean_chars", "posts_per_s", "baseline_name", "baseline_posts_per_s", "ratio",
"cpu_posts_per_s", "baseline_cpu_posts_per_s", "cpu_ratio"} (``cpu_*``: posts per CPU
second of this process).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "sentiment3" / "train.csv"


def load_texts(path: Path, n: int) -> list[str]:
    """The first ``n`` texts of a ``text,label`` CSV."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["text"] for _, row in zip(range(n), csv.DictReader(fh), strict=False)]


CORE_STAGES = ("dedup", "segment", "sentiment", "sensitive", "schemes")


def run_pipeline(texts: list[str], order: tuple[str, ...] | None = None
                 ) -> tuple[float, float]:
    """(posts per wall second, posts per CPU second) of the pipeline (``order`` of stages,
    default all) over ``texts`` on a fresh SQLite store."""
    from yuqing.cli.demo import demo_config_path
    from yuqing.config import load_config
    from yuqing.domain import RawItem
    from yuqing.runtime.ingest import run_stream
    from yuqing.runtime.pipeline import Pipeline
    from yuqing.runtime.registries import load_registries
    from yuqing.runtime.stages import build_stages
    from yuqing.store import open_store

    config = load_config(demo_config_path())
    now = datetime.now(UTC)
    raws = [RawItem(source="bench", id=str(i), text=t, fetched_at=now, published_at=now,
                    media_type="weibo") for i, t in enumerate(texts)]
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        # alerts are recorded in the outbox inside the batch; delivery runs in its own thread
        registries = load_registries()
        stages = build_stages(config, registries.stages, order=order)
        pipeline = Pipeline(config, store, registries=registries, stages=stages)
        start, cpu_start = time.perf_counter(), time.process_time()
        outcome = run_stream(pipeline, raws)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        store.close()
    if outcome.stored != len(texts) - outcome.rejected:
        raise SystemExit(f"pipeline stored {outcome.stored} of {len(texts)}: {outcome.as_dict()}")
    return len(texts) / elapsed, len(texts) / cpu


def run_baseline(texts: list[str]) -> tuple[float, float]:
    """(posts per wall second, posts per CPU second) of jieba segmentation + SnowNLP
    sentiment over ``texts``."""
    import jieba
    from snownlp import SnowNLP

    jieba.setLogLevel(60)
    jieba.initialize()
    _ = SnowNLP("预热").sentiments
    start, cpu_start = time.perf_counter(), time.process_time()
    for text in texts:
        jieba.lcut(text)
        _ = SnowNLP(text).sentiments
    return (len(texts) / (time.perf_counter() - start),
            len(texts) / (time.process_time() - cpu_start))


def main() -> None:
    """Parse arguments, time the pipeline and the baseline, print the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--baseline-n", type=int, default=300)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--stages", choices=("core", "all"), default="all",
                        help="core: the main job's stages only; all: every stage (default)")
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(
            f"{args.data}: not found (needs ../shared/data/sentiment3, or give --data)"
        )
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = load_texts(args.data, args.n)
    posts_per_s, cpu_posts_per_s = run_pipeline(
        texts, CORE_STAGES if args.stages == "core" else None)
    baseline, baseline_cpu = run_baseline(texts[: args.baseline_n])
    result = {
        "n": len(texts),
        "stages": args.stages,
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "posts_per_s": round(posts_per_s, 1),
        "baseline_name": "jieba + SnowNLP (segmentation and sentiment only)",
        "baseline_posts_per_s": round(baseline, 1),
        "ratio": round(posts_per_s / baseline, 2),
        "cpu_posts_per_s": round(cpu_posts_per_s, 1),
        "baseline_cpu_posts_per_s": round(baseline_cpu, 1),
        "cpu_ratio": round(cpu_posts_per_s / baseline_cpu, 2),
    }
    if not args.json:
        print(f"whole pipeline: {posts_per_s:.0f} posts/s; baseline: {baseline:.0f} posts/s",
              file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
