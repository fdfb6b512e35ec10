"""How cost grows with the store: pipeline, alert decision and API at 100k, 1M ... items.

Usage: python benchmarks/growth.py [--json] [--sizes 100000,1000000] [--backends sqlite,postgresql]
       [--posts 2000] [--rounds 100] [--db URL]

For each backend the store is filled with generated items up to each size in turn (the
same store grows; ``ANALYZE`` after each filling). SQLite: benchmarks/api.py
``generate`` through the store's writes (bundled hot-search topics and sentiment3 posts,
numbered, over 90 days). PostgreSQL: ``fill_postgresql``, server-side (``INSERT ...
SELECT generate_series``: 4,800 items/s on a quiet machine here, 5M in 43 minutes
under a load of 10–18): the same texts as
templates, their ``match_text`` and ``search_bigrams`` computed by the store's own
functions, each row a numbered copy with a key, URL and content hash of its own,
published within a year, source, sentiment and schemes drawn as ``generate`` draws them,
``rev`` set (the shared step's write order), loaded with every index of the store in
place (built row by row, as a store that grew). The filler rows skip the analysis
stages: they carry no event, place or sensitive hit, which the pipeline reads per event
or per new item, not per stored item. At each size:

- a fresh process, as a worker is, builds the pipeline of the demo config on the store
  (``startup_s``: stages and warm-up from the store), runs ``--posts`` new sentiment3
  posts through it in batches of 500 (``per_item_ms``: the whole pipeline, shared step
  included) and reports the time of the alert decision per batch (``alert_ms``) and its
  peak RSS (``rss_mb``);
- the API is timed in-process (benchmarks/api.py ``measure``, ``--rounds`` requests):
  ``feed_p95_ms`` and ``search_p95_ms``.

``load_1min`` is the machine's 1-minute load average before and after a size's measures.

Petition intake (``--petitions 10000,100000``; ``--sizes 0`` measures only petitions): a
store of its own is filled with generated petitions received over the past 360 days
(the subjects of tests/fixtures/petitions once, then the texts of benchmarks/api.py
``text_pool``, 80 characters at most, numbered) up
to each size, and ``--probes`` labelled petitions are taken in (cases/intake.py
``add_petition``): ``intake_ms`` (the whole intake), ``repeat_ms`` (finding the repeat
through the store's index) and, as the baseline, ``scan_ms``: reading every petition of
the year and comparing with each, as intake did before the index.

Prints one JSON object: ``{"sizes", "backends", "<backend>": {"<size>": {...}}, "growth":
{"<backend>": {"per_item", "feed_p95", "search_p95"}}, "petitions": {"<backend>":
{"<size>": {...}}}, "petition_growth": {"<backend>": {"intake", "repeat", "scan"}}}``
where growth is the figure at the largest size over the one at the smallest (the
baseline, measured in the same run). PostgreSQL runs in a fresh schema of ``--db``,
dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 500
PETITIONS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "petitions"
PETITION_UNITS = {"cases": {"units": [{"name": "县信访局", "level": "county"}]}}


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

    load = os.getloadavg()[0]
    child = subprocess.run([sys.executable, __file__, "--worker", url, "--posts", str(posts),
                            "--skip", str(skip)], capture_output=True, text=True, check=True)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    ctx = Context(config=load_config(demo_config_path()), database_url=url)
    timings = measure(ctx, rounds)
    figures.update(n_items=ctx.store.count_items(), feed_p95_ms=timings["feed"]["p95_ms"],
                   search_p95_ms=timings["search"]["p95_ms"],
                   load_1min=[round(load, 1), round(os.getloadavg()[0], 1)])
    ctx.close()
    return figures


def fill(url: str, n: int) -> float:
    """Grow the store at ``url`` to ``n`` generated items (SQLite through the store's
    writes, PostgreSQL with :func:`fill_postgresql`), then refresh the planner's
    statistics (``ANALYZE``, as autovacuum or ``refresh_planner_stats`` would); return the
    seconds of the filling."""
    from api import generate

    from yuqing.cli.demo import demo_config_path
    from yuqing.config import load_config
    from yuqing.runtime.context import Context

    ctx = Context(config=load_config(demo_config_path()), database_url=url)
    have = ctx.store.count_items()
    started = time.perf_counter()
    if url.startswith("postgresql"):
        ctx.close()
        fill_postgresql(url, have, n)
    else:
        generate(ctx, n)
        ctx.close()
    seconds = time.perf_counter() - started
    analyze(url)
    return seconds


#: the filler rows of :func:`fill_postgresql`: item ``g`` of template ``t`` (the
#: ``growth_templates`` row ``abs(hashint8(g)) % templates``), published within the year
#: before YEAR_END, the columns the stages set drawn as benchmarks/api.py make_items does
#: (source, sentiment, a scheme for one item in four); then its scheme rows
FILLER = ("""
INSERT INTO items (key, id, source, media_type, url, canonical_url, text, match_text,
                   offsets, search_bigrams, published_at, fetched_at, content_hash,
                   sentiment, sentiment_score, n_sensitive, sensitive_terms, schemes, places,
                   flags, extra, created_at, updated_at, rev)
