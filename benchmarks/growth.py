"""How cost grows with the store: pipeline, alert decision and API at 100k, 1M ... items.

Usage: python benchmarks/growth.py [--json] [--sizes 100000,1000000] [--backends sqlite,postgresql]
       [--posts 2000] [--rounds 100] [--db URL]

For each backend the store is filled with generated items (benchmarks/api.py
``generate``: bundled hot-search topics and sentiment3 posts, numbered, over 90 days)
up to each size in turn (the same store grows; ``ANALYZE`` after each filling), and at
each size:

- a fresh process, as a worker is, builds the pipeline of the demo config on the store
  (``startup_s``: stages and warm-up from the store), runs ``--posts`` new sentiment3
  posts through it in batches of 500 (``per_item_ms``: the whole pipeline, shared step
  included) and reports the time of the alert decision per batch (``alert_ms``) and its
  peak RSS (``rss_mb``);
- the API is timed in-process (benchmarks/api.py ``measure``, ``--rounds`` requests):
  ``feed_p95_ms`` and ``search_p95_ms``.

Prints one JSON object: ``{"sizes", "backends", "<backend>": {"<size>": {...}}, "growth":
{"<backend>": {"per_item", "feed_p95", "search_p95"}}}`` where growth is the figure at
the largest size over the one at the smallest (the baseline, measured in the same run).
PostgreSQL runs in a fresh schema of ``--db``, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 500


def worker(url: str, posts: int, skip: int) -> dict[str, float]:
    """Run in a process of its own: build the pipeline on ``url``, run ``posts`` new posts
    (sentiment3 posts after the first ``skip``), return the figures (module doc)."""
    from scaleout import DEFAULT_DATA, load_texts, raws

    from yuqing.cli.demo import demo_config_path
    from yuqing.config import load_config
    from yuqing.runtime.pipeline import Pipeline
    from yuqing.runtime.registries import load_registries
    from yuqing.store import open_store

    stream = raws(load_texts(DEFAULT_DATA, skip + posts)[skip:], f"growth{skip}")
    with open_store(url) as store:
        start = time.perf_counter()
        pipeline = Pipeline(load_config(demo_config_path()), store,
                            registries=load_registries())
        startup = time.perf_counter() - start
        decide = pipeline._alert
        spent = [0.0]

        def timed_alert(*args: Any) -> Any:
            t = time.perf_counter()
            try:
                return decide(*args)
            finally:
                spent[0] += time.perf_counter() - t

        pipeline._alert = timed_alert  # type: ignore[method-assign]
        start = time.perf_counter()
        for k in range(0, len(stream), BATCH):
            pipeline.process(stream[k : k + BATCH])
        elapsed = time.perf_counter() - start
        pipeline.close()
    batches = -(-len(stream) // BATCH)
    return {"startup_s": round(startup, 1), "per_item_ms": round(1000 * elapsed / len(stream), 3),
            "alert_ms": round(1000 * spent[0] / batches, 1),
            "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def measure_size(url: str, posts: int, skip: int, rounds: int) -> dict[str, float]:
    """The figures of one store size: a worker process, then the API in-process."""
    from api import measure

    from yuqing.cli.demo import demo_config_path
    from yuqing.config import load_config
    from yuqing.runtime.context import Context

    child = subprocess.run([sys.executable, __file__, "--worker", url, "--posts", str(posts),
                            "--skip", str(skip)], capture_output=True, text=True, check=True)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    ctx = Context(config=load_config(demo_config_path()), database_url=url)
    timings = measure(ctx, rounds)
    figures.update(n_items=ctx.store.count_items(), feed_p95_ms=timings["feed"]["p95_ms"],
                   search_p95_ms=timings["search"]["p95_ms"])
    ctx.close()
    return figures


def fill(url: str, n: int) -> float:
    """Grow the store at ``url`` to ``n`` generated items, then refresh the planner's
    statistics (``ANALYZE``, as autovacuum or ``refresh_planner_stats`` would); return
    the seconds taken by the filling."""
    from api import generate
    from sqlalchemy import create_engine

    from yuqing.cli.demo import demo_config_path
    from yuqing.config import load_config
    from yuqing.runtime.context import Context

    ctx = Context(config=load_config(demo_config_path()), database_url=url)
    seconds = generate(ctx, n)
    ctx.close()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return seconds


def main() -> None:
    """Parse arguments; fill and measure each backend at each size; print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--skip", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.posts, args.skip)))
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    result: dict[str, Any] = {"sizes": sizes, "backends": backends, "growth": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            schema = f"yq_growth_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.db, isolation_level="AUTOCOMMIT")
            if backend == "postgresql":
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                url = make_url(args.db).update_query_dict(
                    {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
            else:
                url = f"sqlite:///{Path(tmp) / 'growth.db'}"
            rows: dict[str, Any] = {}
            try:
                for k, size in enumerate(sizes):
                    fill_s = fill(url, size)
                    rows[str(size)] = {"fill_s": round(fill_s), **measure_size(
                        url, args.posts, k * args.posts, args.rounds)}
                    if not args.json:
                        print(backend, size, rows[str(size)], file=sys.stderr)
            finally:
                if backend == "postgresql":
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
            result[backend] = rows
            small, large = rows[str(sizes[0])], rows[str(sizes[-1])]
            result["growth"][backend] = {
                name: round(large[key] / small[key], 2) for name, key in
                (("per_item", "per_item_ms"), ("feed_p95", "feed_p95_ms"),
                 ("search_p95", "search_p95_ms"))}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
