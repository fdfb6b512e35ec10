"""End-to-end test of `yuqing run` (src/yuqing/cli/run.py) as a real process stopped by SIGINT.

Sources: a ``file`` source on tests/fixtures/items/e2e_items.jsonl (3 items
stored, 1 alert) and a ``replay`` source on e2e_items.csv (3 stored, 1 alert).
A second run must resume from the saved source state: nothing re-stored,
no alert recorded again.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from web_auth import api_headers
from yuqing_cli import FIXTURES, write_config

from yuqing.store import Store, open_store

YUQING = str(Path(sys.executable).parent / "yuqing")
SOURCES = f"""
[[sources]]
name = "file-src"
kind = "file"
path = "{FIXTURES / 'items' / 'e2e_items.jsonl'}"
interval = 1

[[sources]]
name = "replay-src"
kind = "replay"
path = "{FIXTURES / 'items' / 'e2e_items.csv'}"
speed = 0
interval = 1
"""


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll ``check`` every 0.1 s until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def last_success(store: Store) -> str | None:
    """When the file source last fetched successfully, as saved in the store (None before)."""
    state = store.load_source_state("file-src")
    return None if state is None else state.health.get("last_success")


def run_until(tmp_path: Path, db: str, ready: Callable[[Store], bool]) -> dict[str, Any]:
    """Start `yuqing run --no-serve --json`, wait for ``ready(store)``, SIGINT it; return its
    JSON."""
    config = write_config(tmp_path, SOURCES)
    env = {k: v for k, v in os.environ.items() if k != "YUQING_DATABASE_URL"}
    with (tmp_path / "run.err").open("wb") as err, subprocess.Popen(
            [YUQING, "run", "-c", str(config), "--db", db, "--no-serve", "--json"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=err) as proc:
        try:
            with open_store(db) as store:
                wait_for(lambda: proc.poll() is None and ready(store), "the watcher's first round")
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    log = (tmp_path / "run.err").read_text(encoding="utf-8")
    assert proc.returncode == 0, log
    assert "已停止 stopped" not in log  # --json: the summary is on stdout instead
    doc = json.loads(out)
    assert isinstance(doc, dict)
    return doc


def test_run_stores_then_resumes_without_restoring_or_realerting(
    tmp_path: Path, store_url: str
) -> None:
    first = run_until(
        tmp_path, store_url, lambda s: s.count_items() == 8 and last_success(s) is not None
    )
    assert (first["stored"], first["rejected"]) == (8, 4)  # lossy ids kept (F20.2)
    assert first["alerts"] >= 1  # how many depends on the sentiment model; the store agrees
    health = first["sources"]["file-src"]
    assert health["status"] == "degraded"  # it had bad rows, named in the health record
    assert "e2e_items.jsonl:2: not valid JSON" in health["last_error"]["message"]
    with open_store(store_url) as store:
        before = last_success(store)
        assert store.count_alerts() == first["alerts"]
    second = run_until(tmp_path, store_url, lambda s: last_success(s) not in (None, before))
    assert (second["stored"], second["updated"], second["alerts"]) == (0, 0, 0)
    with open_store(store_url) as store:
        assert store.count_items() == 8
        assert store.count_alerts() == first["alerts"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_serves_the_push_api_on_a_real_port(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    item = {
        "id": "h1",
        "text": "市人民医院门口发生严重车祸，两人受伤，警察到场处置",
        "source": "push-test",
    }

    def pushed() -> bool:
        try:
            reply = httpx.post(f"{base}/api/items", json=item, headers=auth, timeout=5)
        except httpx.TransportError:
            return False  # not listening yet
        assert reply.status_code == 200, reply.text
        assert reply.json()["stored"] == 1
        return True

    db = f"sqlite:///{tmp_path / 'served.db'}"
    with open_store(db) as store:
        auth = api_headers(store)
    config = str(write_config(tmp_path))
    env = {k: v for k, v in os.environ.items() if k != "YUQING_DATABASE_URL"}
    with subprocess.Popen([YUQING, "run", "-c", config, "--db", db, "--port", str(port), "--json"],
                          cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as proc:
        try:
            wait_for(lambda: proc.poll() is None and pushed(), "the push API")
            found = httpx.get(
                f"{base}/api/items", params={"q": "警察"}, headers=auth, timeout=5
            ).json()
            assert [it["id"] for it in found] == ["h1"]
            assert found[0]["schemes"] == ["公共安全"]
            assert httpx.get(f"{base}/api/alerts", headers=auth, timeout=5).json()[0]["items"] == [
                "push-test:h1"
            ]
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0
    summary = json.loads(out)  # the run's counts include what was pushed over HTTP
    assert (summary["pushed"]["read"], summary["pushed"]["stored"]) == (1, 1)
    assert (summary["read"], summary["stored"], summary["alerts"]) == (1, 1, 1)


def test_run_says_where_the_web_app_is_and_how_to_make_the_first_login(tmp_path: Path) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path / 'first.db'}"
    env = {k: v for k, v in os.environ.items() if k != "YUQING_DATABASE_URL"}
    with subprocess.Popen([YUQING, "run", "-c", str(write_config(tmp_path)), "--db", db,
                           "--port", str(port)], cwd=tmp_path, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        try:
            assert proc.stdout is not None
            lines = [proc.stdout.readline(), proc.stdout.readline()]
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert lines[0].startswith(f"网页 web app: http://127.0.0.1:{port}/ "), lines
    assert lines[1].rstrip().endswith(
        "create the first: yuqing user add NAME --role admin --password-stdin"), lines
