"""Web accounts over the store: argon2 passwords, sessions with CSRF tokens, API tokens, audit.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher defaults,
RFC 9106 low-memory profile). Session ids and API tokens are 32 random
bytes (``secrets.token_urlsafe``); only their SHA-256 digests are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yuqing.domain import BadInput
from yuqing.store import Store
from yuqing.store.accounts import AccountsRepository

SESSION_HOURS = 12.0
#: failed-login throttle (our rule, well inside NIST SP 800-63B 5.2.2, which asks for no more
#: than 100 consecutive failures on one account): within LOCK_WINDOW, at most
#: MAX_FAILURES_PER_ACCOUNT failures for one name from one address since its last good login,
#: and MAX_FAILURES_PER_ADDRESS failures from one address over all names
LOCK_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
_HASHER = PasswordHasher()
MIN_PASSWORD = 8


class LoginThrottled(BadInput):
    """Raised by :meth:`Accounts.login` while too many recent failures lock the attempt.

    ``until`` (aware UTC datetime) is when the oldest counted failure leaves the window.
    """

    def __init__(self, name: str, address: str, until: datetime) -> None:
        super().__init__(f"login {name!r} from {address or 'unknown address'}: too many failed "
                         f"logins; try again after {until:%H:%M} UTC")
        self.until = until


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest under which ``secret`` is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``; raises BadInput when it is shorter than 8."""
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"password: at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Accounts:
    """Users, units, sessions, tokens and the web audit log of one store."""

    def __init__(self, store: Store, session_hours: float = SESSION_HOURS) -> None:
        self.store = store
        self.session_hours = session_hours

    def add_unit(self, name: str, parent: str | None = None) -> bool:
        """Add a unit; return False when it already exists."""
        return self.store.accounts.add_unit(name, parent, datetime.now(UTC))

    def add_user(self, name: str, password: str, role: str, unit: str | None = None,
                 addresses: Mapping[str, str] | None = None) -> int:
        """Add a user (its unit is created when missing) with the ``addresses`` case notices
        reach them at (``{"email", "phone", "wecom"}``, any of them), in one transaction;
        return its id.

        Raises BadInput for a short password, an unknown role or address field, or a taken
        name.
        """
        hashed = hash_password(password)
        with self.store.transaction() as tx:
            if unit:
                tx.accounts.add_unit(unit, None, datetime.now(UTC))
            user_id = tx.accounts.add_user(name, hashed, role, unit, datetime.now(UTC))
            if addresses:
                tx.accounts.update_user(name, dict(addresses))
            return user_id

    def update_user(self, name: str, changes: Mapping[str, Any]) -> None:
        """Change a user's role, unit, active flag or ``password`` (hashed here)."""
        fields = dict(changes)
        if "password" in fields:
            fields["password_hash"] = hash_password(str(fields.pop("password")))
        self.store.accounts.update_user(name, fields)

    def login(self, name: str, password: str,
              address: str = "") -> tuple[str, dict[str, Any]] | None:
        """Return ``(session id, user with csrf)`` for good credentials, else None.

        ``address`` is the client's IP address. A failure is written to the audit log
        (``login_failed``); raises LoginThrottled, before the password is even checked,
        while the throttle described at LOCK_WINDOW holds for ``name`` or ``address``.
        """
        now = datetime.now(UTC)
        with self.store.snapshot() as tx:
            self._check_throttle(tx.accounts, name, address, now)
            user = tx.accounts.user_for_login(name)
        if user is None or not check_password(user.pop("password_hash"), password):
            self.store.accounts.audit(name, "login_failed", None, {"address": address}, now,
                                      address)
            return None
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.store.transaction() as tx:
            tx.accounts.create_session(digest(sid), user["id"], csrf, now,
                                       now + timedelta(hours=self.session_hours))
            tx.accounts.audit(name, "login", None, {}, now, address)
        return sid, {**user, "csrf": csrf}

    @staticmethod
    def _check_throttle(repo: AccountsRepository, name: str, address: str,
                        now: datetime) -> None:
        """Raise LoginThrottled when ``name``@``address`` or ``address`` is locked at ``now``."""
        since = now - LOCK_WINDOW
        last_good = [e["at"] for e in repo.audit_since("login", since, actor=name)]
        failures = repo.audit_since("login_failed", max([since, *last_good]), actor=name)
        mine = [e["at"] for e in failures if e["data"].get("address") == address]
        if len(mine) >= MAX_FAILURES_PER_ACCOUNT:
            raise LoginThrottled(name, address, mine[-MAX_FAILURES_PER_ACCOUNT] + LOCK_WINDOW)
        if address:
            everywhere = [e["at"] for e in repo.audit_since("login_failed", since)
                          if e["data"].get("address") == address]
            if len(everywhere) >= MAX_FAILURES_PER_ADDRESS:
                raise LoginThrottled(name, address,
                                     everywhere[-MAX_FAILURES_PER_ADDRESS] + LOCK_WINDOW)

    def logout(self, sid: str) -> None:
        """End the session ``sid``."""
        self.store.accounts.end_session(digest(sid))

    def session_user(self, sid: str) -> dict[str, Any] | None:
        """Return the user (with ``csrf``) of a live session, or None."""
        return self.store.accounts.session_user(digest(sid), datetime.now(UTC))

    def new_token(self, name: str, label: str = "api") -> str:
        """Create and return an API token acting as user ``name`` (shown once)."""
        token = secrets.token_urlsafe(32)
        with self.store.transaction() as tx:
            user = tx.accounts.user_for_login(name)
            if user is None:
                raise BadInput(f"user {name!r}: no such active user")
            tx.accounts.add_token(digest(token), user["id"], label, datetime.now(UTC))
        return token

    def token_user(self, token: str) -> dict[str, Any] | None:
        """Return the user of an API token, or None."""
        return self.store.accounts.token_user(digest(token))

    def audit(self, actor: str, action: str, target: str | None = None,
              data: Mapping[str, Any] | None = None, address: str | None = None) -> None:
        """Append an entry to the web audit log: who, now, from ``address``, what."""
        self.store.accounts.audit(actor, action, target, data or {}, datetime.now(UTC), address)

    def read_audit(self, limit: int = 100, action: str | None = None,
                   actor: str | None = None, before: int | None = None) -> list[dict[str, Any]]:
        """Return the newest audit entries (of ``action``, of ``actor``, below id ``before``)."""
        return self.store.accounts.read_audit(limit, action, actor, before)

    def users(self) -> list[dict[str, Any]]:
        """Return every user (no hashes)."""
        return self.store.accounts.users()

    def units(self) -> list[dict[str, Any]]:
        """Return every unit."""
        return self.store.accounts.units()
