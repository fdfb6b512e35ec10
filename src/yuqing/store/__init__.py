"""The Yuqing store: SQLite by default, PostgreSQL by URL, behind one ``Store`` class.

``open_store(url)`` creates the engines (store/engine.py), migrates the
database to the newest schema (store/migrate.py) and returns a ``Store``.
All SQL of the project lives in this package; callers use the small query
methods of ``Store`` and get domain objects (``Item``, ``Alert``) back.
Every datetime passed in must be aware; every datetime returned is aware UTC.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from alembic.util import CommandError
from sqlalchemy import Connection, case, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, OperationalError

from yuqing.domain import Alert, BadInput, Item, SourceState
from yuqing.store import alerts as _alerts
from yuqing.store import health as _health
from yuqing.store import items as _items
from yuqing.store.alerts import PendingDelivery, StoredAlert
from yuqing.store.engine import Engines, create_engines, masked_url
from yuqing.store.items import SaveResult, item_to_json
from yuqing.store.migrate import upgrade
from yuqing.store.pg_search import search_page
from yuqing.store.repositories import Repositories, Transaction, View
from yuqing.store.repository import OneConnection
from yuqing.store.tables import item_schemes, items

__all__ = [
    "PendingDelivery", "SaveResult", "Store", "StoredAlert", "Transaction", "View",
    "item_to_json", "open_store",
]

SAVE_BATCH = 1000  # items per write transaction in save_items


def open_store(url: str | URL) -> Store:
    """Return a ``Store`` on ``url`` after migrating its database to the newest schema.

    ``url`` is a SQLAlchemy URL: ``sqlite:///path.db`` (file created if
    missing) or ``postgresql+psycopg://user@host/db``. Raises BadInput naming
    the URL (password hidden) for another backend, a malformed URL, a database
    that cannot be reached, or one whose schema this version does not know
    (written by a newer Yuqing).
    """
    shown = masked_url(str(url))
    try:
        engines = create_engines(url)
    except (ValueError, ArgumentError) as exc:
        raise BadInput(f"database {shown}: {exc}") from None
    try:
        upgrade(engines.write)
    except CommandError as exc:
        engines.dispose()
        raise BadInput(f"database {shown}: its schema is not one this Yuqing knows ({exc}); "
                       "it was written by a newer version — upgrade Yuqing or use another "
                       "database") from None
    except OperationalError as exc:
        engines.dispose()
        raise BadInput(f"database {shown}: cannot open it ({exc.orig})") from None
    except BaseException:
        engines.dispose()
        raise
    return Store(engines)


def _now() -> datetime:
    """Return the current time, aware UTC."""
    return datetime.now(UTC)


class Store(Repositories):
    """Query methods over one database; thread-safe; use ``open_store`` to create one.

    The per-area repositories are attributes (``store.items``, ``store.events``,
    ``store.alerts``, ``store.cases``, ``store.petitions``, ``store.reports``,
    ``store.accounts``, ``store.sources``, ``store.collection``); each call runs in its
    own transaction.
    Calls that must commit together run on ``with store.transaction() as tx:``
    (``tx.cases...``, ``tx.alerts...``).

    On SQLite writes are serialised through one connection (see
    store/engine.py); reads run in parallel from a pool.
    """

    def __init__(self, engines: Engines) -> None:
        """Wrap already-migrated ``engines`` (open_store does the migration)."""
        self._engines = engines
        self.dialect = engines.dialect
        super().__init__(self)

    @property
    def url(self) -> str:
        """Return the database URL with any password masked."""
        return self._engines.write.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Close every pooled connection; the Store must not be used afterwards."""
        self._engines.dispose()

    def __enter__(self) -> Store:
        """Return self, so ``with open_store(url) as store:`` closes it at the end."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the store."""
        self.close()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Yield a connection inside a write transaction (committed on success).

        The one way to write: on SQLite it holds the single-writer lock. Query
        modules of other packages' tables (store/*.py) take this connection.
        """
        with self._engines.write_lock, self._engines.write.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Yield a pooled read connection."""
        with self._engines.read.connect() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Yield every repository bound to one write transaction, committed on success and
        rolled back when the block raises."""
        with self.write() as conn:
            yield Transaction(OneConnection(conn))

    @contextmanager
    def snapshot(self) -> Iterator[Transaction]:
        """Yield every repository bound to one read connection (several reads that must
        see the same data: REPEATABLE READ on PostgreSQL, a read transaction on SQLite's
        WAL); writing through it is a programming error."""
        with self.read() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            yield Transaction(OneConnection(conn))

    def view(self) -> View:
        """Return every repository on this store, switchable to a transaction's
        connection for a block (store/repositories.py ``View``)."""
        return View(self)

    # ----- items -------------------------------------------------------------------------

    def save_items(self, batch: Sequence[Item]) -> SaveResult:
        """Upsert items by key, SAVE_BATCH per transaction; return counts of inserted and
        updated rows (see items.save_items).

        A stored key (``item.is_update`` or a re-fetch) gets its text, title,
        counts and analysis replaced; there is never a second row per key. Only a
        re-fetch whose source values changed counts as updated; one that would change
        nothing is not written. Raises ValueError for a naive datetime in an item.
        """
        inserted = updated = 0
        changed: frozenset[str] = frozenset()
        for i in range(0, len(batch), SAVE_BATCH):
            done = self.items.save(batch[i : i + SAVE_BATCH])
            inserted += done.inserted
            updated += done.updated
            changed |= done.updated_keys
        return SaveResult(inserted=inserted, updated=updated, updated_keys=changed)

    def get_item(self, key: str) -> Item | None:
        """Return the item stored under ``key``, or None."""
        with self.read() as conn:
            row = conn.execute(select(items).where(items.c.key == key)).first()
        return None if row is None else _items.row_to_item(row._mapping)

    def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Return the subset of ``keys`` already stored."""
        return self.items.existing_keys(keys)

    def iter_items(
        self, scheme: str | None = None, sentiment: str | None = None,
        since: datetime | None = None, query: str | None = None, source: str | None = None,
        limit: int = 100, offset: int = 0,
    ) -> list[Item]:
        """Return stored items matching every given filter, newest ``published_at`` first.

        ``scheme``: matched that scheme; ``since``: published at or after
        (aware); ``query``: full-text query, already normalised like
        ``match_text`` (see ``search``). Raises ValueError for a query with
        no searchable character.
        """
        pg_query = query if self.dialect == "postgresql" else None
        stmt = _items.filter_items(select(items), self.dialect, scheme, sentiment, since,
                                   None if pg_query else query, source)
        with self.read() as conn:
            if pg_query:
                rows = search_page(conn, stmt, pg_query, limit, offset)
            else:
                stmt = stmt.order_by(items.c.published_at.desc(), items.c.key.desc())
                rows = list(conn.execute(stmt.limit(limit).offset(offset)))
        return [_items.row_to_item(r._mapping) for r in rows]

    def count_items(
        self, scheme: str | None = None, sentiment: str | None = None,
        since: datetime | None = None, query: str | None = None, source: str | None = None,
    ) -> int:
        """Return how many stored items match the filters of ``iter_items``."""
        stmt = select(func.count()).select_from(items)
        stmt = _items.filter_items(stmt, self.dialect, scheme, sentiment, since, query, source)
        with self.read() as conn:
            return int(conn.scalar(stmt) or 0)

    def search(self, query: str, limit: int = 100, offset: int = 0, **filters: Any) -> list[Item]:
        """Return items whose ``match_text`` contains every word of ``query``, newest first.

        ``query`` must already be normalised the way ``match_text`` is
        (traditional -> simplified, NFKC; use the pipeline's normaliser):
        the store compares it as given. Words are separated by spaces and
        ANDed; a Chinese word of 2+ characters matches only where its
        characters are contiguous; ASCII words match whole words,
        case-insensitively. ``filters`` are the other ``iter_items`` filters.
        Raises ValueError for a query with no searchable character.
        """
        if not query.strip():
            raise ValueError("empty search query")
        return self.iter_items(query=query, limit=limit, offset=offset, **filters)

    def recent_fingerprints(self, limit: int) -> Iterator[tuple[str, str, str | None, str]]:
        """Yield the fingerprints of the ``limit`` items stored last, oldest first
        (``store.items.recent_fingerprints``)."""
        return self.items.recent_fingerprints(limit)

    # ----- alerts ------------------------------------------------------------------------

    def record_alert(self, alert: Alert) -> int | None:
        """Store ``alert`` with a pending delivery per channel; return its id, or None if known.

        "Known" means an alert with the same ``dedup_key`` is stored, so a
        restart or a second worker never alerts twice (docs/FIELD_CASES.md F15).
        """
        with self.write() as conn:
            return _alerts.record_alert(conn, alert, _now())

    def record_delivery(self, alert_id: int, channel: str, status: str,
                        error: str | None = None) -> None:
        """Record the outcome of delivering ``alert_id`` over ``channel``.

        ``status`` is ``sent``, ``failed`` (counts one attempt each) or
        ``pending`` (queued again). Raises ValueError for another status.
        """
        with self.write() as conn:
            _alerts.record_delivery(conn, alert_id, channel, status, error, _now())

    def pending_deliveries(self, limit: int = 1000) -> list[PendingDelivery]:
        """Return up to ``limit`` deliveries in status ``pending``, oldest alert first."""
        with self.read() as conn:
            return _alerts.pending_deliveries(conn, limit)

    def list_alerts(self, limit: int = 100,
                    channels: Collection[str] | None = None) -> list[StoredAlert]:
        """Return the newest ``limit`` alerts (delivered over one of ``channels`` unless
        None), newest first."""
        with self.read() as conn:
            return _alerts.list_alerts(conn, limit, channels)

    def count_alerts(self) -> int:
        """Return the number of stored alerts."""
        with self.read() as conn:
            return _alerts.count_alerts(conn)

    # ----- rejections and source state -----------------------------------------------------

    def record_rejections(self, rows: Iterable[Item | Mapping[str, Any]]) -> int:
        """Store refused items; return how many rows were written.

        Each row is an ``Item`` with ``rejected`` set, or a mapping with
        ``reason`` and optional ``source``, ``origin``, ``detail``, ``at``.
        Raises ValueError for a row without a reason (nothing is written).
        """
        return self.sources.record_rejections(rows)

    def list_rejections(self, *, reason: str | None = None, source: str | None = None,
                        since: datetime | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Return stored rejections, newest first (see store/health.py list_rejections)."""
        with self.read() as conn:
            return _health.list_rejections(conn, reason=reason, source=source, since=since,
                                           limit=limit)

    def rejection_counts(self) -> dict[str, int]:
        """Return ``{reason: count}`` over all stored rejections."""
        with self.read() as conn:
            return _health.rejection_counts(conn)

    def load_source_state(self, name: str) -> SourceState | None:
        """Return the saved state of source ``name``, or None when it has none."""
        with self.read() as conn:
            return _health.load_source_state(conn, name)

    def list_source_states(self) -> list[SourceState]:
        """Return the saved state (validators, cursor, health) of every source, by name."""
        with self.read() as conn:
            return _health.list_source_states(conn)

    def save_source_state(self, state: SourceState) -> None:
        """Replace the saved state of source ``state.name``."""
        with self.write() as conn:
            _health.save_source_state(conn, state, _now())

    # ----- summary -----------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Return counts for summaries.

        Shape: ``{"items": n, "by_sentiment": {"negative": n, "neutral": n,
        "positive": n, "none": n}, "sensitive": n, "matched": n,
        "duplicates": n, "alerts": n, "rejected": n}``; ``matched`` counts
        items that matched at least one scheme.
        """
        one = func.count()
        sums = select(
            one, func.sum(case((items.c.n_sensitive > 0, 1), else_=0)),
            func.sum(case((items.c.duplicate_of.is_not(None), 1), else_=0)),
        ).select_from(items)
        by_sentiment = select(items.c.sentiment, one).group_by(items.c.sentiment)
        matched = select(func.count(func.distinct(item_schemes.c.item_key)))
        with self.read() as conn:
            total, sensitive, duplicates = conn.execute(sums).one()
            sentiments = {cast(str | None, label) or "none": cast(int, n)
                          for label, n in conn.execute(by_sentiment)}
            n_matched = conn.scalar(matched)
            n_alerts = _alerts.count_alerts(conn)
            n_rejected = sum(_health.rejection_counts(conn).values())
        return {
            "items": cast(int, total),
            "by_sentiment": {k: sentiments.get(k, 0)
                             for k in ("negative", "neutral", "positive", "none")},
            "sensitive": cast(int, sensitive or 0), "matched": n_matched or 0,
            "duplicates": cast(int, duplicates or 0), "alerts": n_alerts, "rejected": n_rejected,
        }
