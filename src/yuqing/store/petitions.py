"""Queries of petitions (tables in store/cases_tables.py) and ``PetitionsRepository``.

The module functions take a Connection and return plain dicts;
``PetitionsRepository`` (``store.petitions``) runs them and returns
``Petition`` and ``Contact``. The petitioner's contact lives in its own
table and is read only through ``read_contact`` (the caller logs the read).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite

from yuqing.domain import Contact, Petition
from yuqing.store.cases import Row, case_ids_of, rows_of
from yuqing.store.cases_tables import (
    cases,
    petition_contacts,
    petition_gram_counts,
    petition_terms,
    petitions,
)
from yuqing.store.repository import Repository, storable_id

#: the ``petition_gram_counts`` term that counts every petition indexed (no bigram is empty)
TOTAL = ""
#: terms per ``IN`` list (SQLite's limit of bound parameters is far above it)
_IN_CHUNK = 500
#: the columns of a ``Petition`` (all but the index's ``gram_count``)
_SHOWN = tuple(c for c in petitions.c if c.name != "gram_count")


def insert_petition(conn: Connection, values: Mapping[str, Any], contact: Mapping[str, Any],
                    grams: Collection[str] | None = None) -> int:
    """Insert a petition and its protected contact, and index it under its subject
    bigrams ``grams`` (None: left for ``index_petitions``); return the petition id."""
    pid = int(conn.scalar(insert(petitions).values(**values).returning(petitions.c.id)))
    conn.execute(insert(petition_contacts).values(petition_id=pid, **contact))
    if grams is not None:
        index_petitions(conn, {pid: grams})
    return pid


def index_petitions(conn: Connection, grams: Mapping[int, Collection[str]]) -> None:
    """Write the repeat index of the petitions ``{id: subject bigrams}``: their bigrams
    (kind ``s``), their identity hashes (kind ``i``, from ``identity_hash``),
    ``gram_count``, the bigrams' ``petition_gram_counts`` and the count of petitions
    indexed (term ``TOTAL``)."""
    if not grams:
        return
    hashes = dict(conn.execute(select(petitions.c.id, petitions.c.identity_hash)
                               .where(petitions.c.id.in_(list(grams)))).all())
    rows = [{"petition_id": pid, "kind": kind, "term": term}
            for pid, subject in grams.items()
            for kind, terms in (("s", sorted(subject)),
                                ("i", sorted(set((hashes.get(pid) or "").split()))))
            for term in terms]
    if rows:
        conn.execute(insert(petition_terms), rows)
    counts = Counter(g for subject in grams.values() for g in subject)
    counts[TOTAL] += len(grams)
    if counts:
        module = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = module.insert(petition_gram_counts)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[petition_gram_counts.c.term],
            set_={"n": petition_gram_counts.c.n + stmt.excluded.n}),
            [{"term": g, "n": c} for g, c in sorted(counts.items())])
    conn.execute(update(petitions).where(petitions.c.id == bindparam("pid"))
                 .values(gram_count=bindparam("n")),
                 [{"pid": pid, "n": len(subject)} for pid, subject in grams.items()])


def unindexed_petitions(conn: Connection, limit: int) -> list[Row]:
    """Return ``{"id", "subject"}`` of up to ``limit`` petitions not in the repeat index
    yet (stored before it existed, or without bigrams), oldest first."""
    return rows_of(conn, select(petitions.c.id, petitions.c.subject)
                   .where(petitions.c.gram_count.is_(None))
                   .order_by(petitions.c.id).limit(limit))


def _in_reach(since: datetime, units: Collection[str] | None) -> Any:
    """Return the condition on ``petitions`` of the repeat candidates: received at or
    after ``since`` in the cases of ``units`` (None: every case)."""
    cond = petitions.c.received_at >= since
    return cond if units is None else and_(cond, petitions.c.case_id.in_(case_ids_of(units)))


def gram_counts(conn: Connection, grams: Iterable[str]) -> tuple[int, dict[str, int]]:
    """Return (the petitions ever indexed, ``{bigram: how many of them had it}`` for those
    of ``grams`` some had), from ``petition_gram_counts``: one primary-key read per
    bigram, whatever the number of petitions."""
    counts = petition_gram_counts.c
    wanted = sorted({TOTAL, *grams})
    found: dict[str, int] = {}
    for k in range(0, len(wanted), _IN_CHUNK):
        found.update((str(t), int(n)) for t, n in conn.execute(
            select(counts.term, counts.n).where(counts.term.in_(wanted[k:k + _IN_CHUNK]))))
    return found.pop(TOTAL, 0), found


def recent_sharing(conn: Connection, since: datetime, units: Collection[str] | None,
                   grams: Collection[str], identities: Collection[str],
                   per_gram: int) -> list[Row]:
    """Return ``{"id", "case_id", "identity_hash", "subject", "accused", "received_at"}``
    of the petitions in reach (``_in_reach``) among the ``per_gram`` indexed last with
    each of ``grams`` and all those sharing one of ``identities``, oldest first: at most
    ``len(grams) * per_gram`` index entries read, plus the identities' (newest first by
    ``ix_petition_terms_recent``)."""
    terms = petition_terms.c
    recent = [select(terms.petition_id).where(terms.kind == "s", terms.term == g)
              .order_by(terms.petition_id.desc()).limit(per_gram).subquery()
              for g in sorted(grams)]
    ids = union_all(*(select(r.c.petition_id) for r in recent),
                    select(terms.petition_id).where(terms.kind == "i",
                                                    terms.term.in_(sorted(identities))))
    cols = (petitions.c.id, petitions.c.case_id, petitions.c.identity_hash,
            petitions.c.subject, petitions.c.accused, petitions.c.received_at)
    return rows_of(conn, select(*cols).where(petitions.c.id.in_(ids), _in_reach(since, units))
                   .order_by(petitions.c.id))


def list_petitions(conn: Connection, case_id: int | None = None) -> list[Row]:
    """Return petitions (of ``case_id`` when given), contact masked only."""
    stmt = select(*_SHOWN).order_by(petitions.c.id)
    if case_id is not None:
        stmt = stmt.where(petitions.c.case_id == case_id)
    return rows_of(conn, stmt)


def get_petition(conn: Connection, petition_id: int) -> Row | None:
    """Return the petition row ``petition_id`` (contact masked only) or None."""
    found = rows_of(conn, select(*_SHOWN).where(petitions.c.id == petition_id))
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

    def insert(self, values: Mapping[str, Any], contact: Contact,
               grams: Collection[str] | None = None) -> int:
        """Store a petition (the columns of ``petitions`` but ``id`` and ``gram_count``)
        and its protected contact, indexed under its subject bigrams ``grams`` (None:
        left for ``index``); return the petition id."""
        with self._write() as conn:
            return insert_petition(conn, values, contact.as_row(), grams)

    def unindexed(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Return ``{"id", "subject"}`` of up to ``limit`` petitions not in the repeat
        index yet, oldest first."""
        with self._read() as conn:
            return unindexed_petitions(conn, limit)

    def index(self, grams: Mapping[int, Collection[str]]) -> None:
        """Put the petitions ``{id: subject bigrams}`` in the repeat index."""
        with self._write() as conn:
            index_petitions(conn, grams)

    def gram_counts(self, grams: Iterable[str]) -> tuple[int, dict[str, int]]:
        """Return (the petitions ever indexed, ``{bigram: how many of them had it}`` for
        ``grams``) (:func:`gram_counts`)."""
        with self._read() as conn:
            return gram_counts(conn, grams)

    def recent_sharing(self, since: datetime, units: Collection[str] | None,
                       grams: Collection[str], identities: Collection[str],
                       per_gram: int) -> list[dict[str, Any]]:
        """Return the repeat candidates of a subject (:func:`recent_sharing`): the
        petitions in reach among the ``per_gram`` indexed last with each of ``grams``, and
        every one sharing one of ``identities``, oldest first."""
        with self._read() as conn:
            return recent_sharing(conn, since, units, grams, identities, per_gram)

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
