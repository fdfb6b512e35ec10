"""The scale-out mode on the real broker and database: `yuqing worker` processes on
RabbitMQ and PostgreSQL decide exactly as one process does, also when a worker is
killed (kill -9) or the database drops their connections.

Each test gets a RabbitMQ virtual host and a PostgreSQL schema of its own; the reference
run is one in-process pipeline on a SQLite file, fed the same batches in the same order.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from scaleout_support import decisions, kill_9, rabbitmq_vhost, start_worker, stop, stream
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from yuqing_cli import write_config

from yuqing.config import load_config
from yuqing.domain import BadInput, RawItem
from yuqing.runtime.celery_app import raw_from_wire, raw_to_wire
from yuqing.runtime.context import make_context
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.store import Store, open_store

pytestmark = pytest.mark.postgres


@pytest.fixture
def broker() -> Iterator[str]:
    with rabbitmq_vhost() as url:
        yield url


def reference(config: Path, batches: list[list[RawItem]], tmp_path: Path) -> dict[str, object]:
    """The decisions of one in-process pipeline fed ``batches`` in order."""
    with open_store(f"sqlite:///{tmp_path / 'reference.db'}") as store:
        pipeline = Pipeline(load_config(config), store, registries=load_registries())
        for batch in batches:
            pipeline.process(batch)
        pipeline.close()
        return decisions(store)


def done_count(store: Store, tickets: list[int]) -> int:
    return len(store.shared.outcomes(tickets))


def wait_until(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_raw_items_cross_the_wire_unchanged() -> None:
    from datetime import UTC, datetime
    raw = stream(1)[0]
    assert raw_from_wire(raw_to_wire(raw)) == raw
    naive = RawItem(source="s", text="t", fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
                    published_at="2024-03-05 08:15", flags=["x"], extra={"k": [1]})
    assert raw_from_wire(raw_to_wire(naive)) == naive
    back = raw_from_wire(raw_to_wire(BadInput("a.csv:3: wrong column count")))
    assert isinstance(back, BadInput) and str(back) == "a.csv:3: wrong column count"


def test_three_workers_decide_as_one_process(tmp_path: Path, postgres_schema_url: str,
                                            broker: str) -> None:
    config = write_config(tmp_path)
    raws = stream(rounds=3)
    batches = [raws[i : i + 4] for i in range(0, len(raws), 4)]
    expected = reference(config, batches, tmp_path)
    ctx = make_context(config, postgres_schema_url, broker=broker)
    procs = [start_worker(config, postgres_schema_url, broker, tmp_path / f"w{i}.log")
             for i in range(3)]
    try:
        tickets = [ctx.producer.enqueue(batch) for batch in batches]
        outcome = ctx.producer.wait(tickets, timeout=240)
    finally:
        stop(procs)
    assert outcome.read == len(raws) and outcome.rejected == 0
    assert decisions(ctx.store) == expected
    assert sum("succeeded" in (tmp_path / f"w{i}.log").read_text() for i in range(3)) == 3
    ctx.close()


def test_kill_9_of_a_worker_mid_batch_loses_and_doubles_nothing(
        tmp_path: Path, postgres_schema_url: str, broker: str) -> None:
    config = write_config(tmp_path)
    raws = stream(rounds=10)
    batches = [raws[i : i + 10] for i in range(0, len(raws), 10)]
    expected = reference(config, batches, tmp_path)
    ctx = make_context(config, postgres_schema_url, broker=broker)
    procs = [start_worker(config, postgres_schema_url, broker, tmp_path / f"w{i}.log")
             for i in range(2)]
    try:
        tickets = [ctx.producer.enqueue(batch) for batch in batches]
        wait_until(lambda: done_count(ctx.store, tickets) >= len(tickets) // 4)
        kill_9(procs[0])  # in the middle of the stream: its batch is requeued
        outcome = ctx.producer.wait(tickets, timeout=240)
    finally:
        stop(procs)
    assert done_count(ctx.store, tickets) == len(tickets)
    assert outcome.read == len(raws) and outcome.rejected == 0
    assert decisions(ctx.store) == expected  # nothing lost, nothing doubled, same order
    ctx.close()


def test_dropped_database_connections_are_survived(tmp_path: Path, postgres_schema_url: str,
                                                   broker: str) -> None:
    config = write_config(tmp_path)
    raws = stream(rounds=10)
    batches = [raws[i : i + 10] for i in range(0, len(raws), 10)]
    expected = reference(config, batches, tmp_path)
    name = f"yq_{uuid.uuid4().hex[:12]}"
    db = make_url(postgres_schema_url).update_query_dict({"application_name": name})
    worker_db = db.render_as_string(hide_password=False)
    ctx = make_context(config, postgres_schema_url, broker=broker)
    procs = [start_worker(config, worker_db, broker, tmp_path / f"w{i}.log") for i in range(2)]
    admin = create_engine(make_url(postgres_schema_url).set(query={}),
                          isolation_level="AUTOCOMMIT")
    try:
        tickets = [ctx.producer.enqueue(batch) for batch in batches]
        for part in (4, 2):
            wait_until(lambda p=part: done_count(ctx.store, tickets) >= len(tickets) // p)
            with admin.connect() as conn:
                dropped = conn.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"), {"name": name}).scalar()
            assert dropped
        outcome = ctx.producer.wait(tickets, timeout=240)
    finally:
        stop(procs)
        admin.dispose()
    assert outcome.read == len(raws) and outcome.rejected == 0
    assert decisions(ctx.store) == expected
    assert any("trying again" in (tmp_path / f"w{i}.log").read_text() for i in range(2))
    ctx.close()
