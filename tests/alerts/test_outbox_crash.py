"""kill -9 of a dispatcher process in the middle of a send, then a restart (both backends).

A REAL dispatcher process (outbox_worker.py) delivers 12 alerts to a REAL
local receiver that holds every request 0.2 s; the test kills the process
with SIGKILL while a request is in flight, starts a new one, and checks
that every alert reached the receiver exactly once: over the webhook (an
idempotent channel) the interrupted request is repeated with the same
Idempotency-Key, which the receiver drops; over a WeCom robot (not
idempotent) nothing is repeated at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from alert_servers import HttpServer
from alerts_helpers import make_alert

from yuqing.store import Store
from yuqing.store import alerts as outbox

WORKER = Path(__file__).with_name("outbox_worker.py")
N = 12


def start(url: str, kind: str, target: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, str(WORKER), url, kind, target],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def wait_for(check: Callable[[], bool], timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


def settled(store: Store) -> bool:
    with store.read() as conn:
        rows = outbox.alert_history(conn, 100)
    return all(d["status"] != "pending" for r in rows for d in r["deliveries"])


def titles(server: HttpServer) -> list[str]:
    out = []
    for r in server.requests:
        content = json.loads(r["body"])["markdown"]["content"]
        out += [x[4:] for x in content.splitlines() if x.startswith("### ")]
    return out


@pytest.mark.parametrize("kind", ["webhook", "wecom"])
def test_kill_9_mid_send_then_restart(kind: str, store: Store, store_url: str,
                                      http_server: HttpServer) -> None:
    for n in range(N):
        store.record_alert(make_alert(n, channels=("out",)))
    target = http_server.url + ("/pause/ok" if kind == "webhook" else "/pause/wecom")
    first = start(store_url, kind, target)
    wait_for(lambda: len(http_server.requests) >= 2)  # the 2nd request is being answered
    first.kill()
    first.wait()
    at_kill = len(http_server.requests)
    second = start(store_url, kind, target)
    try:
        wait_for(lambda: settled(store))
    finally:
        second.kill()
        second.wait()
    with store.read() as conn:
        tries = [t["outcome"] for r in outbox.alert_history(conn, 100)
                 for d in r["deliveries"] for t in d["tries"]]
    assert "interrupted" in tries
    if kind == "webhook":
        keys = Counter(r["headers"]["Idempotency-Key"] for r in http_server.requests)
        assert len(keys) == N  # every alert arrived
        repeated = [k for k, n in keys.items() if n > 1]
        assert len(repeated) <= 1 and all(keys[k] == 2 for k in repeated)
        assert len(http_server.requests) <= N + 1 and at_kill >= 2
    else:
        assert Counter(titles(http_server)) == Counter(make_alert(n).title for n in range(N))
        assert tries.count("interrupted") == 3  # one packed message of 3 alerts, not repeated
