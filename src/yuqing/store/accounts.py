"""Queries of web accounts (store/accounts_tables.py): units, users, sessions, tokens, audit.

Functions take a SQLAlchemy Connection; callers outside store/ use
``AccountsRepository`` (``store.accounts``, or ``tx.accounts`` in a transaction).
User rows come back as dicts ``{"id", "name", "role", "unit", "active",
"created_at"}`` (plus ``password_hash`` only from ``user_for_login``).
Secrets (session ids, tokens) are passed in already hashed by web/auth.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from yuqing.config import not_one_of
from yuqing.domain import BadInput
from yuqing.store.accounts_tables import api_tokens, sessions, units, users, web_audit
from yuqing.store.repository import Repository

ROLES = ("admin", "analyst", "handler", "leader")
_PUBLIC = (users.c.id, users.c.name, users.c.role, users.c.unit, users.c.active,
           users.c.created_at, users.c.email, users.c.phone, users.c.wecom)
#: where case notices reach a person (store/accounts_tables.py users)
ADDRESSES = ("email", "phone", "wecom")


def _user(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def add_unit(conn: Connection, name: str, parent: str | None, now: datetime) -> bool:
    """Add unit ``name``; return False when it exists. Raises BadInput for an empty name."""
    if not name.strip():
        raise BadInput("unit: the name is required")
    if conn.scalar(select(units.c.name).where(units.c.name == name)) is not None:
        return False
    conn.execute(units.insert().values(name=name, parent=parent or None, created_at=now))
    return True


def list_units(conn: Connection) -> list[dict[str, Any]]:
    """Return every unit ``{"name", "parent", "created_at"}`` by name."""
    return [dict(r._mapping) for r in conn.execute(select(units).order_by(units.c.name))]


def check_role(name: str, role: str) -> None:
    """Raise BadInput naming user ``name`` when ``role`` is not one of ROLES (with the
    nearest)."""
    if role not in ROLES:
        raise BadInput(f"user {name!r}: role {not_one_of(role, ROLES)}")


def add_user(conn: Connection, name: str, password_hash: str, role: str, unit: str | None,
             now: datetime) -> int:
    """Insert a user; return its id.

    Raises BadInput for an unknown role, an unknown unit, an empty name or a
    name already taken (names are unique).
    """
    if not name.strip():
        raise BadInput("user: the name is required")
    check_role(name, role)
    if unit and conn.scalar(select(units.c.name).where(units.c.name == unit)) is None:
        raise BadInput(f"user {name!r}: unit {unit!r} does not exist (add it first)")
    try:
        with conn.begin_nested():
            result = conn.execute(users.insert().values(
                name=name, password_hash=password_hash, role=role, unit=unit or None,
                active=True, created_at=now))
    except IntegrityError:
        raise BadInput(f"user {name!r}: already exists") from None
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_user(conn: Connection, name: str, changes: Mapping[str, Any]) -> None:
    """Change ``role``, ``unit``, ``active``, ``password_hash`` or an address (ADDRESSES) of
    user ``name``.

    Raises BadInput for an unknown user, field or role, and for a change that leaves
    no active admin; no changes at all change nothing. Deactivating a user also ends
    their sessions.
    """
    unknown = set(changes) - {"role", "unit", "active", "password_hash", *ADDRESSES}
    if unknown:
        raise BadInput(f"user {name!r}: cannot change {sorted(unknown)}")
    if "role" in changes and changes["role"] not in ROLES:
        raise BadInput(f"user {name!r}: role {not_one_of(changes['role'], ROLES)}")
    user_id = conn.scalar(select(users.c.id).where(users.c.name == name))
    if user_id is None:
        raise BadInput(f"user {name!r}: no such user")
    if not changes:
        return
    if changes.get("role", "admin") != "admin" or changes.get("active", True) is not True:
        _keep_an_admin(conn, user_id, name)
    conn.execute(update(users).where(users.c.id == user_id).values(**changes))
    if changes.get("active") is False or "password_hash" in changes:
        conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


def _keep_an_admin(conn: Connection, user_id: int, name: str) -> None:
    """Raise BadInput when user ``user_id`` is the only active admin (the change at hand
    demotes or deactivates it): with no active admin every web request answers 401 until
    someone with shell access adds one (docs/FIELD_CASES.md F20.12). The active admins'
    rows are locked (PostgreSQL), so two admins demoting each other cannot both pass."""
    admins = conn.scalars(select(users.c.id).where(users.c.role == "admin", users.c.active)
                          .with_for_update()).all()
    if list(admins) == [user_id]:
        raise BadInput(f"user {name!r} is the only active admin: promote or add another admin "
                       "before demoting or deactivating this one")


def list_users(conn: Connection) -> list[dict[str, Any]]:
    """Return every user (no password hash), by name."""
    return [_user(r) for r in conn.execute(select(*_PUBLIC).order_by(users.c.name))]


def count_users(conn: Connection) -> int:
    """Return the number of users."""
    return len(conn.execute(select(users.c.id)).all())


def user_for_login(conn: Connection, name: str) -> dict[str, Any] | None:
    """Return the active user ``name`` with its ``password_hash``, or None."""
    row = conn.execute(select(users).where(users.c.name == name, users.c.active.is_(True))).first()
    return None if row is None else _user(row)


def create_session(conn: Connection, id_hash: str, user_id: int, csrf: str, now: datetime,
                   expires_at: datetime) -> None:
    """Store a session (its id already hashed) with its CSRF token; drop expired ones."""
    conn.execute(delete(sessions).where(sessions.c.expires_at < now))
    conn.execute(sessions.insert().values(id_hash=id_hash, user_id=user_id, csrf=csrf,
                                          created_at=now, expires_at=expires_at))


def session_user(conn: Connection, id_hash: str, now: datetime) -> dict[str, Any] | None:
    """Return the active user of an unexpired session plus its ``csrf`` token, or None."""
    stmt = (select(*_PUBLIC, sessions.c.csrf).join(sessions, sessions.c.user_id == users.c.id)
            .where(sessions.c.id_hash == id_hash, sessions.c.expires_at > now,
                   users.c.active.is_(True)))
    row = conn.execute(stmt).first()
    return None if row is None else _user(row)


def end_session(conn: Connection, id_hash: str) -> None:
    """Delete a session (log out)."""
    conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash))


def add_token(conn: Connection, token_hash: str, user_id: int, label: str, now: datetime) -> None:
    """Store an API token (hashed) acting as user ``user_id``."""
    conn.execute(api_tokens.insert().values(token_hash=token_hash, user_id=user_id,
                                            label=label, created_at=now))


def token_user(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    """Return the active user of an API token, or None."""
    stmt = (select(*_PUBLIC).join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == token_hash, users.c.active.is_(True)))
    row = conn.execute(stmt).first()
    return None if row is None else _user(row)


def audit(conn: Connection, actor: str, action: str, target: str | None,
          data: Mapping[str, Any], now: datetime, address: str | None = None) -> None:
    """Append one entry to the web audit log (``address``: the client's IP address)."""
    conn.execute(web_audit.insert().values(at=now, actor=actor, action=action, target=target,
                                           data=dict(data), address=address))


def read_audit(conn: Connection, limit: int = 100, action: str | None = None,
               actor: str | None = None, before: int | None = None) -> list[dict[str, Any]]:
    """Return the newest ``limit`` audit entries (of ``action``, of ``actor``, with an id
    below ``before``, each if given), newest first."""
    stmt = select(web_audit).order_by(web_audit.c.id.desc()).limit(limit)
    if action is not None:
        stmt = stmt.where(web_audit.c.action == action)
    if actor is not None:
        stmt = stmt.where(web_audit.c.actor == actor)
    if before is not None:
        stmt = stmt.where(web_audit.c.id < before)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def audit_since(conn: Connection, action: str, since: datetime,
                actor: str | None = None) -> list[dict[str, Any]]:
    """Return the audit entries of ``action`` at or after ``since`` (of ``actor`` if given),
    oldest first. Uses the ``at`` index, so a short window is cheap on a long log."""
    stmt = (select(web_audit).where(web_audit.c.action == action, web_audit.c.at >= since)
            .order_by(web_audit.c.id))
    if actor is not None:
        stmt = stmt.where(web_audit.c.actor == actor)
    return [dict(r._mapping) for r in conn.execute(stmt)]


class AccountsRepository(Repository):
    """Queries of accounts (units, users, sessions, tokens, web audit)."""

    def add_unit(self, name: str, parent: str | None, now: datetime) -> bool:
        """Add unit ``name``; False when it exists (see :func:`add_unit`)."""
        with self._write() as conn:
            return add_unit(conn, name, parent, now)

    def units(self) -> list[dict[str, Any]]:
        """Return every unit ``{"name", "parent", "created_at"}`` by name."""
        with self._read() as conn:
            return list_units(conn)

    def add_user(self, name: str, password_hash: str, role: str, unit: str | None,
                 now: datetime) -> int:
        """Insert a user and return its id; raises BadInput as :func:`add_user`."""
        with self._write() as conn:
            return add_user(conn, name, password_hash, role, unit, now)

    def update_user(self, name: str, changes: Mapping[str, Any]) -> None:
        """Change fields of user ``name``; raises BadInput as :func:`update_user`."""
        with self._write() as conn:
            update_user(conn, name, changes)

    def users(self) -> list[dict[str, Any]]:
        """Return every user (no password hash), by name."""
        with self._read() as conn:
            return list_users(conn)

    def user_for_login(self, name: str) -> dict[str, Any] | None:
        """Return the active user ``name`` with its ``password_hash``, or None."""
        with self._read() as conn:
            return user_for_login(conn, name)

    def create_session(self, id_hash: str, user_id: int, csrf: str, now: datetime,
                       expires_at: datetime) -> None:
        """Store a session (id already hashed) with its CSRF token; drop expired ones."""
        with self._write() as conn:
            create_session(conn, id_hash, user_id, csrf, now, expires_at)

    def session_user(self, id_hash: str, now: datetime) -> dict[str, Any] | None:
        """Return the active user of an unexpired session plus its ``csrf``, or None."""
        with self._read() as conn:
            return session_user(conn, id_hash, now)

    def end_session(self, id_hash: str) -> None:
        """Delete a session (log out)."""
        with self._write() as conn:
            end_session(conn, id_hash)

    def add_token(self, token_hash: str, user_id: int, label: str, now: datetime) -> None:
        """Store an API token (hashed) acting as user ``user_id``."""
        with self._write() as conn:
            add_token(conn, token_hash, user_id, label, now)

    def token_user(self, token_hash: str) -> dict[str, Any] | None:
        """Return the active user of an API token, or None."""
        with self._read() as conn:
            return token_user(conn, token_hash)

    def audit(self, actor: str, action: str, target: str | None, data: Mapping[str, Any],
              now: datetime, address: str | None = None) -> None:
        """Append one entry to the web audit log (``address``: the client's IP address)."""
        with self._write() as conn:
            audit(conn, actor, action, target, data, now, address)

    def read_audit(self, limit: int = 100, action: str | None = None,
                   actor: str | None = None, before: int | None = None) -> list[dict[str, Any]]:
        """Return the newest ``limit`` audit entries (filters as :func:`read_audit`)."""
        with self._read() as conn:
            return read_audit(conn, limit, action, actor, before)

    def audit_since(self, action: str, since: datetime,
                    actor: str | None = None) -> list[dict[str, Any]]:
        """Return the audit entries of ``action`` at or after ``since`` (of ``actor`` if
        given), oldest first (see :func:`audit_since`)."""
        with self._read() as conn:
            return audit_since(conn, action, since, actor)
