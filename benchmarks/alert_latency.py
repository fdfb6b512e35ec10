"""Alert latency: from an item POSTed to /api/items to a local robot receiving the alert.

Usage: python benchmarks/alert_latency.py [--json] [--rate 200] [--seconds 10] [--share 0.1]
                                          [--db URL] [--no-rss]

Starts `yuqing serve` (uvicorn, the web app with its background alert
dispatcher) in a subprocess on a free port with a config whose one rule
sends every item of scheme 燃气 to a WeCom-like robot played by a local HTTP
server in this process (HTTP 200 ``{"errcode":0}``; the robot's 20/minute
quota is switched off: we measure our path, not WeCom's). Items are POSTed
one per request at ``--rate`` per second for ``--seconds`` (an open-loop
sender: one asyncio task per request, started at its scheduled instant
whatever the answers of earlier ones; ``achieved_rate`` and ``send_lag_p99_ms``
show that the sender kept up); a ``--share`` of them match. Each item
carries a token; latency is the time from the SCHEDULED start of its POST
(so a sender that falls behind adds to it, never hides it) to the receiver
parsing the token out of a robot message (``push_*``: the POST's own answer
time; ``outbox_*``: from the alert's record in the outbox to the receiver,
the part alerting owns). Lost = matching tokens never received (10 s
grace), duplicated = tokens received more than once. Baseline (same run): a
POST straight to the robot. ``load_avg`` is the 1-minute load average before
and after the push run (other jobs on the machine).
With RSS (default on): `yuqing run` polls a local feed every 2 s while
items are published into it; latency is publication to receipt
(target: poll interval + 1 s).

Prints one JSON object: {"rate", "items", "alerts", "p50_ms", "p95_ms", "p99_ms", "lost",
"duplicated", "baseline_name", "baseline_p50_ms", "baseline_p99_ms", "rss": {...}}.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from yuqing.config import Config

TOKEN = re.compile(r"BENCH\d{7}")
WORDS = [
    "市民", "反映", "小区", "物业", "道路", "维修", "学校", "医院", "公交", "停车", "噪音", "垃圾",
    "供水", "供电", "网络", "价格", "菜市场", "社区", "街道", "施工", "排水", "绿化", "电梯",
    "楼道", "快递", "外卖", "排队", "窗口", "办事", "投诉", "热线", "回复", "居民", "商户", "夜市",
    "广场", "地铁", "站台", "河道", "公园", "图书馆", "体育馆", "食堂", "宿舍", "考试", "招聘",
    "补贴", "社保",
]
POLL_S = 2.0
PUSH_TOKEN = "bench-push-token"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Robot:
    """A local WeCom-like robot: records when each token first (and again) arrives."""

    def __init__(self) -> None:
        self.seen: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, float] = {}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                now, wall = time.monotonic(), time.time()
                for token in set(TOKEN.findall(body.decode("utf-8", errors="replace"))):
                    robot.seen[token].append(now)
                    robot.wall.setdefault(token, wall)
                payload = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


def config_text(robot: Robot, rss_url: str | None = None) -> str:
    """The benchmark config: scheme 燃气, one rule to the robot, optional RSS source."""
    rss = (f'[[sources]]\nname = "bench-rss"\nkind = "rss"\nurl = "{rss_url}"\n'
           f'interval = {POLL_S}\nallow_internal = true\n') if rss_url else ""
    web = f'[web]\npush_token = "{PUSH_TOKEN}"\n' if "web" in Config.model_fields else ""
    if "events" in Config.model_fields:  # every bench item its own story (no clustering)
        web += "[events]\nthreshold = 0.999\n"
    return f"""{rss}{web}
[[schemes]]
name = "燃气"
subject_words = ["燃气"]

[[alerts.rules]]
name = "燃气全部"
negative = false
sensitive = false
channels = ["robot"]
max_per_window = 1000000

[[alerts.channels]]
name = "robot"
kind = "wecom"
url = "{robot.url}/cgi-bin/webhook/send?key=bench"
allow_internal = true
rate_per_minute = 0
"""


def text(rng: random.Random, token: str, matching: bool) -> str:
    """A Weibo-length text holding ``token``: 12 of the 48 WORDS (``--texts narrow``). No two
    are near-duplicates, but all share one small vocabulary, so every item is a near-
    duplicate CANDIDATE of about one in eight earlier ones: a worst case for the dedup and
    event stages, whose work then grows with the items stored."""
    words = rng.sample(WORDS, 12)
    head = "燃气管道泄漏，" if matching else "今天"
    return f"{head}{token} " + "".join(words) + "，请有关部门关注。"


def hotsearch_titles() -> list[str]:
    """The 5,750 real Weibo hot-search titles shipped in yuqing/data/hotsearch (MIT), less
    those naming the benchmark's scheme word 燃气."""
    from importlib import resources

    path = resources.files("yuqing") / "data" / "hotsearch" / "topics.jsonl.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as fh:
        titles = [json.loads(line)["title"] for line in fh]
    return sorted({t for t in titles if "燃气" not in t})