SELECT 'bench:' || g, g::text, (ARRAY['weibo', 'news-rss', 'tieba', 'wechat'])[g %% 4 + 1],
       (ARRAY['weibo', 'news', 'forum', 'wechat'])[g %% 4 + 1],
       'https://bench.example/' || g, 'https://bench.example/' || g,
       t.text || ' #' || g, t.match_text || ' #' || g, NULL,
       concat_ws(' ', nullif(t.search_bigrams, ''), g::text),
       p.at, p.at + interval '5 minutes', lpad(to_hex(g), 16, '0'),
       (ARRAY['negative', 'neutral', 'neutral', 'neutral', 'positive'])[g %% 5 + 1],
       (g %% 100) / 100.0, 0, '[]', CASE WHEN g %% 4 = 0
           THEN jsonb_build_array((ARRAY['学校与教育', '公共卫生与医疗', '公共安全'])[g %% 3 + 1])
           ELSE '[]' END,
       '[]', '[]', '{}', p.at + interval '5 minutes', p.at + interval '5 minutes', g + 1
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS g
JOIN growth_templates AS t ON t.k = abs(hashint8(g)) %% %(templates)s
CROSS JOIN LATERAL (SELECT %(end)s::timestamptz - (abs(hashint8(-1 - g)) %% 31536000)
                           * interval '1 second' AS at) AS p
