"""`yuqing worker` and `yuqing scheduler` refuse what cannot work, before starting anything
(the workers themselves run in tests/runtime/test_celery_app.py)."""

from __future__ import annotations

import pytest
from yuqing_cli import Invoke, flat


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_a_scale_out_command_needs_a_broker(cli: Invoke, command: str) -> None:
    result = cli(command, "--db", "postgresql+psycopg://u@127.0.0.1:1/x")
    assert result.exit_code == 2
    assert "nobroker:" in flat(result.stderr) and "YUQING_BROKER_URL" in result.stderr


def test_a_broker_needs_postgresql(cli: Invoke) -> None:
    result = cli("worker", "--broker", "amqp://guest:guest@127.0.0.1:5672//")
    assert result.exit_code == 2
    assert "PostgreSQL" in flat(result.stderr)


def test_a_bad_broker_url_is_named_without_its_password(cli: Invoke,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUQING_BROKER_URL", "kafka://user:secret@host:9092")
    result = cli("worker", "--db", "postgresql+psycopg://u@127.0.0.1:1/x")
    assert result.exit_code == 2
    assert "YUQING_BROKER_URL" in result.stderr and "kafka://" in result.stderr
    assert "secret" not in result.stderr


def test_unknown_queues_are_refused(cli: Invoke) -> None:
    result = cli("worker", "--broker", "amqp://guest:guest@127.0.0.1:5672//", "--db",
                 "postgresql+psycopg://u@127.0.0.1:1/x", "--queues", "yuqing.items,celery")
    assert result.exit_code == 2
    assert "celery" in result.stderr and "yuqing.polls" in result.stderr


def test_a_flag_broker_url_is_checked_like_the_variable(cli: Invoke) -> None:
    result = cli("worker", "--broker", "amqpp://guest:secret@127.0.0.1:5672//", "--db",
                 "postgresql+psycopg://u@127.0.0.1:1/x")
    assert result.exit_code == 2
    assert "--broker" in flat(result.stderr) and "amqpp://" in result.stderr
    assert "secret" not in result.stderr


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_a_worker_refuses_to_start_on_a_database_it_cannot_open(
        cli: Invoke, command: str, postgres_admin_url: str) -> None:
    # before: it started, took batches and lost them ("failed for good", recorded nowhere)
    url = postgres_admin_url.replace("postgres@", "postgres:pw@").rsplit("/", 1)[0] + "/nosuchdb"
    result = cli(command, "--broker", "amqp://guest:guest@127.0.0.1:5672//", "--db", url)
    assert result.exit_code == 2
    assert "nosuchdb" in flat(result.stderr) and "pw@" not in result.stderr


@pytest.mark.postgres
def test_a_worker_refuses_to_start_on_a_broker_it_cannot_reach(
        cli: Invoke, postgres_schema_url: str) -> None:
    result = cli("worker", "--broker", "amqp://guest:secret@127.0.0.1:1//", "--db",
                 postgres_schema_url)
    assert result.exit_code == 2
    assert "brokeramqp://guest:**@127.0.0.1:1//" in flat(result.stderr)
    assert "secret" not in result.stderr
