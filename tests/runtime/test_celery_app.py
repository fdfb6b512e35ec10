"""The scale-out mode on the real broker and database: `yuqing worker` processes on
RabbitMQ and PostgreSQL decide exactly as one process does, also when a worker is
killed (kill -9), the database drops their connections or the broker restarts.

Each test gets a RabbitMQ virtual host and a PostgreSQL schema of its own; the reference
run is one in-process pipeline on a SQLite file, fed the same batches in the same order.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from scaleout_support import decisions, kill_9, rabbitmq_vhost, start_worker, stop, stream
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from web_auth import api_headers
from yuqing_cli import write_config

from yuqing.config import load_config
from yuqing.domain import BadInput, RawItem
from yuqing.runtime.celery_app import raw_from_wire, raw_to_wire
from yuqing.runtime.context import Context, make_context
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.store import Store, open_store
from yuqing.web.app import create_app

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


Fault = Callable[[list[subprocess.Popen[bytes]]], None]


def named(db: str, name: str) -> str:
    """``db`` with the PostgreSQL application_name ``name`` (to find its connections)."""
    url = make_url(db).update_query_dict({"application_name": name})
    return url.render_as_string(hide_password=False)


def push(ctx: Context, raws: list[RawItem]) -> int:
    """POST ``raws`` to ``ctx``'s web app (a broker: answered 202); return the ticket."""
    body = [{"id": r.id, "text": r.text, "source": r.source, "media_type": r.media_type,
             "published_at": r.published_at.isoformat()}  # type: ignore[union-attr]
            for r in raws]
    with TestClient(create_app(ctx)) as client:
        answer = client.post("/api/items", json=body, headers=api_headers(ctx.store))
    assert answer.status_code == 202, answer.text
    assert answer.json()["queued"] == len(raws)
    return int(answer.json()["ticket"])


def through_workers(tmp_path: Path, db: str, broker: str, *, workers: int, rounds: int,
                    batch: int, fault: Fault | None = None, app: str = "yq",
                    pushed: bool = False) -> None:
    """Feed the stream of ``rounds`` to ``workers`` worker processes (worker i connects
    as application ``{app}{i}``) in batches of ``batch`` (the last one through the push
    API when ``pushed``); once a quarter of them committed, call ``fault(workers)``;
    then check that every input was processed once and the decisions are the
    reference's."""
    config = write_config(tmp_path)
    raws = stream(rounds)
    batches = [raws[i : i + batch] for i in range(0, len(raws), batch)]
    expected = reference(config, batches, tmp_path)
    ctx = make_context(config, db, broker=broker)
    procs = [start_worker(config, named(db, f"{app}{i}"), broker, tmp_path / f"w{i}.log")
             for i in range(workers)]
    try:
        tickets = [ctx.producer.enqueue(b) for b in batches[: -1 if pushed else None]]
        if pushed:
            tickets.append(push(ctx, batches[-1]))
        if fault is not None:
            wait_until(lambda: done_count(ctx.store, tickets) >= len(tickets) // 4)
            fault(procs)
        outcome = ctx.producer.wait(tickets, timeout=240)
    finally:
        stop(procs)
    assert outcome.read == len(raws) and outcome.rejected == 0
    assert decisions(ctx.store) == expected  # nothing lost, nothing doubled, same order
    ctx.close()


def test_three_workers_decide_as_one_process(tmp_path: Path, postgres_schema_url: str,
                                            broker: str) -> None:
    through_workers(tmp_path, postgres_schema_url, broker, workers=3, rounds=3, batch=4,
                    pushed=True)
    assert all("succeeded" in (tmp_path / f"w{i}.log").read_text() for i in range(3))


def holding_a_batch(db: str, name: str) -> bool:
    """True when a connection of application ``name`` holds a batch ticket (a session
    advisory lock: the worker is in the middle of a batch)."""
    with create_engine(make_url(db).set(query={})).connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted "
            "AND a.application_name = :name"), {"name": name}).scalar())


