"""Queries of the alert_rules table (store/alert_rules_tables.py).

A rule row is returned as ``{"id", "name", "scheme", "body", "enabled",
"origin", "updated_at", "updated_by", "version"}`` with ``body`` the rule as
a dict (config.RuleConfig fields) and ``updated_at`` aware UTC. Callers
validate bodies before writing (alerts/rule_check.py); these functions only
store them. Every function takes a connection of ``Store.write()`` or
``Store.read()``; callers outside store/ use them as methods of ``store.alerts``
(:class:`AlertRuleQueries`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from yuqing.store import accounts as _accounts
from yuqing.store.alert_rules_tables import alert_rules
from yuqing.store.repository import Repository

ORIGINS = ("config", "web")
#: ``updated_by`` of rows written from the config file at start-up
CONFIG_ACTOR = "config"

Row = dict[str, Any]
Signature = frozenset[tuple[str, int, datetime]]


def _scheme(body: Mapping[str, Any]) -> str | None:
    schemes = body.get("schemes") or []
    return str(schemes[0]) if schemes else None


def list_rules(conn: Connection) -> list[Row]:
    """Return every rule row, ordered by first scheme (all-scheme rules first), then name."""
    rows = conn.execute(select(alert_rules)).mappings().all()
    return sorted((dict(r) for r in rows), key=lambda r: (r["scheme"] or "", r["name"]))


def get_rule(conn: Connection, name: str) -> Row | None:
    """Return the row of rule ``name``, or None."""
    row = conn.execute(select(alert_rules).where(alert_rules.c.name == name)).mappings().first()
    return dict(row) if row else None


def signature(conn: Connection) -> Signature:
    """Return ``{(name, version, updated_at)}`` of every row: it changes with every
    insert, update and delete, and costs one small query (alerts/rulebook.py polls it)."""
    rows = conn.execute(select(alert_rules.c.name, alert_rules.c.version,
                               alert_rules.c.updated_at)).all()
    return frozenset((r.name, r.version, r.updated_at) for r in rows)


def insert_rule(conn: Connection, body: Mapping[str, Any], *, enabled: bool, origin: str,
                by: str, now: datetime) -> None:
    """Insert a rule named ``body["name"]`` at version 1 (caller checks the name is free;
    a taken name raises sqlalchemy's IntegrityError)."""
    conn.execute(alert_rules.insert().values(
        name=body["name"], scheme=_scheme(body), body=dict(body), enabled=enabled,
        origin=origin, updated_at=now, updated_by=by, version=1))


def update_rule(conn: Connection, name: str, body: Mapping[str, Any], *, enabled: bool,
                origin: str, by: str, now: datetime, expect_version: int | None = None) -> bool:
    """Replace rule ``name`` (body, enabled, origin) and add one to its version.

    With ``expect_version`` the row changes only while it still has that
    version (optimistic locking). Returns whether a row changed.
    """
    stmt = alert_rules.update().where(alert_rules.c.name == name)
    if expect_version is not None:
        stmt = stmt.where(alert_rules.c.version == expect_version)
    done = conn.execute(stmt.values(
        scheme=_scheme(body), body=dict(body), enabled=enabled, origin=origin,
        updated_at=now, updated_by=by, version=alert_rules.c.version + 1))
    return bool(done.rowcount)


def delete_rule(conn: Connection, name: str) -> bool:
    """Delete rule ``name``; return whether it existed."""
    return bool(conn.execute(alert_rules.delete().where(alert_rules.c.name == name)).rowcount)


def seed_config_rules(conn: Connection, bodies: Sequence[Mapping[str, Any]],
                      now: datetime) -> dict[str, list[str]]:
    """Make the rows of origin ``config`` match the config file's rules ``bodies``.

    A rule not stored is inserted; a stored ``config`` rule whose body differs
    (or that is disabled) is replaced; a rule of origin ``web`` is left as it
    is (an edit on the web wins over the file); a ``config`` rule no longer
    in ``bodies`` is deleted. Returns ``{"added", "changed", "kept_web",
    "removed"}`` (rule names).
    """
    stored = {r["name"]: r for r in list_rules(conn)}
    out: dict[str, list[str]] = {"added": [], "changed": [], "kept_web": [], "removed": []}
    names = set()
    for body in bodies:
        name = str(body["name"])
        names.add(name)
        row = stored.get(name)
        if row is None:
            insert_rule(conn, body, enabled=True, origin="config", by=CONFIG_ACTOR, now=now)
            out["added"].append(name)
        elif row["origin"] != "config":
            out["kept_web"].append(name)
        elif row["body"] != dict(body) or not row["enabled"]:
            update_rule(conn, name, body, enabled=True, origin="config", by=CONFIG_ACTOR,
                        now=now, expect_version=row["version"])
            out["changed"].append(name)
    for name, row in stored.items():
        if row["origin"] == "config" and name not in names:
            delete_rule(conn, name)
            out["removed"].append(name)
    return out


class AlertRuleQueries(Repository):
    """The queries above as repository methods (inherited by store.alerts.AlertsRepository),
    with the web audit entry of a rule edit."""

    def list_rules(self) -> list[dict[str, Any]]:
        """Return every stored rule row (store/alertpy shape), by scheme then name."""
        with self._read() as conn:
            return list_rules(conn)

    def get_rule(self, name: str) -> dict[str, Any] | None:
        """Return the stored row of rule ``name``, or None."""
        with self._read() as conn:
            return get_rule(conn, name)

    def rule_signature(self) -> Signature:
        """Return ``{(name, version, updated_at)}`` of every rule: it changes with every edit."""
        with self._read() as conn:
            return signature(conn)

    def insert_rule(self, body: Mapping[str, Any], *, enabled: bool, origin: str, by: str,
                    now: datetime) -> None:
        """Insert rule ``body["name"]`` at version 1 (the caller checks the name is free)."""
        with self._write() as conn:
            insert_rule(conn, body, enabled=enabled, origin=origin, by=by, now=now)

    def update_rule(self, name: str, body: Mapping[str, Any], *, enabled: bool, origin: str,
                    by: str, now: datetime, expect_version: int | None = None) -> bool:
        """Replace rule ``name`` and add one to its version; with ``expect_version`` only
        while it still has that version. Return whether a row changed."""
        with self._write() as conn:
            return update_rule(conn, name, body, enabled=enabled, origin=origin, by=by,
                                      now=now, expect_version=expect_version)

    def delete_rule(self, name: str) -> bool:
        """Delete rule ``name``; return whether it existed."""
        with self._write() as conn:
            return delete_rule(conn, name)

    def audit_rule(self, actor: str, name: str, data: Mapping[str, Any], now: datetime,
                   address: str | None = None) -> None:
        """Append a ``setting`` entry about rule ``name`` to the web audit log (``address``:
        the client's IP address)."""
        with self._write() as conn:
            _accounts.audit(conn, actor, "setting", f"alert_rule:{name}", data, now, address)

    def seed_config_rules(self, bodies: Sequence[Mapping[str, Any]],
                          now: datetime) -> dict[str, list[str]]:
        """Make the stored ``config`` rules match ``bodies`` (see alertseed_config_rules)
        in one transaction; return the names added, changed, kept as the web left them and
        removed. Two processes starting at once may insert the same name: the loser's
        transaction is tried once more. Call it on the Store, not inside a transaction."""
        try:
            with self._write() as conn:
                return seed_config_rules(conn, bodies, now)
        except IntegrityError:
            pass
        with self._write() as conn:
            return seed_config_rules(conn, bodies, now)