class Texts:
    """Makes bench texts: ``hotsearch`` (default: three random real hot-search titles, a
    vocabulary like a real stream's) or ``narrow`` (see :func:`text`)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.titles = hotsearch_titles() if kind == "hotsearch" else []

    def __call__(self, rng: random.Random, token: str, matching: bool) -> str:
        """Return one item text carrying ``token``; ``matching`` ones contain the rule's word."""
        if self.kind == "narrow":
            return text(rng, token, matching)
        head = "燃气管道泄漏，" if matching else "今天看到"
        return f"{head}{token} " + "，".join(rng.sample(self.titles, 3)) + "。"


def start_server(args: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start ``yuqing ARGS`` and wait until the web app answers on ``port``."""
    proc = subprocess.Popen([sys.executable, "-c", "from yuqing.cli import app; app()", *args],
                            env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("yuqing did not start within 60 s")


def percentile(values: list[float], p: float) -> float | None:
    """The ``p``-th percentile (nearest rank) of ``values`` in ms, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 1)


def summarise(expected: dict[str, float], robot: Robot) -> dict[str, Any]:
    """Latency percentiles, lost and duplicated for ``expected`` tokens (token -> sent time)."""
    lat = [robot.seen[t][0] - sent for t, sent in expected.items() if robot.seen.get(t)]
    return {"alerts": len(expected), "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95),
            "p99_ms": percentile(lat, 99),
            "lost": sum(1 for t in expected if not robot.seen.get(t)),
            "duplicated": sum(1 for t in expected if len(robot.seen.get(t, [])) > 1)}


def outbox_latency(db: str, robot: Robot) -> dict[str, Any]:
    """Percentiles (ms) from an alert being recorded in the outbox (``created_at``) to the
    robot receiving it: the part of the latency that alerting owns."""
    from yuqing.store import open_store

    with open_store(db) as store:
        stored = store.list_alerts(100_000)
    lat = []
    for s in stored:
        for key in s.alert.item_keys:
            token = TOKEN.search(key)
            if token and token.group(0) in robot.wall:
                lat.append(robot.wall[token.group(0)] - s.alert.created_at.timestamp())
    return {"outbox_p50_ms": percentile(lat, 50), "outbox_p99_ms": percentile(lat, 99)}


def wait_for(expected: dict[str, float], robot: Robot, grace: float) -> None:
    """Wait until ``robot`` has seen every token of ``expected``, or ``grace`` seconds pass."""
    end = time.monotonic() + grace
    while time.monotonic() < end and any(not robot.seen.get(t) for t in expected):
        time.sleep(0.05)


def push_run(rate: float, seconds: float, share: float, db: str, workdir: Path,
             per_request: int = 1, texts: Texts | None = None) -> dict[str, Any]:
    """Push items at ``rate`` per second, ``per_request`` items per POST, to `yuqing serve`;
    return the summary."""
    robot = Robot()
    cfg = workdir / "bench.toml"
    cfg.write_text(config_text(robot), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "YUQING_DATABASE_URL": db}
    proc = start_server(["serve", "-c", str(cfg), "--port", str(port)], port, env)
    rng = random.Random(7)
    total = int(rate * seconds)
    requests = []  # (first item number, matching flags, body): built before the clock starts
    make = texts or Texts("hotsearch")
    for first in range(0, total, per_request):
        flags = [rng.random() < share for _ in range(min(per_request, total - first))]
        body = [{"id": f"BENCH{n:07d}", "text": make(rng, f"BENCH{n:07d}", matching),
                 "source": "bench"} for n, matching in enumerate(flags, first)]
        requests.append((first, flags, body))
    load_before = os.getloadavg()[0]
    try:
        sent = asyncio.run(open_loop(port, rate, requests))
        wait_for(sent.expected, robot, 10.0)
    finally:
        proc.terminate()
        proc.wait(30)
        robot.server.shutdown()
    return {"rate": rate, "per_request": per_request, "items": total,
            "texts": make.kind,
            "achieved_rate": round(total / sent.duration, 1), "recorded": sent.recorded,
            **summarise(sent.expected, robot), "push_p50_ms": percentile(sent.answered, 50),
            "push_p99_ms": percentile(sent.answered, 99),
            "send_lag_p99_ms": percentile(sent.lag, 99), **outbox_latency(db, robot),
            "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


class Sent:
    """What the open-loop sender did: ``expected`` matching token -> scheduled start
    (monotonic s), POST answer times, start lags behind schedule (s), alerts the server
    reported recording, and the ``duration`` from the first scheduled start to the last answer."""

    def __init__(self) -> None:
        self.expected: dict[str, float] = {}
        self.answered: list[float] = []
        self.lag: list[float] = []
        self.recorded = 0
        self.duration = 0.0


async def post_json(host: str, port: int, path: str, doc: Any,
                    headers: dict[str, str]) -> dict[str, Any]:
    """POST ``doc`` as JSON on a fresh connection (``Connection: close``) and return the JSON
    answer. A minimal HTTP/1.1 client: an open-loop sender needs hundreds of requests in
    flight, and a pooled client reusing connections the server closed after its keep-alive
    timeout fails with read errors under that load."""
    body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    head = "".join(f"{k}: {v}\r\n" for k, v in {
        "Host": f"{host}:{port}", "Content-Type": "application/json",
        "Content-Length": str(len(body)), "Connection": "close", **headers}.items())
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"POST {path} HTTP/1.1\r\n{head}\r\n".encode("latin-1") + body)
        await writer.drain()
        raw = await reader.read()  # the server closes the connection after its answer
    finally:
        writer.close()
    status, _, rest = raw.partition(b"\r\n")
    if b" 200 " not in status + b" ":
        raise RuntimeError(f"POST {path}: {status.decode('latin-1')}")
    return json.loads(rest.partition(b"\r\n\r\n")[2])  # type: ignore[no-any-return]


