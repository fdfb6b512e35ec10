"""The ``runtime`` fixture: the pipeline contract tests run in-process (on SQLite and on
PostgreSQL) and on Celery workers (RabbitMQ, PostgreSQL), as the store contract runs on
both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from runtimes import InProcess, MakeRuntime, OnCelery, Runtime
from scaleout_support import rabbitmq_vhost


@pytest.fixture(params=[
    "in_process_sqlite",
    pytest.param("in_process_postgresql", marks=pytest.mark.postgres),
    pytest.param("celery", marks=pytest.mark.postgres),
])
def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeRuntime]:
    """Yield ``make(config_toml, workers=1) -> Runtime`` (once per test): in-process
    pipelines on a SQLite file or a PostgreSQL schema, or ``yuqing worker`` processes on a
    RabbitMQ virtual host and a PostgreSQL schema of the test's own; stopped and closed
    afterwards."""
    with ExitStack() as stack:

        def make(config_toml: str, workers: int = 1) -> Runtime:
            config = tmp_path / "runtime.toml"
            assert not config.exists(), "one runtime per test"
            config.write_text(config_toml, encoding="utf-8")
            made: Runtime
            if request.param == "in_process_sqlite":
                made = InProcess(config, f"sqlite:///{tmp_path / 'runtime.db'}", workers)
            elif request.param == "in_process_postgresql":
                made = InProcess(config, str(request.getfixturevalue("postgres_schema_url")),
                                 workers)
            else:
                broker = stack.enter_context(rabbitmq_vhost())
                made = OnCelery(config, str(request.getfixturevalue("postgres_schema_url")),
                                broker, tmp_path, workers)
            stack.callback(made.close)
            return made

        yield make
