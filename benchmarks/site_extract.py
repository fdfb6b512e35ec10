"""Article extraction on the CMS fixture pages: trafilatura alone vs sources/site_extract.py.

Reads tests/fixtures/sites (hand-written pages in the style of TRS, 大汉/集约化,
VSB, hospital and news CMS templates; see its README) and expected.json. For
each article page, three extractors:

- ``trafilatura``: the baseline, ``trafilatura.bare_extraction(page,
  with_metadata=True)`` on the decoded page (its title, text, date, author);
- ``ours_no_cms``: site_extract.extract_article with the CMS container list
  emptied (the pruned page through trafilatura, for pages of a CMS we do not
  know);
- ``ours``: site_extract.extract_article as the site source runs it, with the
  list page's date found by site_links.

Scores, each a count of pages out of ``pages``: ``title`` (exact),
``body_complete`` (every expected paragraph in the text), ``body_clean`` (none
of the boilerplate strings: breadcrumbs, print/share bars, footers, previous/
next links), ``date`` (the right day in Asia/Shanghai), ``time`` (the right
minute), ``author`` (the 来源, exact), ``all`` (every one of these); trafilatura gives a day
without a time of day, so its ``time`` is 0 by design. Also ``pages_per_s`` of
each extractor (after one warm-up page), and ``misses`` (page: score) of each. The
fixtures were written by us, the module's rules with them in view: figures on
them say the rules work on these templates, not how often they work on the web.

Usage: python benchmarks/site_extract.py [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import trafilatura

from yuqing.pipeline.dates import parse_published
from yuqing.sources import site_extract
from yuqing.sources.decode import decode_html
from yuqing.sources.site_links import article_links

SITES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sites"
FETCHED = datetime(2024, 3, 10, tzinfo=UTC)
HOST = "http://127.0.0.1"
ZONE = ZoneInfo("Asia/Shanghai")
Got = tuple[str | None, str, str | None, str | None]  # title, text, date, author
KEYS = ("title", "body_complete", "body_clean", "date", "time", "author", "all")


def html_of(site: str, path: str) -> str:
    """The decoded fixture page."""
    return decode_html((SITES / site / path.lstrip("/")).read_bytes(), path).text


def baseline(case: dict[str, Any], html: str, list_date: str | None) -> Got:
    """The baseline: trafilatura alone."""
    doc = trafilatura.bare_extraction(html, url=HOST + case["path"], with_metadata=True)
    if doc is None:
        return None, "", None, None
    return (getattr(doc, "title", None), getattr(doc, "text", None) or "",
            getattr(doc, "date", None), getattr(doc, "author", None))


def ours(case: dict[str, Any], html: str, list_date: str | None) -> Got:
    """sources/site_extract.py."""
    article = site_extract.extract_article(html, HOST + case["path"], list_date=list_date)
    return article.title, article.text, article.published, article.author


def ours_no_cms(case: dict[str, Any], html: str, list_date: str | None) -> Got:
    """sources/site_extract.py without its CMS container list."""
    kept = site_extract.CMS_CONTENT
    site_extract.CMS_CONTENT = ()
    try:
        return ours(case, html, list_date)
    finally:
        site_extract.CMS_CONTENT = kept


def local(value: str | None) -> datetime | None:
    """``value`` read in Asia/Shanghai as pipeline/dates.py reads it, None if unreadable."""
    when, flags = parse_published(value, tz="Asia/Shanghai", fetched_at=FETCHED)
    return None if flags else when


def score(case: dict[str, Any], got: Got) -> dict[str, bool]:
    """The scores of one page (module doc)."""
    title, text, date, author = got
    want, have = local(case["published"]), local(date)
    marks = {
        "title": title == case["title"],
        "body_complete": all(p in text for p in case["paragraphs"]),
        "body_clean": not any(b in text for b in case["boilerplate"]),
        "date": have is not None and want is not None
        and have.astimezone(ZONE).date() == want.astimezone(ZONE).date(),
        "time": have == want,
        "author": author == case["author"],
    }
    marks["all"] = all(marks.values())
    return marks


def main() -> None:
    """Run the three extractors over the fixtures and print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    cases: list[dict[str, Any]] = json.loads((SITES / "expected.json").read_text("utf-8"))
    list_dates: dict[str, str | None] = {}
    for case in cases:
        scan = article_links([(HOST + case["list"], html_of(case["site"], case["list"]))])
        list_dates.update({link.url.removeprefix(HOST): link.list_date for link in scan.links})
    pages = [(case, html_of(case["site"], case["path"])) for case in cases]
    extractors: dict[str, Callable[[dict[str, Any], str, str | None], Got]] = {
        "trafilatura": baseline, "ours_no_cms": ours_no_cms, "ours": ours}
    out: dict[str, Any] = {"pages": len(pages)}
    failures: dict[str, list[str]] = {}
    for name, extract in extractors.items():
        totals = dict.fromkeys(KEYS, 0)
        extract(pages[0][0], pages[0][1], None)  # warm up (lazy imports, caches)
        start = time.perf_counter()
        results = [(case, extract(case, html, list_dates.get(case["path"])))
                   for case, html in pages]
        elapsed = time.perf_counter() - start
        for case, got in results:
            marks = score(case, got)
            for key in KEYS:
                totals[key] += marks[key]
            failures.setdefault(name, []).extend(
                f"{case['path']}: {key}" for key in KEYS[:-1] if not marks[key])
        out[name] = {**totals, "pages_per_s": round(len(pages) / elapsed, 1)}
    out["misses"] = failures
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for name in extractors:
            print(name, out[name])


if __name__ == "__main__":
    main()
