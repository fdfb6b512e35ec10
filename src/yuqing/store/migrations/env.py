"""Alembic environment: runs on the connection that store/migrate.py passes in."""

from __future__ import annotations

from alembic import context

from yuqing.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through yuqing.store.migrate.upgrade(engine)")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