async def open_loop(port: int, rate: float,
                    requests: list[tuple[int, list[bool], list[dict[str, Any]]]]) -> Sent:
    """POST ``requests`` (first item number, matching flags, body) to /api/items on
    ``port`` at ``rate`` items per second, each in its own task started at its scheduled
    instant; return what happened."""
    out = Sent()

    async def push(first: int, flags: list[bool], body: list[dict[str, Any]],
                   scheduled: float) -> None:
        started = time.monotonic()
        out.lag.append(started - scheduled)
        for doc in body:
            doc["published_at"] = datetime.now(UTC).isoformat()
        answer = await post_json("127.0.0.1", port, "/api/items", body,
                                 {"X-Push-Token": PUSH_TOKEN})
        out.answered.append(time.monotonic() - started)
        out.recorded += answer.get("alerts", 0)
        for n, matching in enumerate(flags, first):
            if matching:
                out.expected[f"BENCH{n:07d}"] = scheduled

    start = time.monotonic()
    tasks = []
    for first, flags, body in requests:
        scheduled = start + first / rate
        await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
        tasks.append(asyncio.create_task(push(first, flags, body, scheduled)))
    await asyncio.gather(*tasks)
    out.duration = time.monotonic() - start
    return out


def baseline(n: int = 200) -> dict[str, Any]:
    """A POST of one robot message straight to a local robot: the floor of any latency."""
    robot = Robot()
    lat = []
    with httpx.Client() as client:
        for i in range(n):
            started = time.monotonic()
            client.post(robot.url, content=f"BENCH{i:07d}".encode())
            lat.append(robot.seen[f"BENCH{i:07d}"][0] - started)
    robot.server.shutdown()
    return {"baseline_name": "POST straight to the robot", "baseline_p50_ms": percentile(lat, 50),
            "baseline_p99_ms": percentile(lat, 99)}


class Feed:
    """A local RSS feed that items can be published into while it is polled."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, datetime]] = []
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                items = "".join(
                    f"<item><title>{t}</title><description>{d}</description><guid>{t}</guid>"
                    f"<link>https://news.example.cn/{t}</link>"
                    f"<pubDate>{format_datetime(when)}</pubDate></item>"
                    for t, d, when in list(feed.entries))
                body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                        f"<title>bench</title>{items}</channel></rss>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


def rss_run(db: str, workdir: Path, n: int = 20, texts: Texts | None = None) -> dict[str, Any]:
    """Publish ``n`` matching items into a feed polled every POLL_S s; return the summary."""
    robot, feed = Robot(), Feed()
    cfg = workdir / "rss.toml"
    cfg.write_text(config_text(robot, feed.url), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "YUQING_DATABASE_URL": db}
    proc = start_server(["run", "-c", str(cfg), "--port", str(port)], port, env)
    rng = random.Random(11)
    expected: dict[str, float] = {}
    try:
        time.sleep(POLL_S)
        for i in range(n):
            token = f"BENCH{9_000_000 + i:07d}"
            feed.entries.append((token, (texts or Texts("hotsearch"))(rng, token, True),
                                 datetime.now(UTC)))
            expected[token] = time.monotonic()
            time.sleep(rng.uniform(0.1, 0.6))
        wait_for(expected, robot, POLL_S + 10)
    finally:
        proc.terminate()
        proc.wait(30)
        robot.server.shutdown()
        feed.server.shutdown()
    return {"poll_interval_s": POLL_S, "target_ms": (POLL_S + 1) * 1000,
            **summarise(expected, robot)}


def main() -> None:
    """Parse arguments, run the push (and RSS) benchmark, print the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temp dir)")
    parser.add_argument("--per-request", type=int, default=1, help="items per POST")
    parser.add_argument("--no-rss", action="store_true")
    parser.add_argument("--texts", choices=("hotsearch", "narrow"), default="hotsearch",
                        help="item texts: real hot-search titles, or a 48-word vocabulary")
    args = parser.parse_args()
    texts = Texts(args.texts)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        doc = push_run(args.rate, args.seconds, args.share,
                       args.db or f"sqlite:///{work / 'push.db'}", work, args.per_request, texts)
        doc.update(baseline())
        if not args.no_rss:
            doc["rss"] = rss_run(args.db or f"sqlite:///{work / 'rss.db'}", work, texts=texts)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
    else:
        for key, value in doc.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
