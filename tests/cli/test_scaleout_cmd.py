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
