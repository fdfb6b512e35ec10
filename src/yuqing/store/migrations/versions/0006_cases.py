"""Case handling: cases, append-only audit log, attachments, deadlines, assists, links, petitions.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

from yuqing.store import cases_tables

revision = "0006"
down_revision = "0001"
branch_labels = ("cases",)
depends_on = None

TABLES = (cases_tables.cases, cases_tables.case_log, cases_tables.case_attachments,
          cases_tables.case_deadlines, cases_tables.case_assists, cases_tables.case_links,
          cases_tables.petitions, cases_tables.petition_contacts)

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


def upgrade() -> None:
    """Create the case tables (from store/cases_tables.py at this revision) and the log guards."""
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)
    for sql in PG_GUARDS if bind.dialect.name == "postgresql" else SQLITE_GUARDS:
        op.execute(sql)


def downgrade() -> None:
    """Drop the case tables and the log guards."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS case_log_append_only ON case_log")
        op.execute("DROP FUNCTION IF EXISTS case_log_append_only()")
    for table in reversed(TABLES):
        table.drop(bind)
