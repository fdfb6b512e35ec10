"""One list of people: the web accounts are the case users.

A web account (store ``users``: name, role, unit, active, e-mail, phone,
WeCom id) acts in the case workflow under the case role of its web role
(CASE_ROLES). ``[[cases.users]]`` of the config is a way to create accounts
(:func:`seed_accounts`, run when a process opens the store): an entry whose
name has no account gets one, without a usable password (an admin sets one,
`yuqing user` or the settings page); the roles it lists are the case roles
that person may take, on top of the account's own.
"""

from __future__ import annotations

from datetime import datetime

from yuqing.config import CaseUserConfig
from yuqing.domain import BadInput
from yuqing.store import Store

#: the role each web role acts as in the case workflow (cases/workflow.py ROLES)
CASE_ROLES = {"admin": "admin", "analyst": "monitor", "handler": "handler", "leader": "leader"}
WEB_ROLES = {case: web for web, case in CASE_ROLES.items()}
#: stored as the password hash of an account made from the config: no password matches it
NO_PASSWORD = "!"


def seed_accounts(store: Store, users: list[CaseUserConfig], now: datetime) -> list[str]:
    """Create the account of every ``[[cases.users]]`` entry without one (web role: that of
    its first case role; its unit created when missing; its addresses); return the names
    created. Raises BadInput for a case role with no web role."""
    have = {u["name"] for u in store.accounts.users()}
    made = []
    for person in users:
        if person.name in have:
            continue
        first = person.roles[0] if person.roles else "handler"
        if first not in WEB_ROLES:
            raise BadInput(f"[[cases.users]] {person.name!r}: role {first!r}, expected one of "
                           f"{', '.join(WEB_ROLES)}")
        with store.transaction() as tx:
            tx.accounts.add_unit(person.unit, None, now)
            tx.accounts.add_user(person.name, NO_PASSWORD, WEB_ROLES[first], person.unit, now)
            addresses = {k: v for k, v in (("email", person.email), ("phone", person.phone),
                                           ("wecom", person.wecom)) if v}
            if addresses:
                tx.accounts.update_user(person.name, addresses)
        made.append(person.name)
    return made


def case_roles(store: Store, users: list[CaseUserConfig], name: str) -> set[str] | None:
    """Return the case roles person ``name`` may take: their active account's and those
    ``[[cases.users]]`` lists for them; None when nobody of that name is known."""
    listed = {u.name: u for u in users}
    account = next((u for u in store.accounts.users() if u["name"] == name and u["active"]),
                   None)
    if account is None and name not in listed:
        return None
    roles = set(listed[name].roles) if name in listed else set()
    if account is not None:
        roles.add(CASE_ROLES[account["role"]])
    return roles
