"""The two runtimes the pipeline contract tests run on: in-process ``Pipeline`` objects,
and ``yuqing worker`` processes on RabbitMQ (Celery) and PostgreSQL.

A test gets a factory (the ``runtime`` fixture of tests/runtime/conftest.py); it builds a
runtime from a TOML config text with ``workers`` processors (pipelines taking turns in
one process, or worker processes), feeds it batches and reads its store. The assertions
are the same on both.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from pipeline_runs import make_pipeline
from scaleout_support import start_worker, stop

from yuqing.config import load_config
from yuqing.domain import BadInput, RawItem
from yuqing.runtime.context import Context, make_context
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.pipeline import Pipeline
from yuqing.store import Store, open_store

Batch = Sequence[RawItem | BadInput]


class Runtime(Protocol):
    """What a contract test uses: the store, running batches, a restart."""

    store: Store

    def process(self, batches: Sequence[Batch]) -> list[Outcome]:
        """Run ``batches`` in order (batch k on processor k mod workers); return each
        batch's outcome once it committed."""

    def restart(self) -> None:
        """Replace every processor with a fresh one (memory warmed from the store)."""

    def close(self) -> None:
        """Stop the processors and close the store."""


#: the ``runtime`` fixture's factory: ``make(config_toml, workers=1) -> Runtime``
MakeRuntime = Callable[..., Runtime]


class InProcess:
    """``workers`` Pipeline objects on one store, each with its own memory (as processes)."""

    def __init__(self, config: Path, url: str, workers: int) -> None:
        self.config, self.workers = config, workers
        self.store = open_store(url)
        self.pipelines = self._pipelines()

    def _pipelines(self) -> list[Pipeline]:
        return [make_pipeline(self.store, load_config(self.config)) for _ in range(self.workers)]

    def process(self, batches: Sequence[Batch]) -> list[Outcome]:
        return [self.pipelines[k % self.workers].process(list(b))
                for k, b in enumerate(batches)]

    def restart(self) -> None:
        for pipeline in self.pipelines:
            pipeline.close()
        self.pipelines = self._pipelines()

    def close(self) -> None:
        for pipeline in self.pipelines:
            pipeline.close()
        self.store.close()


class OnCelery:
    """``workers`` ``yuqing worker`` processes on ``broker`` and the PostgreSQL ``url``;
    batches are published as ``yuqing ingest`` publishes them (tickets, in order)."""

    def __init__(self, config: Path, url: str, broker: str, logs: Path, workers: int) -> None:
        self.config, self.url, self.broker, self.logs = config, url, broker, logs
        self.workers = workers
        self.ctx: Context = make_context(config, url, broker=broker)
        self.store = self.ctx.store
        self.procs = self._start()

    def _start(self) -> list[subprocess.Popen[bytes]]:
        return [start_worker(self.config, self.url, self.broker, self.logs / f"worker{i}.log")
                for i in range(self.workers)]

    def process(self, batches: Sequence[Batch]) -> list[Outcome]:
        tickets = [self.ctx.producer.enqueue(b) for b in batches]
        return [self.ctx.producer.wait([t], timeout=240) for t in tickets]

    def restart(self) -> None:
        stop(self.procs)
        self.procs = self._start()

    def close(self) -> None:
        stop(self.procs)
        self.ctx.close()
