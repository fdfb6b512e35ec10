"""Benchmark: the feed and search API on a large SQLite store (issue 7: p95 <= 200 ms at 1M items).

Generates ``--n`` items (default 1,000,000) straight into a SQLite store: texts are the
bundled Weibo hot-search topics plus, when present, the posts of
shared/data/sentiment3 (train.csv), each text reused with a numbered suffix;
sentiment, schemes, media type and source drawn at random, publication times spread
over 90 days. Then it calls the running app in-process (fastapi TestClient, logged
in with an API token):

- feed: ``GET /api/items?limit=50`` with no filter or one of sentiment/scheme/source;
- feed_page: ``GET /feed`` (the HTML page with the same filters);
- search: ``GET /api/items?q=WORD&limit=50`` with a 2-, 3- or 4-character word cut from
  a random stored text (so every query has hits);
- search_2char: the 2-character queries alone.

Prints one JSON object ``{"n_items", "generate_s", "db_mb", "requests", "feed",
"feed_page", "search", "search_2char"}``; each timing is ``{"p50_ms", "p95_ms",
"max_ms"}``. ``--db PATH`` keeps the generated database and reuses it when it already
holds ``--n`` items. Run: ``python benchmarks/api.py --json [--n 1000000] [--db PATH]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from yuqing.config import parse_config
from yuqing.domain import Item
from yuqing.runtime.context import Context
from yuqing.runtime.stages import match_form
from yuqing.sources.hotsearch import bundled_demo_items
from yuqing.web.accounts import Accounts
from yuqing.web.app import create_app

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sentiment3" / "train.csv"
SCHEMES = ["学校与教育", "公共卫生与医疗", "公共安全"]
SOURCES = [("weibo", "weibo"), ("news-rss", "news"), ("tieba", "forum"), ("wechat", "wechat")]
SENTIMENTS = ["negative", "neutral", "neutral", "neutral", "positive"]
CHUNK = 20_000


def text_pool() -> list[str]:
    """Return the source texts: hot-search topics plus sentiment3 posts when present."""
    pool = [r.text for r in bundled_demo_items() if r.text]
    if DATA.exists():
        with DATA.open(encoding="utf-8") as f:
            pool += [row["text"] for row in csv.DictReader(f) if row.get("text")]
    return pool


def make_items(start: int, count: int, pool: list[str], forms: list[str],
               rng: random.Random) -> list[Item]:
    """Return items ``start``..``start+count-1`` (keys ``bench:i``)."""
    t0 = datetime(2025, 6, 14, tzinfo=UTC)
    out = []
    for i in range(start, start + count):
        j = rng.randrange(len(pool))
        source, media = SOURCES[i % len(SOURCES)]
        suffix = f" #{i}"
        text = pool[j] + suffix
        out.append(Item(
            key=f"bench:{i}", source=source, media_type=media, text=text,
            match_text=forms[j] + suffix, offsets=[], id=str(i),
            published_at=t0 - timedelta(seconds=rng.randrange(90 * 86400)), fetched_at=t0,
            content_hash=f"{i:016x}", sentiment=SENTIMENTS[i % len(SENTIMENTS)],
            schemes=[SCHEMES[i % 3]] if i % 4 == 0 else []))
    return out


def generate(ctx: Context, n: int) -> float:
    """Store ``n`` generated items unless the store has them; return the seconds taken."""
    have = ctx.store.count_items()
    if have >= n:
        return 0.0
    pool = text_pool()
    forms = [match_form(t) for t in pool]
    rng = random.Random(7)
    started = time.perf_counter()
    for start in range(have, n, CHUNK):
        ctx.store.save_items(make_items(start, min(CHUNK, n - start), pool, forms, rng))
        print(f"\r{start + CHUNK:,} / {n:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return time.perf_counter() - started


def timed(call: Callable[[], object], rounds: int) -> dict[str, float]:
    """Return p50/p95/max milliseconds of ``rounds`` calls."""
    ms = []
    for _ in range(rounds):
        t = time.perf_counter()
        call()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return {"p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1), "max_ms": round(ms[-1], 1)}


def queries(ctx: Context, rng: random.Random, size: int, count: int) -> list[str]:
    """Return ``count`` search words of ``size`` characters cut from stored CJK text."""
    words: list[str] = []
    while len(words) < count:
        [item] = ctx.store.iter_items(limit=1, offset=rng.randrange(10_000))
        cjk = "".join(c for c in item.match_text if "\u4e00" <= c <= "\u9fff")
        if len(cjk) >= size:
            at = rng.randrange(len(cjk) - size + 1)
            words.append(cjk[at:at + size])
    return words


def measure(ctx: Context, rounds: int) -> dict[str, dict[str, float]]:
    """Run the request mix against an in-process app; return the timings."""
    rng = random.Random(11)
    with TestClient(create_app(ctx)) as client:
        if not any(u["name"] == "bench" for u in Accounts(ctx.store).users()):
            Accounts(ctx.store).add_user("bench", "bench-password", "admin")
        client.headers["Authorization"] = f"Bearer {Accounts(ctx.store).new_token('bench')}"
        filters = [{}, {"sentiment": "negative"}, {"scheme": "公共安全"}, {"source": "tieba"}]

        def get(path: str, params: dict[str, str]) -> None:
            response = client.get(path, params={**params, "limit": "50"})
            assert response.status_code == 200, response.text

        picks = iter(rng.choice(filters) for _ in range(10 * rounds))
        words = {k: iter(queries(ctx, rng, k, rounds)) for k in (2, 3, 4)}
        sizes = iter(rng.choice((2, 3, 4)) for _ in range(rounds))
        return {
            "feed": timed(lambda: get("/api/items", next(picks)), rounds),
            "feed_page": timed(lambda: get("/feed", next(picks)), rounds),
            "search": timed(lambda: get("/api/items", {"q": next(words[next(sizes)])}), rounds),
            "search_2char": timed(lambda: get("/api/items", {"q": next(words[2])}), rounds // 3),
        }


def main() -> None:
    """Generate (or reuse) the store, measure, print the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="items to store")
    parser.add_argument("--rounds", type=int, default=300, help="requests per measure")
    parser.add_argument("--db", type=Path, help="keep (and reuse) the database here")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        config = parse_config({"schemes": [{"name": s, "subject_words": [s]} for s in SCHEMES]})
        ctx = Context(config=config, database_url=f"sqlite:///{path}")
        generate_s = generate(ctx, args.n)
        timings = measure(ctx, args.rounds)
        doc = {"n_items": ctx.store.count_items(), "generate_s": round(generate_s, 1),
               "db_mb": round(path.stat().st_size / 2**20), "requests": args.rounds, **timings}
        ctx.close()
    json.dump(doc, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
