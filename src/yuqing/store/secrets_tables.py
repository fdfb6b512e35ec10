"""The table of process-shared secrets (migration branch ``app_secrets``, 0010_app_secrets.py).

``app_secrets`` holds secrets that every process using the store must share
and that must survive restarts, generated once on first use (store/shared_secrets.py):
today the key that signs acknowledgement links of alerts (``ack``) when the
config sets none. One row per ``name``; a value is never changed in place.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from yuqing.store.tables import UTCDateTime, metadata

app_secrets = Table(
    "app_secrets",
    metadata,
    Column("name", String, primary_key=True),
    Column("value", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

TABLES = (app_secrets,)
