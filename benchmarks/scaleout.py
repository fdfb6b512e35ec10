"""Scale-out throughput: the same posts through 1, then 2 `yuqing worker` processes.

Usage: python benchmarks/scaleout.py [--json] [--n 20000] [--batch 500] [--workers 1,2]
       [--db URL] [--broker URL] [--data FILE]

Feeds ``--n`` Weibo-length posts (sentiment3 texts, research data read from
../shared/data; one every 10 s of publication time) through the whole pipeline (the demo
config: every stage, its schemes and alert rules) on PostgreSQL (``--db``, a fresh schema
per run) and RabbitMQ (``--broker``; a fresh virtual host per run when ``rabbitmqctl``
may make one). For each worker count the workers are started, warmed with a few small
batches, and then timed from the first enqueued batch of the stream until the last one
committed (``yuqing ingest``'s producer: ticketed batches of ``--batch`` posts).

Prints one JSON object: ``{"n", "batch", "workers": [1, 2], "posts_per_s": {"1": .., "2":
..}, "seconds": {..}, "ratio", "identical", "lost", "duplicated", "storm_summaries",
"shared_fraction", "bound", "shared_parts_s", "load_average"}``: ``ratio`` is the posts/s
of the last worker count over the first (the baseline, measured in the same run);
``identical`` is true when every item's original (``duplicate_of``) and event and the
alerts' keys equal those of the first run. The storm summaries are counted apart
(``storm_summaries``), not compared: their key is the storm window's start, 10 minutes of
the wall clock by default, so a run that crosses a window's end has one more whatever
the decisions (alerts/policy.py). ``lost`` counts posts not stored and ``duplicated``
posts stored or counted twice (re-processed batches show as updates). The broker, the
database and the workers share the machine's cores, with whatever else runs
(``load_average``: the 1-minute load before and after).

``shared_fraction`` is measured apart, in this process: two pipelines on one fresh
schema take turns on the first ``--analyse`` posts (each catching up with the other, as
two workers do) and it is the share of their time spent in the shared step (under the
lock, catch-up included). The shared steps of all workers run one at a time, so
``bound`` = 1 / shared_fraction is the most any number of workers can gain on this
stream (Amdahl), however many cores. ``shared_parts_s`` gives the seconds of the step's
parts in that measurement (wall clock): ``catch-up``, ``dedup``, ``events`` (``events:
saving touched events`` is part of it), ``item write``, ``alert decision``; the rest of
the step is marking updates, tickets, the watermark and the commit.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "sentiment3" / "train.csv"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
WARM_BATCHES = 4  # small batches before the timed stream (one process builds its pipeline)


def load_texts(path: Path, n: int) -> list[str]:
    """The first ``n`` texts of a ``text,label`` CSV."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["text"] for _, row in zip(range(n), csv.DictReader(fh), strict=False)]


def raws(texts: list[str], source: str) -> list[Any]:
    """RawItems of ``texts`` from ``source``, published 10 s apart."""
    from yuqing.domain import RawItem

    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    return [RawItem(source=source, id=str(i), text=t, fetched_at=t0, media_type="weibo",
                    published_at=t0 + timedelta(seconds=10 * i)) for i, t in enumerate(texts)]


class Vhost:
    """A RabbitMQ virtual host made for one run (or the given broker URL unchanged)."""

    def __init__(self, broker: str) -> None:
        self.ctl = shutil.which("rabbitmqctl") if broker == DEFAULT_BROKER else None
        self.name = f"yq_bench_{uuid.uuid4().hex[:8]}"
        self.url = broker
        if self.ctl:
            subprocess.run([self.ctl, "add_vhost", self.name], check=True, capture_output=True)
            subprocess.run([self.ctl, "set_permissions", "-p", self.name, "guest", ".*", ".*",
                            ".*"], check=True, capture_output=True)
            self.url = broker.rstrip("/") + "/" + self.name

    def close(self) -> None:
        """Delete the virtual host."""
        if self.ctl:
            subprocess.run([self.ctl, "delete_vhost", self.name], capture_output=True)


