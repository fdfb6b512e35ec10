"""The shape every per-area repository shares, and the transaction helper.

A repository (``ItemsRepository``, ``CasesRepository`` ...) holds the queries
of one area. It runs them on connections from its ``Connections``: on the
``Store`` each call opens its own (a pooled read connection, or the single
write transaction on SQLite); inside ``Store.transaction()`` every call of
every repository shares the one connection of that transaction, so several
calls commit or roll back together. Callers outside store/ never see a
connection or SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from sqlalchemy import Column, ColumnElement, Connection, String, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY

#: the largest id a row can have: SQL's 64-bit signed INTEGER (SQLite and PostgreSQL BIGINT)
MAX_ID = 2**63 - 1


def storable_id(value: int) -> bool:
    """True when ``value`` can be a row id (1..MAX_ID); a larger one names no row, and
    passing it to the database would raise OverflowError instead of finding nothing."""
    return 0 < value <= MAX_ID


def one_of(column: Column[str], values: list[str], dialect: str) -> ColumnElement[bool]:
    """Return ``column IN values``: on PostgreSQL ``column = ANY(array)``, one parameter
    (500 keys: about 4 ms instead of 10-22 ms for an IN list of 500 parameters, measured
    with psycopg 3 on the benchmark machine); elsewhere an IN list (SQLite allows 999
    parameters per statement: callers keep chunks below it)."""
    if dialect == "postgresql":
        return column == any_(literal(values, ARRAY(String)))
    return column.in_(values)


class Connections(Protocol):
    """Where a repository gets its connections: the Store, or one transaction."""

    def read(self) -> AbstractContextManager[Connection]:
        """Return a context manager yielding a connection to read with."""

    def write(self) -> AbstractContextManager[Connection]:
        """Return a context manager yielding a connection inside a write transaction."""


class OneConnection:
    """``Connections`` that hand out one already-open connection (a transaction's)."""

    def __init__(self, conn: Connection) -> None:
        """Wrap ``conn``; it is committed or rolled back by whoever opened it."""
        self._conn = conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Yield the transaction's connection."""
        yield self._conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Yield the transaction's connection."""
        yield self._conn


class Repository:
    """Base of the per-area repositories: queries run on ``connections``."""

    def __init__(self, connections: Connections) -> None:
        """Bind the repository to ``connections`` (a Store or a transaction)."""
        self._connections = connections

    def _read(self) -> AbstractContextManager[Connection]:
        return self._connections.read()

    def _write(self) -> AbstractContextManager[Connection]:
        return self._connections.write()
