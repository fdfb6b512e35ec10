"""The memory of one `yuqing worker` as the store grows (issue 15: one worker <= 500 MB RSS).

Usage: python benchmarks/worker_memory.py [--json] [--sizes 100000,1000000] [--posts 4000]
       [--db URL] [--broker URL] [--schema NAME]

For each size the store (PostgreSQL, a fresh schema of ``--db`` dropped at the end, or the
existing ``--schema`` kept) is filled with generated items (benchmarks/growth.py ``fill``:
COPY, then ``ANALYZE``) up to that size; a real ``yuqing worker --concurrency 1`` (the demo
config: every stage, its schemes and alert rules) is started on it and on ``--broker`` (a
fresh RabbitMQ virtual host when ``rabbitmqctl`` may make one), given one small batch (so
its pool process has built its pipeline and warmed it from the store), then ``--posts``
new sentiment3 posts in ticketed batches of 500, and stopped.

A Celery worker is two processes: the parent (``yuqing worker``: imports, the broker
connection; it never runs the pipeline) and its pool process (forked from it: builds
the stages, warms the de-duplicator and the events stage from the store, runs the
batches). "One worker's RSS", the figure of the target, is the pool process's RSS: the
process doing the work. Pages the parent had before the fork are counted in both
processes' RSS; PSS (proportional set size) divides each shared page among the
processes that map it, so the tree's PSS is what the worker costs the machine.

Prints one JSON object: ``{"sizes", "posts", "<size>": {"warm": {...}, "after": {...},
"n_items"}, "worker_rss_mb": {"<size>": ..}, "worker_pss_mb": {..}, "target_mb": 500}``
where ``warm`` is measured after the first small batch and ``after`` after the posts, each
``{"parent": {"rss_mb", "pss_mb"}, "worker": {"rss_mb", "pss_mb", "peak_rss_mb"},
"tree": {"rss_mb", "pss_mb"}}`` (/proc/PID/smaps_rollup; ``peak_rss_mb`` is VmHWM);
``worker_rss_mb`` is the pool process's RSS after the posts at each size. The parent's
figures are the baseline: what a worker costs before it builds a pipeline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from growth import fill  # noqa: E402
from scaleout import DEFAULT_BROKER, DEFAULT_DATA, DEFAULT_DB, Vhost, load_texts, raws  # noqa: E402

BATCH = 500
TARGET_MB = 500


def memory(pid: int) -> dict[str, int]:
    """Return ``{"rss_mb", "pss_mb", "peak_rss_mb"}`` of process ``pid`` (smaps_rollup,
    status)."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            out[f"{name.lower()}_mb"] = round(int(rest.split()[0]) / 1024)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            out["peak_rss_mb"] = round(int(line.split()[1]) / 1024)
    return out


def children(pid: int) -> list[int]:
    """Return the pids of the children of ``pid``."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def snapshot(parent: int) -> dict[str, Any]:
    """Return the memory of the worker's parent, its (largest) pool process and the tree."""
    pool = [memory(p) for p in children(parent)]
    if not pool:
        raise RuntimeError("the worker has no pool process")
    top = memory(parent)
    worker = max(pool, key=lambda m: m["rss_mb"])
    return {"parent": {k: top[k] for k in ("rss_mb", "pss_mb")}, "worker": worker,
            "tree": {k: top[k] + sum(m[k] for m in pool) for k in ("rss_mb", "pss_mb")}}


def measure(url: str, broker: str, posts: list[Any], warm: list[Any], logs: Path,
            ) -> dict[str, Any]:
    """Start a worker on ``url``/``broker``, run ``warm`` then ``posts`` through it; return
    the two snapshots (module doc)."""
    from yuqing.cli.demo import demo_config_path
    from yuqing.runtime.context import make_context

    config = demo_config_path()
    ctx = make_context(config, url, broker=broker)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from yuqing.cli import app; app()", "worker", "--config",
         str(config), "--db", url, "--broker", broker, "--concurrency", "1"],
        stdout=(logs / "worker.log").open("ab"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUTF8": "1"}, start_new_session=True)
    try:
        producer = ctx.producer
        producer.wait([producer.enqueue(warm)], timeout=900)
        figures = {"warm": snapshot(proc.pid)}
        producer.wait([producer.enqueue(posts[i : i + BATCH])
                       for i in range(0, len(posts), BATCH)], timeout=3600)
        figures["after"] = snapshot(proc.pid)
        figures["n_items"] = ctx.store.count_items()
    finally:
        proc.terminate()
        proc.wait()
        ctx.close()
    return figures


def main() -> None:
    """Parse arguments; fill, start a worker and measure at each size; print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--posts", type=int, default=4000)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--broker", default=DEFAULT_BROKER)
    parser.add_argument("--schema", help="an existing schema to grow and keep (else a fresh one)")
    args = parser.parse_args()
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    sizes = [int(s) for s in args.sizes.split(",")]
    run = uuid.uuid4().hex[:6]  # the posts of every run are new items, on a kept schema too
    texts = load_texts(DEFAULT_DATA, 20 + len(sizes) * args.posts)
    admin = create_engine(args.db, isolation_level="AUTOCOMMIT")
    schema = args.schema or f"yq_memory_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    url = make_url(args.db).update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    result: dict[str, Any] = {"sizes": sizes, "posts": args.posts, "target_mb": TARGET_MB,
                              "worker_rss_mb": {}, "worker_pss_mb": {}}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for k, size in enumerate(sizes):
                fill_s = fill(url, size)
                start = 20 + k * args.posts
                vhost = Vhost(args.broker)
                try:
                    figures = measure(url, vhost.url, raws(texts[start : start + args.posts],
                                                           f"memory{run}_{size}"),
                                      raws(texts[:20], f"memory{run}_{size}warm"), Path(tmp))
                finally:
                    vhost.close()
                figures["fill_s"] = round(fill_s)
                result[str(size)] = figures
                result["worker_rss_mb"][str(size)] = figures["after"]["worker"]["rss_mb"]
                result["worker_pss_mb"][str(size)] = figures["after"]["worker"]["pss_mb"]
                if not args.json:
                    print(size, json.dumps(figures), file=sys.stderr)
    finally:
        if not args.schema:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
