"""The repeat index read by recency (issue 15): ix_petition_terms_recent and the count of
indexed petitions.

Revision ID: 0016_growth15
Revises: 0015_scale15_petition_terms
Create Date: 2026-12-07

Intake reads, for each of the rarest bigrams of a new subject, only the petitions
indexed last with it (cases/intake.py): ``ix_petition_terms_recent`` on (kind, term,
petition_id) serves that read newest first, and replaces ``ix_petition_terms_term`` on
(kind, term), which it covers. The inverse document frequencies come from
``petition_gram_counts``; its row of the empty term (no bigram is empty) counts every
petition indexed, seeded here from the petitions already indexed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_growth15"
down_revision = "0015_scale15_petition_terms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Replace ix_petition_terms_term by ix_petition_terms_recent; seed the petitions'
    count (term '')."""
    op.create_index("ix_petition_terms_recent", "petition_terms",
                    ["kind", "term", "petition_id"])
    op.drop_index("ix_petition_terms_term", "petition_terms")
    op.execute(sa.text("INSERT INTO petition_gram_counts (term, n) SELECT '', count(*) "
                       "FROM petitions WHERE gram_count IS NOT NULL"))


def downgrade() -> None:
    """Drop the petitions' count and ix_petition_terms_recent; restore
    ix_petition_terms_term."""
    op.execute(sa.text("DELETE FROM petition_gram_counts WHERE term = ''"))
    op.create_index("ix_petition_terms_term", "petition_terms", ["kind", "term"])
    op.drop_index("ix_petition_terms_recent", "petition_terms")
