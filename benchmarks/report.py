"""Time to make a daily report over 100,000 items, against a baseline in the same run.

Usage: python benchmarks/report.py [--json] [--n 100000]

Builds a temporary SQLite store holding ``--n`` items published on one day:
the bundled Weibo hot-search titles (shipped, MIT) repeated, with sentiment,
places, schemes, media types and counts assigned deterministically. Then
times ``build_period_report`` (SQL aggregates, keywords, charts) and each
renderer (PDF, DOCX, XLSX). The baseline is what a report without SQL
aggregates does: load every item of the day through ``Store.iter_items``
and count sentiment, media and places in Python. Prints one JSON object:
{"n", "build_s", "pdf_s", "docx_s", "xlsx_s", "daily_pdf_s", "daily_pdf_cpu_s",
"pdf_pages", "items_in_report", "baseline_name", "baseline_s", "ratio"} (wall
seconds; daily_pdf_s = build_s + pdf_s; daily_pdf_cpu_s the CPU time of both, which
a busy shared machine disturbs less; ratio = baseline_s / build_s, how many times
faster the report's figures come than loading the items). Charts are drawn cold, as
in a one-shot `yuqing report`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from yuqing.domain import Item
from yuqing.reports.build import build_period_report
from yuqing.reports.formats import render
from yuqing.sources.hotsearch import bundled_demo_items
from yuqing.store import Store, open_store

DAY = date(2025, 6, 10)
TZ = "Asia/Shanghai"
PLACES = (["广东省", "深圳"], ["北京市"], [], ["四川", "成都"], [], ["上海市"], [])
SENTIMENTS = ("negative", "neutral", "neutral", "positive", None)
MEDIA = ("weibo", "weibo", "news", "wechat", "forum", "video", "app")


def make_items(n: int) -> list[Item]:
    """Return ``n`` items published over DAY from the bundled hot-search titles."""
    texts = [raw.text for raw in bundled_demo_items()]
    start = datetime.combine(DAY, datetime.min.time(), tzinfo=ZoneInfo(TZ)).astimezone(UTC)
    step = 86_400 / n
    out = []
    for i in range(n):
        text = texts[i % len(texts)] + ("" if i < len(texts) else f" #{i // len(texts)}")
        when = start + timedelta(seconds=i * step)
        out.append(Item(
            key=f"bench:{i}", source="weibo-hotsearch", text=text, match_text=text,
            offsets=[], published_at=when, fetched_at=when, id=str(i),
            media_type=MEDIA[i % len(MEDIA)], author=f"账号{i % 997}",
            content_hash=hashlib.sha1(text.encode()).hexdigest(), reposts=i % 500,
            comments=i % 37, likes=i % 1000, sentiment=SENTIMENTS[i % len(SENTIMENTS)],
            places=PLACES[i % len(PLACES)], schemes=["公共安全"] if i % 9 == 0 else []))
    return out


def baseline(store: Store) -> float:
    """Seconds to load the day's items and count sentiment, media and places in Python."""
    since = datetime.combine(DAY, datetime.min.time(), tzinfo=ZoneInfo(TZ))
    t0 = time.perf_counter()
    found = store.iter_items(since=since, limit=10_000_000)
    sentiments = Counter(i.sentiment for i in found)
    media = Counter(i.media_type for i in found)
    places = Counter(p for i in found for p in i.places)
    assert sentiments and media and places
    return time.perf_counter() - t0


def pdf_pages(pdf: bytes) -> int | None:
    """Return the page count pdfinfo (poppler-utils) reports, None without pdfinfo."""
    if shutil.which("pdfinfo") is None:
        return None
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    line = next(x for x in done.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[-1])


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Return (result, wall seconds, CPU seconds of this process) of ``fn(*args, **kwargs)``."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    """Run the benchmark and print its JSON object."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        open_store(f"sqlite:///{Path(tmp) / 'b.db'}") as store,
    ):
        store.save_items(make_items(args.n))
        render(build_period_report(store, "daily", day=DAY - timedelta(days=30), tz=TZ), "pdf")
        report, build_s, build_cpu = timed(build_period_report, store, "daily", day=DAY, tz=TZ)
        pdf, pdf_s, pdf_cpu = timed(render, report, "pdf")
        _, docx_s, _ = timed(render, report, "docx")
        _, xlsx_s, _ = timed(render, report, "xlsx")
        base_s = baseline(store)
    pages = pdf_pages(pdf)
    doc = {"n": args.n, "build_s": round(build_s, 3), "pdf_s": round(pdf_s, 3),
           "docx_s": round(docx_s, 3), "xlsx_s": round(xlsx_s, 3),
           "daily_pdf_s": round(build_s + pdf_s, 3),
           "daily_pdf_cpu_s": round(build_cpu + pdf_cpu, 3), "pdf_pages": pages,
           "items_in_report": report.data["stats"]["overview"]["items"],
           "baseline_name": "load the day's items + count in Python",
           "baseline_s": round(base_s, 3), "ratio": round(base_s / build_s, 2)}
    sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