def schema_url(admin: Any, db: str) -> tuple[str, str]:
    """Create a fresh schema; return (its name, a URL whose search_path is it)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"yq_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(db).update_query_dict({"options": f"-csearch_path={name}"})
    return name, url.render_as_string(hide_password=False)


def run(workers: int, stream: list[Any], warm: list[Any], batch: int, db: str, broker: str,
        config: Path, logs: Path) -> tuple[float, dict[str, Any], dict[str, int]]:
    """Time ``stream`` through ``workers`` worker processes; return (seconds, the
    decisions, the summed counts)."""
    from yuqing.runtime.context import make_context

    ctx = make_context(config, db, broker=broker)
    procs = [subprocess.Popen(
        [sys.executable, "-c", "from yuqing.cli import app; app()", "worker", "--config",
         str(config), "--db", db, "--broker", broker, "--concurrency", "1"],
        stdout=(logs / f"w{workers}_{i}.log").open("wb"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUTF8": "1"}, start_new_session=True)
        for i in range(workers)]
    try:
        producer = ctx.producer
        size = max(1, len(warm) // WARM_BATCHES)
        producer.wait([producer.enqueue(warm[i : i + size])
                       for i in range(0, len(warm), size)], timeout=600)
        start = time.perf_counter()
        tickets = [producer.enqueue(stream[i : i + batch]) for i in range(0, len(stream), batch)]
        total = producer.wait(tickets, timeout=3600)
        seconds = time.perf_counter() - start
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
    items = ctx.store.iter_items(limit=10**7)
    counts = {"read": total.read, "stored": total.stored, "updated": total.updated,
              "rejected": total.rejected,
              "kept": sum(it.source == stream[0].source for it in items)}
    keys = [a.alert.dedup_key for a in ctx.store.list_alerts(10**7)]
    counts["storm_summaries"] = sum(":storm:" in k for k in keys)
    decided = {"items": sorted((it.key, it.duplicate_of, it.event_id) for it in items),
               "alerts": sorted(k for k in keys if ":storm:" not in k)}
    ctx.close()
    return seconds, decided, counts


def timed(owner: Any, name: str, spent: dict[str, float], part: str) -> None:
    """Replace ``owner.name`` by a wrapper adding its wall time to ``spent[part]``."""
    inner = getattr(owner, name)

    def wrapper(*args: Any, **kw: Any) -> Any:
        start = time.perf_counter()
        try:
            return inner(*args, **kw)
        finally:
            spent[part] = spent.get(part, 0.0) + time.perf_counter() - start

    setattr(owner, name, wrapper)


def shared_fraction(texts: list[str], batch: int, db: str,
                    admin: Any) -> tuple[float, dict[str, float]]:
    """The share of two alternating pipelines' time spent in the shared step (doc), and
    the seconds of its parts: catch-up, de-duplication, events (of it, saving the
    touched events), the item write and the alert decision."""
    import importlib

    from sqlalchemy import text

    from yuqing.cli.demo import demo_config_path
    from yuqing.config import load_config
    from yuqing.runtime.pipeline import Pipeline
    from yuqing.runtime.registries import load_registries
    from yuqing.store import open_store

    schema, url = schema_url(admin, db)
    spent: dict[str, float] = {}
    store_items = importlib.import_module("yuqing.store.items")
    store_events = importlib.import_module("yuqing.store.events")
    patched = [(store_items, "save_items", "item write"),
               (store_events, "save_events", "events: saving touched events")]
    originals = [(module, name, getattr(module, name)) for module, name, _ in patched]
    for module, name, part in patched:
        timed(module, name, spent, part)
    try:
        with open_store(url) as store:
            config = load_config(demo_config_path())
            pipes = [Pipeline(config, store, registries=load_registries()) for _ in range(2)]
            for pipe in pipes:
                timed(pipe.shared, "run", spent, "shared step")
                timed(pipe, "_alert", spent, "alert decision")
                for stage in pipe.shared.shared:
                    timed(stage, "catch_up", spent, "catch-up")
                    timed(stage, "process", spent, stage.name)
            posts = raws(texts, "analyse")
            start = time.perf_counter()
            for k in range(0, len(posts), batch):
                pipes[(k // batch) % 2].process(posts[k : k + batch])
            total = time.perf_counter() - start
            for pipe in pipes:
                pipe.close()
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return spent.pop("shared step", 0.0) / total, spent


def main() -> None:
    """Parse arguments, run each worker count, print the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--broker", default=DEFAULT_BROKER)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--analyse", type=int, default=4000,
                        help="posts of the shared-fraction measurement (0: skip it)")
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"{args.data}: not found (needs ../shared/data/sentiment3, or --data)")
    from sqlalchemy import create_engine, text

    from yuqing.cli.demo import demo_config_path

    counts_of = [int(w) for w in args.workers.split(",")]
    texts = load_texts(args.data, args.n + 200)
    warm, stream = raws(texts[:200], "warm"), raws(texts[200:], "bench")
    admin = create_engine(args.db, isolation_level="AUTOCOMMIT")
    load_before = os.getloadavg()[0]
    results: dict[int, tuple[float, dict[str, Any], dict[str, int]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in counts_of:
            vhost = Vhost(args.broker)
            schema, db = schema_url(admin, args.db)
            try:
                results[workers] = run(workers, stream, warm, args.batch, db, vhost.url,
                                       demo_config_path(), Path(tmp))
            finally:
                vhost.close()
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            if not args.json:
                print(f"{workers} worker(s): {len(stream) / results[workers][0]:.0f} posts/s",
                      file=sys.stderr)
    load_after = os.getloadavg()[0]
    fraction, parts = (shared_fraction(texts[200 : 200 + args.analyse], args.batch, args.db,
                                       admin) if args.analyse else (None, {}))
    admin.dispose()
    first = results[counts_of[0]]
    rate = {str(w): round(len(stream) / r[0], 1) for w, r in results.items()}
    result = {
        "n": len(stream), "batch": args.batch, "workers": counts_of, "posts_per_s": rate,
        "seconds": {str(w): round(r[0], 1) for w, r in results.items()},
        "ratio": round(rate[str(counts_of[-1])] / rate[str(counts_of[0])], 2),
        "identical": all(r[1] == first[1] for r in results.values()),
        "lost": max(len(stream) - r[2]["rejected"] - r[2]["kept"] for r in results.values()),
        "duplicated": max(r[2]["updated"] + r[2]["stored"] - r[2]["kept"]
                          for r in results.values()),
        "storm_summaries": {str(w): r[2]["storm_summaries"] for w, r in results.items()},
        "shared_fraction": None if fraction is None else round(fraction, 3),
        "bound": None if fraction is None else round(1 / fraction, 2),
        "shared_parts_s": {part: round(sec, 2) for part, sec in sorted(parts.items())},
        "load_average": [round(load_before, 1), round(load_after, 1)],
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
