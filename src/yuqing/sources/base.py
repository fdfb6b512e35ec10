"""The Source contract: what every kind of source (rss, file, replay...) offers.

A source is built from its :class:`~yuqing.config.SourceConfig` by the factory
its kind has in the source registry (sources/registry.py). The runner calls
``fetch(state)`` when the source is due; the source returns a
:class:`FetchResult` and never raises for a bad entry or a failed request
(it reports them in the result). Capabilities are typed class attributes,
an idea from changedetection.io's content fetchers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Literal, Protocol, runtime_checkable

from yuqing.config import SourceConfig, unknown_key
from yuqing.domain import BadInput, RawItem

FetchStatus = Literal["ok", "degraded", "failed", "not_modified"]


@dataclass
class FetchState:
    """What a source remembers between fetches.

    ``etag`` / ``last_modified`` are the validators of the previous HTTP
    response (conditional GET); ``cursor`` is a kind-specific position (a
    file's ``"mtime:size"``, a replay's row count); ``done`` is True once a
    finite source has yielded everything.
    """

    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None
    done: bool = False


@dataclass
class FetchResult:
    """The outcome of one fetch.

    ``status``: ``ok`` (all entries read), ``degraded`` (items returned but
    the input needed repair or some entries were rejected), ``failed`` (no
    usable answer; ``error`` says why), ``not_modified`` (HTTP 304 or an
    unchanged file; no items). ``rejected`` holds one BadInput per entry that
    could not be used. ``etag``/``last_modified``/``cursor`` are the values to
    keep for the next fetch; ``done`` is True when a finite source has
    nothing left after this fetch.
    """

    items: list[RawItem]
    status: FetchStatus = "ok"
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None
    rejected: list[BadInput] = field(default_factory=list)
    done: bool = False

    def next_state(self, previous: FetchState) -> FetchState:
        """Return the state to pass to the next fetch (validators kept on failure)."""
        if self.status in ("failed", "not_modified"):
            return previous
        return FetchState(
            etag=self.etag, last_modified=self.last_modified,
            cursor=self.cursor if self.cursor is not None else previous.cursor,
            done=self.done or previous.done,
        )


@runtime_checkable
class SourceBase(Protocol):
    """What every configured source offers: its name, config and capability flags.

    ``supports_conditional_get`` — sends ETag/Last-Modified validators;
    ``is_finite`` — runs out (a file, a replay) rather than being polled forever;
    ``is_remote`` — talks to the network (the runner may throttle it).
    A source is either a :class:`Source` (``fetch``, run in a worker thread) or a
    :class:`~yuqing.sources.polling.PollingSource` (``await poll``).
    """

    supports_conditional_get: ClassVar[bool]
    is_finite: ClassVar[bool]
    is_remote: ClassVar[bool]

    @property
    def name(self) -> str:
        """The source's configured name (unique in the config)."""
        ...

    @property
    def config(self) -> SourceConfig:
        """The config this source was built from."""
        ...


@runtime_checkable
class Source(SourceBase, Protocol):
    """A configured source that yields RawItems from a blocking ``fetch``."""

    def fetch(self, state: FetchState) -> FetchResult:
        """Fetch what is new since ``state``; reports problems in the result."""
        ...


class ConfiguredSource:
    """Base of the built-in sources: keeps the SourceConfig and exposes ``name``/``config``."""

    _config: SourceConfig

    @property
    def name(self) -> str:
        """The source's configured name."""
        return self._config.name

    @property
    def config(self) -> SourceConfig:
        """The config this source was built from."""
        return self._config


def rejected_summary(rejected: list[BadInput]) -> str | None:
    """The health message for a fetch with bad records: how many, and the first one."""
    return f"{len(rejected)} bad records, first: {rejected[0]}" if rejected else None


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime (the default clock)."""
    return datetime.now(UTC)


def require_option(config: SourceConfig, key: str) -> str:
    """Return the string option ``key`` of ``config``; raises BadInput naming the source."""
    value = config.option(key)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"source {config.name!r} (kind {config.kind}): option {key!r} is required")
    return value


def seconds_option(config: SourceConfig, key: str, *, zero_ok: bool) -> float | None:
    """Return the option ``key`` of ``config`` as seconds (None when absent); raises
    BadInput naming the source when it is not a number, negative, or zero where that
    is not allowed."""
    value = config.option(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (
            value == 0 and not zero_ok):
        floor = ">= 0" if zero_ok else "> 0"
        raise BadInput(f"source {config.name!r}: option {key!r} must be a number of seconds "
                       f"{floor}, got {value!r}")
    return float(value)


#: options every source takes (sources/poll.py)
POLL_OPTIONS = frozenset({"poll_timeout"})
#: options every source that talks HTTP takes (sources/http.py)
HTTP_OPTIONS = POLL_OPTIONS | {"delay", "timeout", "headers"}


def source_label(config: SourceConfig) -> str:
    """Return how messages name the source: ``source 'xx' (kind rss)`` (config.table_label)."""
    return f"source {config.name!r} (kind {config.kind})"


def unknown_option(config: SourceConfig, key: str, known: Iterable[str]) -> BadInput:
    """Return the error of ``key``, not a key of a ``kind`` source: it names the source
    and the nearest of ``known`` and of the keys every source takes (``interval``,
    ``enabled`` …), in the one wording of config.unknown_key."""
    return BadInput(f"{source_label(config)}: "
                    f"{unknown_key(key, [*SourceConfig.model_fields, *known])}")


def check_options(config: SourceConfig, known: Iterable[str]) -> None:
    """Raise BadInput (:func:`unknown_option`) for the first option of ``config`` that is
    not in ``known`` (``intervall`` → ``interval``, ``rise_place`` → ``rise_places``), so
    a typo is refused at start and by ``yuqing check`` instead of silently using a
    default."""
    names = set(known)
    for key in config.model_extra or {}:
        if key not in names:
            raise unknown_option(config, key, names)


_HTTP_URL = re.compile(r"^https?://[^/\s]+")


def http_url(config: SourceConfig, key: str, value: str) -> str:
    """Return ``value`` (the option ``key`` of ``config``) when it is an http(s) URL;
    raises BadInput naming the source, option and value otherwise, so ``yuqing check``
    refuses ``www.example.cn/list`` before a poll fails on it."""
    if not _HTTP_URL.match(value):
        raise BadInput(f"source {config.name!r} (kind {config.kind}): option {key!r} must be "
                       f"an http(s) URL, got {value!r}")
    return value
