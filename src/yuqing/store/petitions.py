"""Queries of petitions (tables in store/cases_tables.py) and ``PetitionsRepository``.

The module functions take a Connection and return plain dicts;
``PetitionsRepository`` (``store.petitions``) runs them and returns
``Petition`` and ``Contact``. The petitioner's contact lives in its own
table and is read only through ``read_contact`` (the caller logs the read).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from yuqing.domain import Contact, Petition
from yuqing.store.cases import Row, case_ids_of, rows_of
from yuqing.store.cases_tables import cases, petition_contacts, petitions
from yuqing.store.repository import Repository, storable_id


def insert_petition(conn: Connection, values: Mapping[str, Any], contact: Mapping[str, Any]) -> int:
    """Insert a petition and its protected contact; return the petition id."""
    pid = int(conn.scalar(insert(petitions).values(**values).returning(petitions.c.id)))
    conn.execute(insert(petition_contacts).values(petition_id=pid, **contact))
    return pid


def petition_candidates(conn: Connection, since: datetime,
                        units: Collection[str] | None = None) -> list[Row]:
    """Return petitions received at or after ``since`` in the cases of ``units`` (None:
    every case; for repeat matching), oldest first."""
    cols = (petitions.c.id, petitions.c.case_id, petitions.c.identity_hash,
            petitions.c.subject, petitions.c.accused, petitions.c.received_at)
    stmt = select(*cols).where(petitions.c.received_at >= since)
    if units is not None:
        stmt = stmt.where(petitions.c.case_id.in_(case_ids_of(units)))
    return rows_of(conn, stmt.order_by(petitions.c.id))


def list_petitions(conn: Connection, case_id: int | None = None) -> list[Row]:
    """Return petitions (of ``case_id`` when given), contact masked only."""
    stmt = select(petitions).order_by(petitions.c.id)
    if case_id is not None:
        stmt = stmt.where(petitions.c.case_id == case_id)
    return rows_of(conn, stmt)


def get_petition(conn: Connection, petition_id: int) -> Row | None:
    """Return the petition row ``petition_id`` (contact masked only) or None."""
    found = rows_of(conn, select(petitions).where(petitions.c.id == petition_id))
    return found[0] if found else None


def read_contact(conn: Connection, petition_id: int) -> Row | None:
    """Return the protected contact of a petition (log the access: cases/service.py does)."""
    found = rows_of(conn, select(petition_contacts)
                  .where(petition_contacts.c.petition_id == petition_id))
    return found[0] if found else None


def filter_petitions(conn: Connection, *, units: Collection[str] | None = None,
                     channel: str | None = None, since: datetime | None = None,
                     until: datetime | None = None, repeats: bool = False,
                     cross_level: bool = False, limit: int = 200,
                     offset: int = 0) -> list[Row]:
    """Return petitions (contact masked only) of the cases of ``units`` (None: every case)
    received in ``[since, until)``, by ``channel``, only repeats or cross-level ones when
    asked, newest first; each row adds ``case_state`` and ``case_title``."""
    stmt = (select(petitions, cases.c.state.label("case_state"),
                   cases.c.title.label("case_title"))
            .join(cases, cases.c.id == petitions.c.case_id))
    if units is not None:
        stmt = stmt.where(petitions.c.case_id.in_(case_ids_of(units)))
    if channel is not None:
        stmt = stmt.where(petitions.c.channel == channel)
    if since is not None:
        stmt = stmt.where(petitions.c.received_at >= since)
    if until is not None:
        stmt = stmt.where(petitions.c.received_at < until)
    if repeats:
        stmt = stmt.where(petitions.c.repeat_of.is_not(None))
    if cross_level:
        stmt = stmt.where(petitions.c.cross_level.is_(True))
    stmt = stmt.order_by(petitions.c.received_at.desc(), petitions.c.id.desc())
    return rows_of(conn, stmt.limit(limit).offset(offset))


def petition_counts(conn: Connection, units: Collection[str] | None = None) -> dict[str, int]:
    """Return ``{"petitions", "repeats", "cross_level"}`` counts of the petitions of the
    cases of ``units`` (None: every petition)."""
    stmt = select(func.count(), func.count(petitions.c.repeat_of),
                  func.count().filter(petitions.c.cross_level.is_(True)))
    if units is not None:
        stmt = stmt.where(petitions.c.case_id.in_(case_ids_of(units)))
    total, repeats, cross = conn.execute(stmt).one()
    return {"petitions": int(total), "repeats": int(repeats), "cross_level": int(cross)}



class PetitionsRepository(Repository):
    """Queries of petitions (intake, repeats, protected contacts): ``store.petitions``."""

    def insert(self, values: Mapping[str, Any], contact: Contact) -> int:
        """Store a petition (the columns of ``petitions`` but ``id``) and its protected
        contact; return the petition id."""
        with self._write() as conn:
            return insert_petition(conn, values, contact.as_row())

    def get(self, petition_id: int) -> Petition | None:
        """Return petition ``petition_id`` (contact masked only), or None."""
        if not storable_id(petition_id):
            return None
        with self._read() as conn:
            row = get_petition(conn, petition_id)
        return None if row is None else Petition(**row)

    def find(self, case_id: int | None = None) -> list[Petition]:
        """Return the petitions of ``case_id`` (every petition when None), oldest first."""
        with self._read() as conn:
            return [Petition(**r) for r in list_petitions(conn, case_id)]

    def received_since(self, since: datetime, units: Collection[str] | None = None
                       ) -> list[dict[str, Any]]:
        """Return ``{"id", "case_id", "identity_hash", "subject", "accused", "received_at"}``
        of the petitions received at or after ``since`` in the cases owned by ``units``
        (None: every case), oldest first (repeat candidates)."""
        with self._read() as conn:
            return petition_candidates(conn, since, units)

    def listed(self, **filters: Any) -> list[dict[str, Any]]:
        """Return petitions for a list page, newest first: the filters and row shape of
        :func:`filter_petitions` (contact masked only)."""
        with self._read() as conn:
            return filter_petitions(conn, **filters)

    def contact(self, petition_id: int) -> Contact | None:
        """Return the protected contact of a petition (the caller logs the read), or None."""
        if not storable_id(petition_id):
            return None
        with self._read() as conn:
            row = read_contact(conn, petition_id)
        if row is None:
            return None
        return Contact(row["name"], row["phone"], row["id_number"], row["address"])

    def counts(self, units: Collection[str] | None = None) -> dict[str, int]:
        """Return ``{"petitions", "repeats", "cross_level"}`` counts (of the cases of
        ``units`` unless None)."""
        with self._read() as conn:
            return petition_counts(conn, units)