def test_kill_9_of_a_worker_mid_batch_loses_and_doubles_nothing(
        tmp_path: Path, postgres_schema_url: str, broker: str) -> None:
    app = f"yq_{uuid.uuid4().hex[:8]}_"

    def kill_mid_batch(procs: list[subprocess.Popen[bytes]]) -> None:
        wait_until(lambda: holding_a_batch(postgres_schema_url, f"{app}0"), timeout=60)
        kill_9(procs[0])  # the worker and its pool process: the broker requeues the batch

    through_workers(tmp_path, postgres_schema_url, broker, workers=2, rounds=10, batch=10,
                    fault=kill_mid_batch, app=app)


def test_dropped_database_connections_are_survived(tmp_path: Path, postgres_schema_url: str,
                                                   broker: str) -> None:
    app = f"yq_{uuid.uuid4().hex[:8]}_"
    admin = create_engine(make_url(postgres_schema_url).set(query={}),
                          isolation_level="AUTOCOMMIT")

    def terminate() -> int:
        with admin.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name LIKE :app"), {"app": app + "%"}).scalar() or 0)

    def drop(_: object) -> None:
        # the first drop must hit a worker's connection (polled: between two batches
        # a worker may hold none); a second one 0.3 s later catches the reconnections
        wait_until(lambda: terminate() > 0, timeout=60)
        time.sleep(0.3)
        terminate()

    try:
        through_workers(tmp_path, postgres_schema_url, broker, workers=2, rounds=10, batch=10,
                        fault=drop, app=app)
    finally:
        admin.dispose()
    assert any("trying again" in (tmp_path / f"w{i}.log").read_text() for i in range(2))


def test_a_broker_restart_loses_and_doubles_nothing(tmp_path: Path, postgres_schema_url: str,
                                                    broker: str) -> None:
    ctl = shutil.which("rabbitmqctl")
    assert ctl  # the broker fixture made the virtual host with it

    def restart(_: object) -> None:
        # the broker application stops (connections closed; durable queues and
        # persistent messages kept) and starts again; the workers reconnect
        try:
            subprocess.run([ctl, "stop_app"], check=True, capture_output=True)
            time.sleep(2)
        finally:
            subprocess.run([ctl, "start_app"], check=True, capture_output=True)

    through_workers(tmp_path, postgres_schema_url, broker, workers=2, rounds=10, batch=10,
                    fault=restart)


def test_a_push_names_its_refused_records_and_the_broker_when_away(
        tmp_path: Path, postgres_schema_url: str, broker: str) -> None:
    config = write_config(tmp_path)
    good = {"id": "p1", "text": "青山县一中食堂饭菜变质，多名学生腹痛", "source": "push"}
    ctx = make_context(config, postgres_schema_url, broker=broker)
    away = make_context(config, postgres_schema_url, broker="amqp://guest:pw@127.0.0.1:1//")
    try:
        with TestClient(create_app(ctx)) as client:
            headers = api_headers(ctx.store)
            mixed = client.post("/api/items", json=[good, {"id": "p2"}], headers=headers)
            assert mixed.status_code == 202
            assert (mixed.json()["queued"], mixed.json()["rejected"]) == (1, 1)
            assert "text" in mixed.json()["errors"][0]
            refused = client.post("/api/items", json=[{"id": "p3"}], headers=headers)
            assert refused.status_code == 422 and refused.json()["queued"] == 0
        with TestClient(create_app(away)) as client:
            down = client.post("/api/items", json=[good], headers=api_headers(away.store))
        assert down.status_code == 503
        assert "127.0.0.1:1" in down.json()["detail"] and "pw" not in down.text
    finally:
        ctx.close()
        away.close()


def test_a_batch_the_store_cannot_even_reject_goes_back_to_the_broker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from celery.exceptions import Reject

    from yuqing.runtime.celery_app import process_batch

    ctx = make_context(write_config(tmp_path), f"sqlite:///{tmp_path / 'y.db'}")

    def away(*_: object, **__: object) -> None:
        raise ConnectionError("the database is away")

    monkeypatch.setattr(ctx.pipeline, "process_ticket", away)
    monkeypatch.setattr(ctx.pipeline, "fail_ticket", away)
    with pytest.raises(Reject) as rejected:
        process_batch(ctx, stream(1)[:2], 1, sleep=lambda s: None)
    assert rejected.value.requeue  # not acknowledged: another try, nothing lost
    ctx.close()
