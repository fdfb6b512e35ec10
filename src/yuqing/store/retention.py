"""Retention: old items archived to gzip-compressed JSON Lines, then removed.

An item is old when it was published before the cutoff. Items a case links
(``case_links`` kind ``item``) or a stored report quotes (``report_evidence``)
are kept: the case file and the report's evidence hashes must stay checkable.
Cases, petitions, alerts, events and the audit logs are never touched.

Each batch is written to the archive and flushed before its rows are deleted
in one transaction, so a crash loses nothing: at worst an item is in the
archive and still in the database, and the next run archives it again.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, delete, func, select

from yuqing.store import Store
from yuqing.store.cases_tables import case_links
from yuqing.store.items import item_to_json, row_to_item
from yuqing.store.reports_tables import report_evidence
from yuqing.store.tables import item_schemes, items

BATCH = 1000


@dataclass(frozen=True)
class RetentionOutcome:
    """What a retention run did (or would do, ``dry_run``): ``archived`` items written to
    ``archive`` and removed, ``kept`` old items kept because a case or report cites them."""

    cutoff: datetime
    archived: int
    kept: int
    archive: Path | None
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape of ``yuqing retention --json``."""
        return {"cutoff": self.cutoff.isoformat(), "archived": self.archived, "kept": self.kept,
                "archive": str(self.archive) if self.archive else None,
                "dry_run": self.dry_run}


def _old(cutoff: datetime) -> Any:
    return items.c.published_at < cutoff


def _cited() -> Any:
    cited_by_case = select(case_links.c.ref).where(case_links.c.kind == "item")
    return items.c.key.in_(cited_by_case.union(select(report_evidence.c.item_key)))


def _count(conn: Connection, *where: Any) -> int:
    return int(conn.scalar(select(func.count()).select_from(items).where(*where)) or 0)


def archive_old_items(store: Store, cutoff: datetime, archive: Path,
                      dry_run: bool = False) -> RetentionOutcome:
    """Archive and remove the items published before ``cutoff`` (aware) but those cited;
    ``dry_run`` only counts. ``archive`` must not exist (it is created, with its folder);
    nothing is written when no item is old. Raises FileExistsError for an existing file."""
    with store.read() as conn:
        due = _count(conn, _old(cutoff), ~_cited())
        kept = _count(conn, _old(cutoff), _cited())
    if dry_run or due == 0:
        return RetentionOutcome(cutoff, due, kept, None, dry_run)
    archive.parent.mkdir(parents=True, exist_ok=True)
    done = 0
    with gzip.open(archive, "xt", encoding="utf-8") as out:
        while True:
            moved = _archive_batch(store, cutoff, out)
            if moved == 0:
                break
            done += moved
    return RetentionOutcome(cutoff, done, kept, archive, False)


def _archive_batch(store: Store, cutoff: datetime, out: IO[str]) -> int:
    """Write up to BATCH old items to ``out`` (flushed) and delete them; return how many."""
    with store.write() as conn:
        rows = conn.execute(select(items).where(_old(cutoff), ~_cited())
                            .order_by(items.c.key).limit(BATCH)).mappings().all()
        if not rows:
            return 0
        keys = [r["key"] for r in rows]
        for row in rows:
            item = row_to_item(row)
            out.write(json.dumps({**item_to_json(item), "key": item.key}, ensure_ascii=False,
                                 default=str) + "\n")
        out.flush()
        conn.execute(delete(item_schemes).where(item_schemes.c.item_key.in_(keys)))
        conn.execute(delete(items).where(items.c.key.in_(keys)))
    return len(rows)
