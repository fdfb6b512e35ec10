"""Trust (issue 16): the web audit log records the client address and is append-only;
users carry the addresses notices reach them at.

Revision ID: 0013_trust
Revises: 0007_accounts
Create Date: 2026-12-01

``web_audit.address``: the client's IP address of the request (None for entries
written by the CLI or before this revision). UPDATE and DELETE of ``web_audit``
are refused by the database itself, as for ``case_log`` (0006).
``users.email``, ``users.phone``, ``users.wecom``: where a case notice reaches the
person (one list of people: the web accounts are the case users).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_trust"
down_revision = "0007_accounts"
branch_labels = None
depends_on = None

SQLITE_GUARDS = tuple(
    f"CREATE TRIGGER web_audit_no_{verb.lower()} BEFORE {verb} ON web_audit "
    "BEGIN SELECT RAISE(ABORT, 'web_audit is append-only'); END"
    for verb in ("UPDATE", "DELETE")
)
PG_GUARDS = (
    "CREATE FUNCTION web_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'web_audit is append-only'; END $$",
    "CREATE TRIGGER web_audit_append_only BEFORE UPDATE OR DELETE ON web_audit "
    "FOR EACH ROW EXECUTE FUNCTION web_audit_append_only()",
)
USER_ADDRESSES = ("email", "phone", "wecom")


def upgrade() -> None:
    """Add web_audit.address and the users' notice addresses (where 0007, which creates the
    tables from the current store/accounts_tables.py, did not); guard web_audit."""
    have = sa.inspect(op.get_bind())
    for table, names in (("web_audit", ("address",)), ("users", USER_ADDRESSES)):
        present = {c["name"] for c in have.get_columns(table)}
        for name in names:
            if name not in present:
                op.add_column(table, sa.Column(name, sa.String))
    for sql in PG_GUARDS if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARDS:
        op.execute(sql)


def downgrade() -> None:
    """Drop the guards and the columns."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS web_audit_append_only ON web_audit")
        op.execute("DROP FUNCTION IF EXISTS web_audit_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS web_audit_no_{verb}")
    with op.batch_alter_table("web_audit") as batch:
        batch.drop_column("address")
    with op.batch_alter_table("users") as batch:
        for name in USER_ADDRESSES:
            batch.drop_column(name)
