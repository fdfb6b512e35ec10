"""Helpers of the scale-out tests: a RabbitMQ virtual host per test, worker processes, a
stream with near-duplicates and events, and the decisions to compare.

The stream is tests/fixtures/events/handwritten.jsonl (written by hand for the event
tests) retold in ``rounds``: each round every text again, one character changed per
round and under another source, an hour later; the items of a round are near-duplicates
of those of earlier rounds, so de-duplication and events cross batches and workers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from yuqing.domain import RawItem
from yuqing.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
BROKER = "amqp://guest:guest@127.0.0.1:5672"
FETCHED = datetime(2024, 6, 3, tzinfo=UTC)


def stream(rounds: int = 2) -> list[RawItem]:
    """The hand-written event posts told ``rounds`` times (module doc), in time order."""
    rows = [json.loads(line) for line in
            (FIXTURES / "events" / "handwritten.jsonl").read_text(encoding="utf-8").splitlines()]
    raws = []
    for r in range(rounds):
        for row in rows:
            at = datetime.fromisoformat(row["published_at"]).replace(tzinfo=UTC)
            text = row["text"]
            if r and len(text) >= 12:
                text = text[: 4 + r] + "，" + text[5 + r :]
            raws.append(RawItem(source=f"{row['source']}{r}", id=row["id"], text=text,
                                fetched_at=FETCHED, published_at=at + timedelta(hours=r),
                                media_type="weibo"))
    raws.sort(key=lambda x: (x.published_at, x.source, x.id))  # type: ignore[arg-type,return-value]
    return raws


def decisions(store: Store) -> dict[str, object]:
    """What the shared step decided, comparable across stores: every item's key, original
    and event, and the alerts' dedup keys."""
    return {
        "items": sorted((it.key, it.duplicate_of, it.event_id)
                        for it in store.iter_items(limit=100_000)),
        "alerts": sorted(a.alert.dedup_key for a in store.list_alerts(100_000)),
    }


@contextmanager
def rabbitmq_vhost() -> Iterator[str]:
    """Yield the URL of a new RabbitMQ virtual host (rabbitmqctl), deleted afterwards, so
    no queue is shared with another test; skips when RabbitMQ cannot be administered."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.skip("RabbitMQ's rabbitmqctl not found (the scale-out tests need RabbitMQ)")
    vhost = f"yq_test_{uuid.uuid4().hex[:10]}"
    made = subprocess.run([ctl, "add_vhost", vhost], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"RabbitMQ not available: rabbitmqctl add_vhost: {made.stderr.strip()[:200]}")
    try:
        subprocess.run([ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                       check=True, capture_output=True)
        yield f"{BROKER}/{vhost}"
    finally:
        subprocess.run([ctl, "delete_vhost", vhost], capture_output=True)


def start_worker(config: Path, db: str, broker: str, log: Path,
                 *args: str) -> subprocess.Popen[bytes]:
    """Start ``yuqing worker`` in a process group of its own (its pool processes too),
    output to ``log``."""
    out = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-c", "from yuqing.cli import app; app()", "worker", "--config",
         str(config), "--db", db, "--broker", broker, "--loglevel", "INFO", *args],
        stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUTF8": "1"},
        start_new_session=True)


def kill_9(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker ``proc`` and its pool processes at once (its process group)."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop the workers ``procs`` (SIGTERM: warm shutdown; SIGKILL to the group after
    30 s)."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_9(proc)
