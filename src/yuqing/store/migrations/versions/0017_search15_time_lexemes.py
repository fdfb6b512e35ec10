"""PostgreSQL search index with time lexemes (issue 15): ix_items_search also holds, for
each item, the day, 8-day block and 64-day block of its ``published_at``.

Revision ID: 0017_search15
Revises: 0016_growth15
Create Date: 2026-12-07

``yq_time_lexemes(published_at)`` returns ``['@d<day>', '@w<day // 8>', '@q<day // 64>']``
(days since 1970-01-01 UTC, floored). ix_items_search becomes a GIN index on
``to_tsvector('simple', search_bigrams) || array_to_tsvector(yq_time_lexemes(published_at))``,
so a search for the newest matches can ask the index for the matches of a few days
only (store/pg_search.py) instead of fetching all of them. No search token begins with
``@``, so word queries find what they found before. Rebuilding the index takes about
2 minutes per million items. SQLite: nothing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_search15"
down_revision = "0016_growth15"
branch_labels = None
depends_on = None

TIME_LEXEMES = """
CREATE FUNCTION yq_time_lexemes(at timestamptz) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT ARRAY['@d' || floor(extract(epoch FROM at) / 86400)::bigint,
             '@w' || floor(extract(epoch FROM at) / 691200)::bigint,
             '@q' || floor(extract(epoch FROM at) / 5529600)::bigint]
$$
"""
NEW_INDEX = ("CREATE INDEX ix_items_search ON items USING gin ((to_tsvector('simple', "
             "search_bigrams) || array_to_tsvector(yq_time_lexemes(published_at))))")
OLD_INDEX = ("CREATE INDEX ix_items_search ON items USING gin "
             "(to_tsvector('simple', search_bigrams))")


def upgrade() -> None:
    """On PostgreSQL: create yq_time_lexemes and rebuild ix_items_search with its lexemes."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(sa.text(TIME_LEXEMES))
    op.execute(sa.text("DROP INDEX ix_items_search"))
    op.execute(sa.text(NEW_INDEX))


def downgrade() -> None:
    """On PostgreSQL: restore ix_items_search on the tokens alone; drop yq_time_lexemes."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(sa.text("DROP INDEX ix_items_search"))
    op.execute(sa.text(OLD_INDEX))
    op.execute(sa.text("DROP FUNCTION yq_time_lexemes(timestamptz)"))
