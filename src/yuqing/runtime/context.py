"""Everything one Yuqing process needs, built once from settings: config, store, pipeline.

This is the one place where settings are resolved (flag > environment >
config file > default) and long-lived objects are created; commands and the
web app receive the context instead of reading the environment themselves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from yuqing.config import DEFAULT_DATABASE_URL, Config, load_config, resolve_setting
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.pipeline import Pipeline
from yuqing.store import Store, open_store


@dataclass
class Context:
    """Resolved settings and the lazily opened store and pipeline of one process."""

    config: Config
    database_url: str
    alerts_enabled: bool = True
    #: what items pushed over HTTP (POST /api/items) did in this process, summed
    pushed: Outcome = field(default_factory=Outcome)
    _pushed_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_push(self, outcome: Outcome) -> None:
        """Add one push request's ``outcome`` to :attr:`pushed` (thread-safe)."""
        with self._pushed_lock:
            self.pushed.add(outcome)

    @cached_property
    def store(self) -> Store:
        """The open store (migrated to the latest schema on first use)."""
        return open_store(self.database_url)

    @cached_property
    def pipeline(self) -> Pipeline:
        """The pipeline, built once (stages, rules, channels)."""
        return Pipeline(self.config, self.store, alerts_enabled=self.alerts_enabled)

    def close(self) -> None:
        """Close the pipeline's stages and the store, if they were opened."""
        if "pipeline" in self.__dict__:
            self.pipeline.close()
        if "store" in self.__dict__:
            self.store.close()


def make_context(config_path: Path | None = None, db: str | None = None,
                 config: Config | None = None) -> Context:
    """Build a Context: ``config`` if given, else the file at ``config_path``
    (or ``./yuqing.toml``); the database URL resolves flag > ``YUQING_DATABASE_URL``
    > config file > ``sqlite:///yuqing.db``. Raises BadInput for a bad config file."""
    cfg = config if config is not None else load_config(config_path)
    url = resolve_setting("database_url", db, cfg.database_url, DEFAULT_DATABASE_URL)
    return Context(config=cfg, database_url=url)
