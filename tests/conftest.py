"""Shared fixtures: a ``store`` on each backend (SQLite file, PostgreSQL schema).

``store_url`` is parametrised over "sqlite" (a file in tmp_path) and
"postgresql" (a fresh schema per test in the local server, dropped
afterwards; the server URL is YUQING_TEST_POSTGRES_URL or
postgresql+psycopg://postgres@127.0.0.1:5432/test). The postgresql
parameter is skipped, with the reason, when that server cannot be reached.
"""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from yuqing.store import Store, open_store

POSTGRES_URL = os.environ.get(
    "YUQING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """Return the PostgreSQL server URL, or skip when the server is unreachable."""
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} unreachable: {exc.orig}")
    finally:
        engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Yield a URL whose search_path is a new empty schema; drop the schema afterwards."""
    admin_url = request.getfixturevalue("postgres_admin_url")
    schema = f"yq_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return an empty database URL on the parametrised backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'yuqing.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """Yield a migrated Store on ``store_url``; closed afterwards."""
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(autouse=True)
def unfreeze_heap() -> Iterator[None]:
    """After each test, hand objects a Pipeline froze (runtime/pipeline.settle_heap) back to
    the garbage collector: a process builds one pipeline, the test session hundreds, and
    the frozen ones of finished tests must still be collectable."""
    yield
    gc.unfreeze()
