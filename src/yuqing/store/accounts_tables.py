"""Tables of web accounts (issue 7): units, users, sessions, API tokens and the web audit log.

Passwords are stored only as argon2 hashes (web/auth.py). Session ids and
API tokens are stored only as SHA-256 hex digests, so a copy of the database
does not let anyone log in. ``web_audit`` records who read or exported what
protected data and changed which setting, when and from which address; the
database refuses UPDATE and DELETE on it (migration 0013_trust), as on ``case_log``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from yuqing.store.tables import UTCDateTime, json_type, metadata

units = Table(
    "units",
    metadata,
    Column("name", String, primary_key=True),
    Column("parent", String),
    Column("created_at", UTCDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String, nullable=False, unique=True),
    Column("password_hash", String, nullable=False),
    Column("role", String, nullable=False),          # admin, analyst, handler, leader
    Column("unit", String),                          # None: sees every unit
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("email", String),                         # where case notices reach the person
    Column("phone", String),
    Column("wecom", String),                         # WeCom user id
    sqlite_autoincrement=True,
)

sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_web_sessions_user", "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("label", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

web_audit = Table(
    "web_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("action", String, nullable=False),        # login, export, setting, send_test...
    Column("target", Text),
    Column("data", json_type(), nullable=False),
    Column("address", String),                      # the client's IP address
    Index("ix_web_audit_at", "at"),
    sqlite_autoincrement=True,
)

TABLES = (units, users, sessions, api_tokens, web_audit)
