"""The repeat index of petitions (issue 15): petition_terms, petition_gram_counts and
petitions.gram_count.

Revision ID: 0015_scale15_petition_terms
Revises: 0006
Create Date: 2026-12-07

Intake looked for a repeat by reading every petition of the past year and
computing its bigrams; ``petition_terms`` holds each petition's subject bigrams
(kind ``s``) and identity hashes (kind ``i``) so it reads only the petitions that
share them (cases/intake.py). ``petitions.gram_count`` is the number of subject
bigrams; petitions stored before this revision keep NULL and are indexed by the
next intake (the bigrams are computed in cases/petitions.py, which a migration
may not import). ``petition_gram_counts`` counts the petitions ever indexed with each
bigram (a bound that lets intake skip most candidates without counting exactly).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_scale15_petition_terms"
down_revision = "0006"
branch_labels = None
depends_on = None

UNINDEXED = sa.text("gram_count IS NULL")


def upgrade() -> None:
    """Add petitions.gram_count (indexed where NULL), create petition_terms and
    petition_gram_counts."""
    with op.batch_alter_table("petitions") as batch:
        batch.add_column(sa.Column("gram_count", sa.Integer))
    op.create_index("ix_petitions_unindexed", "petitions", ["id"],
                    sqlite_where=UNINDEXED, postgresql_where=UNINDEXED)
    op.create_table(
        "petition_terms",
        sa.Column("petition_id", sa.Integer,
                  sa.ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(1), primary_key=True),
        sa.Column("term", sa.String, primary_key=True),
    )
    op.create_index("ix_petition_terms_term", "petition_terms", ["kind", "term"])
    op.create_table(
        "petition_gram_counts",
        sa.Column("term", sa.String, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    """Drop petition_gram_counts, petition_terms and petitions.gram_count."""
    op.drop_table("petition_gram_counts")
    op.drop_table("petition_terms")
    op.drop_index("ix_petitions_unindexed", "petitions")
    with op.batch_alter_table("petitions") as batch:
        batch.drop_column("gram_count")
