"""The table of the live settings (migration branch ``websettings``, 0015_websettings_settings.py).

``settings_versions`` keeps every version of the settings document, append-only: the
config sections the web app edits (schemes, sources, lexicons, alert channels, units,
people; runtime/live_settings.py), who wrote it (a user name, ``config file`` or
``import``), when, the SHA-256 of the config file it was read from (null for a web edit:
the previous version's hash carries on) and a short note. The newest id is the version in
force; every process compares it with the one it runs (one small query).
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text

from yuqing.store.tables import UTCDateTime, json_type, metadata

settings_versions = Table(
    "settings_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("file_hash", String),
    Column("note", Text, nullable=False),
    Column("doc", json_type(), nullable=False),
)
