"""Replay a dataset of timestamped items in data-time order at a speed factor.

``speed`` is data seconds per wall second: ``3600`` plays one hour of data
per second; ``0`` or None plays as fast as possible. Item ``i`` is due at
``wall_start + (t_i - t_0) / speed``.

Order: the data time is ``published_at`` read with
``datetime.fromisoformat`` (``2020-01-22 20:32``, ``2025-06-01T00:00+08:00``);
a value without offset is in the source's zone; a value that cannot be read
takes the time of the item before it (the replay keeps file order for it;
the normaliser still parses and flags it). A first pass reads only the
times to check the order. A time-sorted file (both bundled sets are) is
then streamed in a second pass: constant memory, twice the read cost
(about 0.7 s per 48k CSV rows). An unsorted file is loaded whole and
sorted (stable): memory is that of all its RawItems, about 1 KB per
Weibo-length item (~50 MB for 48k rows).

``path`` may be ``"builtin:weibo-hotsearch"`` for the bundled hot-search
topics. Clock and sleep are injectable so tests never wait.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from yuqing.config import SourceConfig
from yuqing.domain import BadInput, RawItem
from yuqing.sources.base import (
    POLL_OPTIONS,
    ConfiguredSource,
    FetchResult,
    FetchState,
    check_options,
    rejected_summary,
    require_option,
)
from yuqing.sources.files import default_source_name, read_items
from yuqing.sources.hotsearch import BUILTIN_NAME, bundled_demo_items
from yuqing.sources.records import resolve_mapping

DEFAULT_BATCH = 500
Timed = tuple[float, RawItem]


def data_time(value: str | datetime | None, tz: ZoneInfo) -> float | None:
    """Return ``value`` as a POSIX timestamp, or None when it cannot be read."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return (value if value.tzinfo else value.replace(tzinfo=tz)).timestamp()


class ReplaySource(ConfiguredSource):
    """Plays a file of items (or the bundled hot-search set) back in time order.

    Use :meth:`batches` to drive a replay directly (it sleeps between
    batches), or :meth:`fetch` from the poll loop (never sleeps: returns the
    items due by now). Bad records are collected in ``rejected``.
    """

    supports_conditional_get: ClassVar[bool] = False
    is_finite: ClassVar[bool] = True
    is_remote: ClassVar[bool] = False

    def __init__(
        self, path: Path | str, speed: float | None = None,
        mapping: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
        *, config: SourceConfig | None = None, batch_size: int = DEFAULT_BATCH,
    ) -> None:
        self.path = str(path)
        is_builtin = self.path == BUILTIN_NAME
        name = "weibo-hotsearch" if is_builtin else default_source_name(Path(self.path))
        self._config = config or SourceConfig.model_validate(
            {"name": name, "kind": "replay", "path": self.path})
        self.speed = float(speed) if speed else 0.0
        self.mapping = dict(mapping) if mapping else None
        self.clock, self.sleep = clock, sleep
        self.batch_size = max(int(batch_size), 1)
        self.rejected: list[BadInput] = []
        self._tz = ZoneInfo(self._config.timezone)
        self._pending: Iterator[Timed] | None = None
        self._head: Timed | None = None
        self._origin: tuple[float, float] = (0.0, 0.0)  # (wall start, data start)
        self._played = 0

    @classmethod
    def from_config(cls, config: SourceConfig) -> ReplaySource:
        """Build from a config: options ``path`` (required; relative to the config file's
        folder), ``speed``, ``mapping``, ``batch_size``."""
        check_options(config, POLL_OPTIONS | {"path", "speed", "mapping", "batch_size"})
        path = require_option(config, "path")
        return cls(
            path if path == BUILTIN_NAME else config.resolve_path(path),
            speed=config.option("speed"),
            mapping=resolve_mapping(config.option("mapping")), config=config,
            batch_size=int(config.option("batch_size", DEFAULT_BATCH)),
        )

    def _read(self) -> Iterator[RawItem]:
        """Yield the RawItems of the input; BadInputs go to ``rejected``."""
        if self.path == BUILTIN_NAME:
            yield from bundled_demo_items()
            return
        cfg = self._config
        for r in read_items(self.path, source=cfg.name, tz=cfg.timezone,
                            media_type=cfg.media_type, mapping=self.mapping):
            if isinstance(r, BadInput):
                self.rejected.append(r)
            else:
                yield r

    def _timed(self, items: Iterable[RawItem]) -> Iterator[Timed]:
        """Pair each item with its data time (previous time when unreadable)."""
        last = float("-inf")
        for item in items:
            t = data_time(item.published_at, self._tz)
            last = last if t is None else t
            yield last, item

    def ordered(self) -> Iterator[Timed]:
        """Yield (data time, item) in time order (see the module doc for the cost)."""
        times = (t for t, _ in self._timed(self._read()))
        is_sorted = all(a <= b for a, b in itertools.pairwise(times))
        self.rejected.clear()
        if is_sorted:
            return self._timed(self._read())
        return iter(sorted(self._timed(self._read()), key=lambda pair: pair[0]))

    def _due(self, t: float) -> float:
        """Return the wall-clock time at which data time ``t`` is due."""
        if not self.speed:
            return float("-inf")
        wall0, data0 = self._origin
        return wall0 + (t - data0) / self.speed

    def _start(self, skip: int = 0) -> None:
        self._pending = self.ordered()
        for _ in itertools.islice(self._pending, skip):
            self._played += 1
        self._head = next(self._pending, None)
        data0 = self._head[0] if self._head else 0.0
        self._origin = (self.clock(), data0 if data0 != float("-inf") else 0.0)

    def _take_due(self, now: float) -> list[RawItem]:
        """Return up to ``batch_size`` items due by ``now``, advancing the head."""
        batch: list[RawItem] = []
        while self._head is not None and len(batch) < self.batch_size:
            if self._due(self._head[0]) > now:
                break
            batch.append(self._head[1])
            self._head = next(self._pending, None) if self._pending else None
        self._played += len(batch)
        return batch

    def batches(self) -> Iterator[list[RawItem]]:
        """Yield lists of items as they fall due, sleeping in between (restarts the replay)."""
        self._played = 0
        self._start()
        while self._head is not None:
            wait = self._due(self._head[0]) - self.clock()
            if wait > 0:
                self.sleep(wait)
            batch = self._take_due(self.clock())
            if batch:
                yield batch

    def fetch(self, state: FetchState) -> FetchResult:
        """Return the items due now without sleeping; cursor = items played so far.

        On the first call, a numeric ``state.cursor`` (from an earlier run)
        skips that many items, so a restarted replay resumes.
        """
        if self._pending is None:
            skip = int(state.cursor) if state.cursor and state.cursor.isdigit() else 0
            self._played = 0
            self._start(skip)
        batch = self._take_due(self.clock())
        rejected, self.rejected = self.rejected, []
        return FetchResult(
            batch, "degraded" if rejected else "ok",
            rejected_summary(rejected),
            cursor=str(self._played), rejected=rejected, done=self._head is None,
        )