""", """
INSERT INTO item_schemes (item_key, scheme)
SELECT 'bench:' || g, (ARRAY['学校与教育', '公共卫生与医疗', '公共安全'])[g %% 3 + 1]
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS g WHERE g %% 4 = 0
""")
YEAR_END = "2025-06-14T00:00:00+00:00"
FILL_CHUNK = 250_000


def fill_postgresql(url: str, have: int, n: int) -> None:
    """Add items ``have``..``n-1`` to the PostgreSQL store at ``url`` server-side: the
    distinct texts of benchmarks/api.py ``text_pool`` are the templates (text, match_text
    and search_bigrams computed once in Python, as the store writes them), and each
    filler row is one ``INSERT ... SELECT generate_series`` row (FILLER: a numbered copy
    of a template, a key, URL and content hash of its own, a time within a year), in
    transactions of FILL_CHUNK rows with every index of the store in place."""
    from api import text_pool
    from sqlalchemy import create_engine

    from yuqing.runtime.stages import match_form
    from yuqing.store.search import bigram_text

    pool = sorted(set(text_pool()))
    engine = create_engine(url)
    raw = engine.raw_connection().driver_connection
    with raw.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE growth_templates "
                       "(k int PRIMARY KEY, text text, match_text text, search_bigrams text)")
        with cursor.copy("COPY growth_templates FROM STDIN") as copy:
            for k, text in enumerate(pool):
                form = match_form(text)
                copy.write_row([k, text, form, bigram_text(form)])
        cursor.execute("SET synchronous_commit = off")
        raw.commit()
        for lo in range(have, n, FILL_CHUNK):
            hi = min(lo + FILL_CHUNK, n)
            for statement in FILLER:
                cursor.execute(statement, {"lo": lo, "hi": hi, "templates": len(pool),
                                           "end": YEAR_END})
            raw.commit()
            print(f"\r{hi:,} / {n:,}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    raw.close()
    engine.dispose()


def analyze(url: str) -> None:
    """Refresh the planner's statistics of the store at ``url`` (``ANALYZE``)."""
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def fill_petitions(url: str, n: int) -> float:
    """Grow the petitions at ``url`` to ``n`` (module doc), in cases of 50 petitions each;
    return the seconds taken."""
    from datetime import UTC, datetime, timedelta

    from api import text_pool

    from yuqing.cases.evaluate import read_labelled
    from yuqing.cases.intake import index_missing
    from yuqing.cases.service import CaseService
    from yuqing.config import parse_config
    from yuqing.domain import Contact
    from yuqing.store import open_store

    labelled = [row["subject"] for row in read_labelled(PETITIONS / "petitions.jsonl")]
    pool = text_pool()
    rng = random.Random(5)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with open_store(url) as store:
        service = CaseService(store, parse_config(PETITION_UNITS))
        have = store.petitions.counts()["petitions"]
        for start in range(have, n, 50):
            case_id = service.open_case(f"批量{start}", actor="bench", role="admin",
                                        unit="县信访局", origin="petition", channel="letter")
            with store.transaction() as tx:
                for k in range(start, min(start + 50, n)):
                    subject = (labelled[k] if k < len(labelled)
                               else f"{rng.choice(pool)[:80]} {k}")
                    tx.petitions.insert({
                        "case_id": case_id, "channel": "letter", "unit": "县信访局",
                        "received_at": now - timedelta(days=rng.uniform(1, 360)),
                        "subject": subject, "accused": "城关镇人民政府",
                        "addressed_level": "county", "responsible_level": "township",
                        "identity_hash": f"{k:024x}", "contact_masked": "张*",
                        "repeat_of": None, "repeat_score": None, "cross_level": False},
                        Contact())
            if (start // 50) % 20 == 19 or start + 50 >= n:
                index_missing(store)  # the repeat index of 1,000 petitions at once
                print(f"\r{start + 50:,} / {n:,} petitions", end="", file=sys.stderr,
                      flush=True)
    print(file=sys.stderr)
    analyze(url)
    return time.perf_counter() - started


def measure_petitions(url: str, probes: int) -> dict[str, float]:
    """Take in ``probes`` labelled petitions (module doc); return the mean ``intake_ms``,
    ``repeat_ms`` and ``scan_ms`` per petition."""
    from datetime import timedelta

    from yuqing.cases import intake
    from yuqing.cases import petitions as pet
    from yuqing.cases.evaluate import read_labelled
    from yuqing.cases.inputs import PetitionInput
    from yuqing.cases.service import CaseService
    from yuqing.config import parse_config
    from yuqing.store import open_store

    rows = read_labelled(PETITIONS / "petitions.jsonl")[:probes]
    spent = {"intake": 0.0, "repeat": 0.0, "scan": 0.0}
    find = intake.stored_repeat

    def timed_find(*args: Any) -> Any:
        t = time.perf_counter()
        try:
            return find(*args)
        finally:
            spent["repeat"] += time.perf_counter() - t

    intake.stored_repeat = timed_find  # type: ignore[assignment]
    try:
        with open_store(url) as store:
            service = CaseService(store, parse_config(PETITION_UNITS))
            for row in rows:
                t = time.perf_counter()
                year = service.clock() - timedelta(days=intake.REPEAT_WINDOW_DAYS)
                earlier = [pet.petition_text(vars(p)) for p in store.petitions.find()
                           if p.received_at >= year]
                pet.find_repeat(pet.PetitionText(0, 0, frozenset(), pet.bigrams(row["subject"])),
                                earlier)
                spent["scan"] += time.perf_counter() - t
                t = time.perf_counter()
                intake.add_petition(service, PetitionInput(
                    channel=row["channel"], subject=row["subject"], unit="县信访局",
                    accused=row.get("accused"), addressed_level="county",
                    contact=row["contact"]), actor="bench", role="admin")
                spent["intake"] += time.perf_counter() - t
    finally:
        intake.stored_repeat = find  # type: ignore[assignment]
    return {f"{k}_ms": round(1000 * v / len(rows), 1) for k, v in spent.items()}


def main() -> None:
    """Parse arguments; fill and measure each backend at each size; print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--petitions", default="10000,100000",
                        help="stored petitions at which intake is timed ('' for none)")
    parser.add_argument("--probes", type=int, default=30)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--skip", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.posts, args.skip)))
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    sizes = [int(s) for s in args.sizes.split(",") if int(s)]
    petition_sizes = [int(s) for s in args.petitions.split(",") if s]
    backends = args.backends.split(",")
    result: dict[str, Any] = {"sizes": sizes, "backends": backends, "growth": {},
                              "petitions": {}, "petition_growth": {}}

    @contextmanager
    def fresh_store(backend: str, tmp: str, name: str) -> Iterator[str]:
        """Yield the URL of an empty store of ``backend``, dropped afterwards."""
        schema = f"yq_growth_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.db, isolation_level="AUTOCOMMIT")
        if backend == "postgresql":
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = make_url(args.db).update_query_dict(
                {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{Path(tmp) / name}"
        try:
            yield url
        finally:
            if backend == "postgresql":
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()

    def growth(rows: dict[str, Any], at: list[int], keys: dict[str, str]) -> dict[str, float]:
        """Return each figure ``keys[name]`` at the largest size over the smallest."""
        small, large = rows[str(at[0])], rows[str(at[-1])]
        return {name: round(large[key] / small[key], 2) for name, key in keys.items()}

    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            rows: dict[str, Any] = {}
            with fresh_store(backend, tmp, "petitions.db") as url:
                for size in petition_sizes:
                    rows[str(size)] = {"fill_s": round(fill_petitions(url, size)),
                                       **measure_petitions(url, args.probes)}
                    if not args.json:
                        print(backend, size, "petitions", rows[str(size)], file=sys.stderr)
            if petition_sizes:
                result["petitions"][backend] = rows
                result["petition_growth"][backend] = growth(rows, petition_sizes, {
                    "intake": "intake_ms", "repeat": "repeat_ms", "scan": "scan_ms"})
            rows = {}
            with fresh_store(backend, tmp, "growth.db") as url:
                for k, size in enumerate(sizes):
                    fill_s = fill(url, size)
                    rows[str(size)] = {"fill_s": round(fill_s), **measure_size(
                        url, args.posts, k * args.posts, args.rounds)}
                    if not args.json:
                        print(backend, size, rows[str(size)], file=sys.stderr)
            if sizes:
                result[backend] = rows
                result["growth"][backend] = growth(rows, sizes, {
                    "per_item": "per_item_ms", "feed_p95": "feed_p95_ms",
                    "search_p95": "search_p95_ms"})
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
