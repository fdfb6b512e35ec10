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
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    return ((state or {}).get("health") or {}).get("last_success")


def run_until(tmp_path: Path, db: str, ready: Callable[[Store], bool]) -> dict[str, Any]:
    """Start `yuqing run --no-serve --json`, wait for ``ready(store)``, SIGINT it; return its JSON."""
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


def test_run_stores_then_resumes_without_restoring_or_realerting(tmp_path: Path, store_url: str) -> None:
    first = run_until(tmp_path, store_url, lambda s: s.count_items() == 6 and last_success(s) is not None)
    assert (first["stored"], first["alerts"], first["rejected"]) == (6, 2, 6)
    health = first["sources"]["file-src"]
    assert health["status"] == "degraded"  # it had bad rows, named in the health record
    assert "e2e_items.jsonl:2: not valid JSON" in health["last_error"]["message"]
    with open_store(store_url) as store:
        before = last_success(store)
        assert store.count_alerts() == 2
    second = run_until(tmp_path, store_url, lambda s: last_success(s) not in (None, before))
    assert (second["stored"], second["updated"], second["alerts"]) == (0, 0, 0)
    with open_store(store_url) as store:
        assert store.count_items() == 6
        assert store.count_alerts() == 2
