"""Retention of collected items (``[retention]``): the run of `yuqing retention` and the daily
run of the watcher (`yuqing run`).

The work itself (archive old items to gzip JSON Lines, remove them, keep what cases and
reports cite) is store/retention.py; here: the cutoff from ``items_days``, the archive
file's name, and running once a day.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from yuqing.runtime.context import Context
from yuqing.store.retention import RetentionOutcome, archive_old_items

log = logging.getLogger(__name__)

#: how often the watcher applies retention
RETENTION_EVERY = timedelta(days=1)


def apply_retention(ctx: Context, now: datetime, *, dry_run: bool = False,
                    days: int | None = None) -> RetentionOutcome | None:
    """Archive and remove the items older than ``days`` (default ``[retention] items_days``)
    at ``now`` (aware); None when retention is off. The archive is
    ``<archive_dir>/items-<UTC time>.jsonl.gz`` (``archive_dir`` relative to the config
    file's folder)."""
    days = days if days is not None else ctx.config.retention.items_days
    if days is None:
        return None
    folder = ctx.config.resolve_path(str(ctx.config.retention.archive_dir))
    archive = folder / f"items-{now.astimezone().strftime('%Y%m%dT%H%M%S%z')}.jsonl.gz"
    return archive_old_items(ctx.store, now - timedelta(days=days), archive, dry_run)


class DailyRetention:
    """Applies retention at the first ``tick`` and then once every RETENTION_EVERY."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._last: datetime | None = None

    def tick(self, now: datetime) -> RetentionOutcome | None:
        """Apply retention when it is on and due at ``now``; return what it did, else None."""
        if self.ctx.config.retention.items_days is None:
            return None
        if self._last is not None and now - self._last < RETENTION_EVERY:
            return None
        self._last = now
        done = apply_retention(self.ctx, now)
        if done is not None and done.archived:
            log.info("retention: %s", done.as_dict())
        return done
