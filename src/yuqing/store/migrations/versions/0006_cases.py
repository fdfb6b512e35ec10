"""Case handling: cases, append-only audit log, attachments, deadlines, assists, links, petitions.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import yuqing.store.cases_tables  # noqa: F401 - registers the tables on the shared metadata
from yuqing.store.tables import UTCDateTime, json_type

revision = "0006"
down_revision = "0001"
branch_labels = ("cases",)
depends_on = None

# The audit log is append-only: the database itself refuses UPDATE and DELETE.
SQLITE_GUARDS = tuple(
    f"CREATE TRIGGER case_log_no_{verb.lower()} BEFORE {verb} ON case_log "
    "BEGIN SELECT RAISE(ABORT, 'case_log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
)
PG_GUARDS = (
    "CREATE FUNCTION case_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'case_log is append-only'; END $$",
    "CREATE TRIGGER case_log_append_only BEFORE UPDATE OR DELETE ON case_log "
    "FOR EACH ROW EXECUTE FUNCTION case_log_append_only()",
)
S, T, N, F, B = sa.String, sa.Text, sa.Integer, sa.Float, sa.Boolean


def _cols(required: str, optional: str, kinds: dict[str, Any]) -> list[sa.Column[Any]]:
    """Return NOT NULL columns named in ``required`` then nullable ones in ``optional``
    (space-separated names; types from ``kinds``)."""
    return ([sa.Column(n, kinds[n], nullable=False) for n in required.split()]
            + [sa.Column(n, kinds[n]) for n in optional.split()])


def _case_id(primary_key: bool = False) -> sa.Column[Any]:
    """Return the ``case_id`` column referring to cases.id (cascading deletes)."""
    return sa.Column("case_id", N, sa.ForeignKey("cases.id", ondelete="CASCADE"),
                     nullable=False, primary_key=primary_key)


def _id() -> sa.Column[Any]:
    """Return an autoincrement integer primary key ``id``."""
    return sa.Column("id", N, primary_key=True, autoincrement=True)


KINDS: dict[str, Any] = {
    "title": T, "summary": T, "origin": S, "origin_ref": S, "channel": S, "state": S,
    "handling_class": N, "suggested_class": N, "owner_unit": S, "opened_by": S,
    "discovered_at": UTCDateTime, "opened_at": UTCDateTime, "updated_at": UTCDateTime,
    "closed_at": UTCDateTime, "merged_into": N, "at": UTCDateTime, "actor": S, "role": S,
    "action": S, "from_state": S, "to_state": S, "note": T, "data": json_type(), "name": T,
    "sha256": S, "size": N, "content": sa.LargeBinary, "added_by": S, "added_at": UTCDateTime,
    "met_by": S, "start": UTCDateTime, "due": UTCDateTime, "provisional": B,
    "met_at": UTCDateTime, "reminded_at": UTCDateTime, "escalated_at": UTCDateTime,
    "requested_by": S, "requested_at": UTCDateTime, "score": F, "created_at": UTCDateTime,
    "received_at": UTCDateTime, "unit": S, "subject": T, "accused": T, "addressed_level": S,
    "responsible_level": S, "identity_hash": S, "contact_masked": T, "repeat_of": N,
    "repeat_score": F, "cross_level": B, "phone": T, "id_number": T, "address": T,
}


def upgrade() -> None:
    """Create the case tables, their indexes and the audit-log guards."""
    op.create_table("cases", _id(), *_cols(
        "title origin channel state owner_unit opened_by discovered_at opened_at updated_at",
        "summary origin_ref handling_class suggested_class closed_at merged_into", KINDS),
        sqlite_autoincrement=True)
    for column in ("state", "owner_unit", "opened_at"):
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.create_table("case_log", _id(), _case_id(), *_cols(
        "at actor role action data", "from_state to_state note", KINDS),
        sqlite_autoincrement=True)
    op.create_index("ix_case_log_case_id", "case_log", ["case_id"])
    op.create_table("case_attachments", _id(), _case_id(), *_cols(
        "name sha256 size content added_by added_at", "", KINDS),
        sa.UniqueConstraint("case_id", "sha256", name="uq_case_attachments_hash"),
        sqlite_autoincrement=True)
    op.create_table("case_deadlines", _case_id(True), sa.Column("policy", S, primary_key=True),
                    *_cols("met_by start due provisional", "met_at reminded_at escalated_at",
                           KINDS))
    op.create_index("ix_case_deadlines_due", "case_deadlines", ["due"])
    op.create_table("case_assists", _case_id(True), sa.Column("unit", S, primary_key=True),
                    *_cols("requested_by requested_at", "", KINDS))
    op.create_table("case_links", _case_id(True), sa.Column("kind", S, primary_key=True),
                    sa.Column("ref", S, primary_key=True), *_cols("created_at", "score", KINDS))
    op.create_index("ix_case_links_ref", "case_links", ["kind", "ref"])
    op.create_table("petitions", _id(), _case_id(), *_cols(
        "channel received_at unit subject addressed_level contact_masked cross_level",
        "accused responsible_level identity_hash repeat_of repeat_score", KINDS),
        sqlite_autoincrement=True)
    op.create_index("ix_petitions_received_at", "petitions", ["received_at"])
    op.create_table("petition_contacts",
                    sa.Column("petition_id", N, sa.ForeignKey("petitions.id", ondelete="CASCADE"),
                              primary_key=True),
                    *_cols("", "name phone id_number address", KINDS))
    for sql in PG_GUARDS if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARDS:
        op.execute(sql)


def downgrade() -> None:
    """Drop the case tables and the audit-log guards."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS case_log_append_only ON case_log")
        op.execute("DROP FUNCTION IF EXISTS case_log_append_only()")
    for table in ("petition_contacts", "petitions", "case_links", "case_assists",
                  "case_deadlines", "case_attachments", "case_log", "cases"):
        op.drop_table(table)
