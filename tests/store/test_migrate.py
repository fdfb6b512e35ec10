"""Tests of store/migrate.py: the migrated schema is the schema of store/tables.py."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from yuqing.store import Store
from yuqing.store.migrate import current_revisions, head_revisions
from yuqing.store.tables import metadata

# Backend-specific search objects created by SQL in the migration, not in tables.py.
SEARCH_OBJECTS = ("items_fts", "ix_items_search")


def _include(obj: Any, name: str | None, type_: str, reflected: bool, _other: Any) -> bool:
    return not (name or "").startswith(SEARCH_OBJECTS)


def test_migrated_schema_matches_tables(store: Store) -> None:
    engine = store._engines.write
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _include})
        diffs = compare_metadata(context, metadata)
    assert diffs == []
    assert current_revisions(engine) == head_revisions()
