"""Collection speed: designated websites polled concurrently vs fetched one page at a time.

Usage: python benchmarks/collect.py [--json] [--hosts 40] [--lists 5] [--articles 50]
                                    [--latency-ms 200] [--interval 15]

Serves ``--hosts`` websites on 127.0.0.2, 127.0.0.3 ... (one local HTTP server
each, tests/support/pageserver.py), each with ``--lists`` list pages of
``--articles``/``--lists`` links and ``--articles`` article pages (generated,
in the style of tests/fixtures/sites: nav, footer, info line; every fifth
site in GBK with a late ``<meta charset>``); every answer waits
``--latency-ms`` before it is sent. Defaults: 40 sites, 200 list pages, 2,000
articles, 200 ms. The config has one ``site`` source per host (``delay = 0``,
``max_new_per_poll`` = all of its articles, ``interval`` = ``--interval``).

1. **Concurrent** (``concurrent_s``): the first round of ``yuqing run``'s
   watcher (runtime/watch.py ``Watcher.round``: every source polled at once,
   one request at a time per host, then the pipeline and the store, SQLite in
   a temporary folder): what ``yuqing run --once`` does, the pipeline's models
   and lexicons loaded before (``pipeline_build_s``). ``stored`` items.
2. **Baseline** (``sequential_s``, same run, same servers): the same list and
   article pages fetched one after another with one httpx.Client, no parsing.
   ``ratio`` = sequential_s / concurrent_s (target >= 10).
3. **New article latency** (``new_article_latency_s``): right after a round
   ends (the worst moment), a new article is linked from the first list page
   of the first site; the watcher keeps running rounds as ``yuqing run``
   does, and the time until the article is in the store is measured
   (target: ``interval`` + 2 s, ``latency_target_s``).

Prints one JSON object: {"hosts", "pages", "articles", "latency_ms", "pipeline_build_s",
"concurrent_s",
"stored", "sequential_s", "ratio", "interval_s", "new_article_latency_s",
"latency_target_s", "cpu_count", "load_avg"}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from pageserver import PageServer, running_page_server  # noqa: E402

from yuqing.config import parse_config  # noqa: E402
from yuqing.pipeline.urls import canonical_url  # noqa: E402
from yuqing.runtime.context import Context  # noqa: E402
from yuqing.runtime.watch import Watcher  # noqa: E402
from yuqing.sources.http import HttpFetcher  # noqa: E402

PLACES = ["城关镇", "青山镇", "白沙乡", "石门镇", "河口乡", "新田镇", "东岭乡", "龙潭镇"]
TOPICS = ["农村人居环境整治", "春季森林防火", "义务教育招生", "城乡居民医保缴费", "防汛抗旱",
          "安全生产大检查", "高标准农田建设", "老旧小区改造", "食品安全抽检", "文明城市创建"]
NAV = ("<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a><a href='/zwfw/'>"
       "政务服务</a><a href='/hdjl/'>互动交流</a></div>")
FOOT = ("<div class='footer'><p>主办单位：青山县人民政府办公室 网站标识码：3609000001</p>"
        "<p>赣ICP备05001234号</p></div>")


def title(site: int, n: int) -> str:
    """The title of article ``n`` of ``site`` (unique)."""
    return f"{PLACES[(site + n) % len(PLACES)]}推进{TOPICS[n % len(TOPICS)]}工作第{site}-{n}号通报"


def article_page(site: int, n: int, charset: str) -> bytes:
    """An article page (TRS-like), ``charset`` utf-8 or gbk."""
    css = f"<style>{'.x{color:red}' * 3000}</style>" if charset == "gbk" else ""
    head = f"{css}<meta charset='{charset}'>"  # GBK sites declare it after 36 KB of CSS
    paras = "".join(
        f"<p>{PLACES[(site + n + k) % len(PLACES)]}召开专题会议，部署"
        f"{TOPICS[(n + k) % len(TOPICS)]}工作，要求各村（社区）在{k + 3}月底前完成第{n}批次任务。"
        f"会议强调要压实责任、加强督查，编号{site * 1000 + n * 10 + k}。</p>" for k in range(3))
    html = (f"<html><head>{head}<title>{title(site, n)}_青山县</title></head><body>{NAV}"
            f"<div class='position'>当前位置：首页 &gt; 通知公告</div><h1>{title(site, n)}</h1>"
            f"<div class='info'>发布时间：2024-03-0{1 + n % 5} 09:{n % 60:02d} 来源：县政府办"
            f"</div><div class='TRS_Editor'>{paras}</div>"
            f"<div class='tools'>【打印本页】【关闭窗口】</div>"
            f"{FOOT}</body></html>")
    return html.encode(charset)


def list_page(site: int, numbers: list[int], charset: str, extra: str = "") -> bytes:
    """A list page linking the articles ``numbers`` of ``site`` (plus ``extra`` rows)."""
    rows = "".join(f"<li><a href='/art/2024/3/1/art_{site}_{n}.html'>{title(site, n)}</a>"
                   f"<span>2024-03-01</span></li>" for n in numbers)
    html = (f"<html><head><meta charset='{charset}'><title>通知公告_青山县</title></head><body>"
            f"{NAV}<ul class='list'>{extra}{rows}</ul>{FOOT}</body></html>")
    return html.encode(charset)


def serve(server: PageServer, site: int, lists: int, articles: int, delay: float) -> list[str]:
    """Add the pages of ``site`` to ``server``; return their URLs, list pages first."""
    charset = "gbk" if site % 5 == 0 else "utf-8"
    ctype = {"Content-Type": "text/html"}
    per_list = articles // lists
    urls = []
    for page in range(lists):
        numbers = list(range(page * per_list, (page + 1) * per_list))
        server.add(f"/list_{page}.html", list_page(site, numbers, charset), headers=ctype,
                   delay=delay)
        urls.append(server.url(f"/list_{page}.html"))
    for n in range(articles):
        server.add(f"/art/2024/3/1/art_{site}_{n}.html", article_page(site, n, charset),
                   headers=ctype, delay=delay)
    return urls + [server.url(f"/art/2024/3/1/art_{site}_{n}.html") for n in range(articles)]


def sequential(urls: list[str]) -> float:
    """Seconds to GET every URL one after another (the baseline)."""
    start = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for url in urls:
            client.get(url).raise_for_status()
    return time.perf_counter() - start


def rounds_until(watcher: Watcher, ctx: Context, key: str, limit_s: float) -> Iterator[float]:
    """Run watcher rounds as `yuqing run` does until ``key`` is stored; yield the time
    each round ended."""
    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        time.sleep(watcher.seconds_to_next())
        watcher.round()
        yield time.perf_counter()
        if ctx.store.get_item(key) is not None:
            return


def main() -> None:
    """Run the three measurements of the module doc and print the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--lists", type=int, default=5, help="list pages per host")
    parser.add_argument("--articles", type=int, default=50, help="articles per host")
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--interval", type=float, default=15.0, help="poll interval, seconds")
    args = parser.parse_args()
    delay = args.latency_ms / 1000
    load_before = os.getloadavg()[0]
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        servers = [stack.enter_context(running_page_server(f"127.0.0.{2 + i}"))
                   for i in range(args.hosts)]
        lists: dict[int, list[str]] = {}
        everything: list[str] = []
        for i, server in enumerate(servers):
            urls = serve(server, i, args.lists, args.articles, delay)
            lists[i] = urls[:args.lists]
            everything += urls
        cfg = parse_config({
            "sources": [{"name": f"site{i}", "kind": "site", "url": lists[i], "delay": 0,
                         "interval": args.interval, "max_new_per_poll": args.articles}
                        for i in range(args.hosts)],
            "schemes": [{"name": "县情", "subject_words": ["森林防火", "防汛"]}],
        })
        ctx = Context(config=cfg, database_url=f"sqlite:///{tmp}/collect.db")
        watcher = Watcher(ctx, fetcher=HttpFetcher(delay=0.0))
        start = time.perf_counter()
        ctx.pipeline.dispatcher  # noqa: B018 - build the pipeline (models, lexicons) first
        build_s = time.perf_counter() - start
        start = time.perf_counter()
        first = watcher.round()
        concurrent_s = time.perf_counter() - start
        sequential_s = sequential(everything)

        # a new article on site 0, linked from its first list page, right after a round
        watcher.round()
        new = args.articles
        servers[0].add(f"/art/2024/3/1/art_0_{new}.html", article_page(0, new, "gbk"),
                       headers={"Content-Type": "text/html"}, delay=delay)
        per_list = args.articles // args.lists
        row = (f"<li><a href='/art/2024/3/1/art_0_{new}.html'>{title(0, new)}</a>"
               f"<span>2024-03-06</span></li>")
        servers[0].add("/list_0.html", list_page(0, list(range(per_list)), "gbk", row),
                       headers={"Content-Type": "text/html"}, delay=delay)
        added = time.perf_counter()
        key = "url:" + canonical_url(servers[0].url(f"/art/2024/3/1/art_0_{new}.html"))
        ended = list(rounds_until(watcher, ctx, key, limit_s=args.interval * 3 + 30))
        found = ctx.store.get_item(key) is not None
        watcher.close()
        ctx.close()
    pages = args.hosts * args.lists
    out = {
        "hosts": args.hosts, "pages": pages, "articles": args.hosts * args.articles,
        "latency_ms": args.latency_ms, "pipeline_build_s": round(build_s, 2),
        "concurrent_s": round(concurrent_s, 2),
        "stored": first.stored, "sequential_s": round(sequential_s, 2),
        "ratio": round(sequential_s / concurrent_s, 1), "interval_s": args.interval,
        "new_article_latency_s": round(ended[-1] - added, 2) if found else None,
        "latency_target_s": args.interval + 2, "cpu_count": os.cpu_count(),
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(out) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
