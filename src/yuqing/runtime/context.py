"""The composition root: everything one Yuqing process needs, built once from settings.

This is the one place where settings are resolved (flag > environment >
config file > default), the registries of sources, stages and channels are
filled (built-ins and plugins: runtime/registries.py), the config is checked
against the rest of the house (runtime/checks.py) and long-lived objects are
created; commands and the web app receive the context instead of reading the
environment or building registries themselves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from yuqing.alerts.channels.registry import ChannelFactory
from yuqing.cases.people import seed_accounts
from yuqing.config import (
    DEFAULT_DATABASE_URL,
    Config,
    config_from_data,
    load_config,
    resolve_setting,
)
from yuqing.domain import BadInput
from yuqing.plugins import Registry
from yuqing.runtime.checks import SETTING_CHECKS, check_config, check_environment
from yuqing.runtime.live_settings import ConfigSource, LiveSettings
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import Registries, load_registries
from yuqing.runtime.stages import StageFactory
from yuqing.sources.registry import SourceFactory
from yuqing.store import Store, open_store

if TYPE_CHECKING:
    from yuqing.runtime.celery_app import Producer


@dataclass
class Context:
    """Resolved settings, the registries, and the lazily opened store and pipeline of one
    process.

    Construction checks ``config`` against the registries and the other subsystems
    (runtime/checks.py): raises BadInput naming the config file, key and value.
    ``source`` is the config file ``config`` was read from (None: a config built in
    code); opening the store starts the live settings (runtime/live_settings.py), after
    which ``config`` is the version in force, replaced when another is taken.
    """

    config: Config
    database_url: str
    #: the Celery broker of the scale-out mode (docs/SCALEOUT.md); None: everything in process
    broker_url: str | None = None
    alerts_enabled: bool = True
    registries: Registries = field(default_factory=load_registries)
    #: what items pushed over HTTP (POST /api/items) did in this process, summed
    pushed: Outcome = field(default_factory=Outcome)
    _pushed_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    source: ConfigSource | None = None
    _live: LiveSettings | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.check(self.config)
        if self.broker_url and not self.database_url.startswith("postgresql"):
            raise BadInput("broker_url: the workers of a broker share one PostgreSQL database; "
                           "set database_url (--db, YUQING_DATABASE_URL) to a postgresql:// URL")

    def check(self, config: Config) -> None:
        """Raise BadInput ``FILE: problem; ...`` for what `yuqing check` refuses in ``config``
        (runtime/checks.py check_config with this process's registries)."""
        check_config(config, stages=self.stages, channels=self.channels, sources=self.sources)

    @property
    def live(self) -> LiveSettings:
        """The live settings of this process (runtime/live_settings.py); opens the store."""
        self.store  # noqa: B018 - opening the store starts them
        assert self._live is not None
        return self._live

    def refresh_settings(self) -> bool:
        """Take the settings version in force and a changed config file, at most every
        live_settings.REFRESH_S (nothing before the store is opened); return whether the
        config changed."""
        return self._live is not None and self._live.refresh()

    def settings_due(self) -> bool:
        """Return whether :meth:`refresh_settings` would look now (no query)."""
        return self._live is not None and self._live.due()

    def _take_config(self, config: Config) -> None:
        """Run ``config`` from now on (a new settings version); new people get accounts."""
        self.config = config
        if config.cases.users and "store" in self.__dict__:
            seed_accounts(self.store, config.cases.users, datetime.now(UTC))

    @property
    def sources(self) -> Registry[SourceFactory]:
        """The source kinds of this process."""
        return self.registries.sources

    @property
    def stages(self) -> Registry[StageFactory]:
        """The pipeline stages of this process."""
        return self.registries.stages

    @property
    def channels(self) -> Registry[ChannelFactory]:
        """The alert channel kinds of this process."""
        return self.registries.channels

    def count_push(self, outcome: Outcome) -> None:
        """Add one push request's ``outcome`` to :attr:`pushed` (thread-safe)."""
        with self._pushed_lock:
            self.pushed.add(outcome)

    @cached_property
    def store(self) -> Store:
        """The open store (migrated to the latest schema on first use), holding an account
        for every ``[[cases.users]]`` entry (cases/people.py seed_accounts); the live
        settings start here (the config file's sections are read into the store the first
        time, and ``config`` becomes the version in force)."""
        store = open_store(self.database_url)
        self._live = LiveSettings(store, self.source or ConfigSource.of_config(self.config),
                                  self.config, self.check)
        self.config = self._live.config
        self._live.on_change(self._take_config)
        if self.config.cases.users:
            seed_accounts(store, self.config.cases.users, datetime.now(UTC))
        return store

    @cached_property
    def producer(self) -> Producer:
        """The producer of batches for the workers of ``broker_url`` (runtime/celery_app.py).
        Raises BadInput without a broker, or when Celery (the ``scale`` extra) is missing."""
        if not self.broker_url:
            raise BadInput("no broker: give --broker URL, set YUQING_BROKER_URL or broker_url "
                           "in the config (amqp://… for RabbitMQ, redis://… for Redis)")
        try:
            from yuqing.runtime.celery_app import Producer
        except ImportError:
            raise BadInput("the scale-out mode needs Celery: pip install 'yuqing[scale]'") from None
        return Producer(self)

    @cached_property
    def pipeline(self) -> Pipeline:
        """The pipeline, built once (stages, rules, channels)."""
        return Pipeline(self.config, self.store, registries=self.registries,
                        alerts_enabled=self.alerts_enabled, live=self.live)

    def close(self) -> None:
        """Close the pipeline's stages and the store, if they were opened."""
        if "pipeline" in self.__dict__:
            self.pipeline.close()
        if "store" in self.__dict__:
            self.store.close()


#: the config file read when no ``--config`` is given and it exists (config.load_config)
DEFAULT_CONFIG = Path("yuqing.toml")


def make_context(config_path: Path | None = None, db: str | None = None,
                 config: Config | None = None, broker: str | None = None) -> Context:
    """Build a Context: ``config`` if given, else the file at ``config_path``
    (or ``./yuqing.toml``); the database URL resolves flag > ``YUQING_DATABASE_URL``
    > config file > ``sqlite:///yuqing.db``, the broker URL flag > ``YUQING_BROKER_URL``
    > config file > none. Raises BadInput for a bad ``YUQING_<NAME>`` variable (named), a
    bad config file (file, key and value named), or a broker without PostgreSQL."""
    check_environment()
    for flag, name, value in (("--db", "database_url", db), ("--broker", "broker_url", broker)):
        try:
            if value is not None:
                SETTING_CHECKS[name](value)
        except ValueError as exc:
            raise BadInput(f"{flag}: {exc}") from None
    source = None
    if config is not None:
        cfg = config
    else:
        path = config_path or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
        if path is None:
            cfg = load_config(None)
        else:
            source = ConfigSource.read(path)
            cfg = config_from_data(source.data, base_dir=source.base_dir, name=source.name)
    url = resolve_setting("database_url", db, cfg.database_url, DEFAULT_DATABASE_URL)
    broker_url = resolve_setting("broker_url", broker, cfg.broker_url, None)
    return Context(config=cfg, database_url=url, broker_url=broker_url, source=source)
