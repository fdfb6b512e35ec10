"""One authorisation rule per route, declared next to the route, and the viewer it yields.

Every route of the app names exactly one :class:`Rule` as a dependency
(``dependencies=[Depends(rules.ADMIN)]`` in its decorator, or a parameter
``viewer: Viewer = Depends(rules.UNIT)`` when the handler needs the viewer);
tests/web/test_access.py walks the app's own route list and fails for a
route that names none or two. The rules:

- ``OPEN``: no check of ours; the login gate (web/auth.py) lets anyone in
  (the login page, signed acknowledgement links);
- ``PUSH``: ``POST /api/items``: the push token or a logged-in user who may write;
- ``SHARED``: any logged-in user; the data belongs to no unit (collected
  posts, events, sources, rules, the caller's own account);
- ``UNIT``: any logged-in user; the answer holds only the viewer's units: the
  cases their units own, the alerts delivered over their units' channels
  (``[[cases.units]] channels``; a unit the config does not list has no
  channels of its own and sees every alert), counts of those only;
- ``CASE_READ`` / ``CASE_WRITE``: the case in the path (``case_id``, or the
  case of ``petition_id``): read when one of the viewer's units owns or
  assists it, changed only by the owner unit or an assisting unit; a read is
  written to the case's log and to the audit log;
- ``ADMIN``: admins only.

Units form a tree (cases/units.py): a viewer's units are their own unit and
every unit under it, so a parent reads its children's cases but does not
act on them, and siblings see nothing of each other. An admin and a user
without a unit see every unit (``Viewer.units`` None).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from yuqing.cases.people import CASE_ROLES
from yuqing.cases.units import units_under
from yuqing.runtime.context import Context


@dataclass(frozen=True)
class Viewer:
    """Who reads: the acting ``user`` (``{"id", "name", "role", "unit"}``), the ``units``
    whose data they see and the alert ``channels`` of those units (None: every one)."""

    user: dict[str, Any]
    units: frozenset[str] | None
    channels: frozenset[str] | None

    @property
    def name(self) -> str:
        """Return the user's name."""
        return str(self.user["name"])

    def reads_case(self, owner: str, assisting: set[str]) -> bool:
        """Return whether the viewer may read a case of ``owner`` assisted by ``assisting``."""
        return self.units is None or owner in self.units or bool(assisting & self.units)

    def acts_on_case(self, owner: str, assisting: set[str]) -> bool:
        """Return whether the viewer may change such a case: their own unit owns or assists
        it (a parent unit reads its children's cases only)."""
        unit = self.user.get("unit")
        return self.units is None or owner == unit or unit in assisting


def viewer_of(ctx: Context, user: dict[str, Any]) -> Viewer:
    """Return the Viewer of ``user``: an admin or a user without a unit sees every unit; a
    unit's user sees the unit and the units under it (config and stored units, UnitTree),
    and the alerts of those units' configured channels (every alert when none of them is
    in ``[[cases.units]]``)."""
    unit = user.get("unit")
    if user["role"] == "admin" or not unit:
        return Viewer(user, None, None)
    units = units_under(ctx.config.cases.units, ctx.store, str(unit))
    configured = [u for u in ctx.config.cases.units if u.name in units]
    channels = frozenset(c for u in configured for c in u.channels) if configured else None
    return Viewer(user, units, channels)


def _user(request: Request) -> dict[str, Any]:
    user: dict[str, Any] | None = getattr(request.state, "user", None)
    if user is None:
        raise HTTPException(401, "login required")
    return user


class Rule:
    """A route's authorisation rule, used as its FastAPI dependency; calling it checks the
    request and returns the Viewer (None for ``OPEN``). Raises HTTPException 401 without
    a login, 403 for a role or unit the rule refuses, 404 for a case that does not exist."""

    def __init__(self, name: str, doc: str, *, login: bool = True, push: bool = False,
                 admin: bool = False, case: str | None = None) -> None:
        self.name = name
        self.doc = doc
        self.login = login
        self.push = push
        self.admin = admin
        self.case = case

    def __repr__(self) -> str:
        return f"Rule({self.name})"

    async def __call__(self, request: Request) -> Viewer | None:
        """Check ``request`` against the rule (see the class docstring)."""
        if not self.login:
            return None
        user = _user(request)
        if user["role"] == "push" and not self.push:
            raise HTTPException(403, "the push token may only push items")
        if self.admin and user["role"] != "admin":
            raise HTTPException(403, "only an admin may do this")
        ctx: Context = request.app.state.ctx
        viewer = await run_in_threadpool(viewer_of, ctx, user)
        request.state.viewer = viewer
        if self.case is not None:
            await run_in_threadpool(self._check_case, request, ctx, viewer)
        return viewer

    def _check_case(self, request: Request, ctx: Context, viewer: Viewer) -> None:
        case_id = _case_in_path(request, ctx)
        if case_id is None:
            return
        check_case(ctx, viewer, case_id, write=self.case == "write",
                   path=request.url.path if request.method == "GET" else None)


def _case_in_path(request: Request, ctx: Context) -> int | None:
    """Return the case id the path names (``case_id``, or the case of ``petition_id``);
    raises 422 for an id that is not a whole number; None when nothing names a case."""
    params = request.path_params
    for key in ("case_id", "petition_id"):
        raw = params.get(key)
        if raw is None:
            continue
        if not str(raw).isdigit():
            raise HTTPException(422, f"{key.replace('_', ' ')} {raw!r}: expected a whole number")
        if key == "case_id":
            return int(raw)
        petition = ctx.store.petitions.get(int(raw))
        return None if petition is None else petition.case_id
    return None


def check_case(ctx: Context, viewer: Viewer, case_id: int, *, write: bool,
               path: str | None) -> None:
    """Raise HTTPException 403 unless ``viewer`` may read (``write`` False) or change case
    ``case_id``; a read (``path`` given) is written to the case's log as ``view``. A case
    that does not exist passes (the route answers 404)."""
    with ctx.store.transaction() as tx:
        scope = tx.cases.view_scope(case_id)
        if scope is None:
            return
        owner, assisting = scope
        allowed = (viewer.acts_on_case if write else viewer.reads_case)(owner, assisting)
        if not allowed:
            raise HTTPException(403, f"case {case_id} belongs to another unit")
        if path is not None:
            tx.cases.append_log({"case_id": case_id, "at": datetime.now(UTC),
                                 "actor": viewer.name,
                                 "role": CASE_ROLES.get(viewer.user["role"], ""),
                                 "action": "view", "from_state": None, "to_state": None,
                                 "note": None, "data": {"path": path}})


OPEN = Rule("open", "anyone the login gate lets in", login=False)
PUSH = Rule("push", "the push token or a logged-in user who may write", push=True)
SHARED = Rule("shared", "any logged-in user; data of no unit")
UNIT = Rule("unit", "any logged-in user; the answer holds only the viewer's units")
CASE_READ = Rule("case-read", "the case is owned or assisted by one of the viewer's units",
                 case="read")
CASE_WRITE = Rule("case-write", "the case is owned or assisted by the viewer's own unit",
                  case="write")
ADMIN = Rule("admin", "admins only", admin=True)
RULES = (OPEN, PUSH, SHARED, UNIT, CASE_READ, CASE_WRITE, ADMIN)


def rules_of(dependencies: list[Any]) -> list[Rule]:
    """Return the Rules among a route's dependants (``route.dependant.dependencies``)."""
    return [d.call for d in dependencies if isinstance(d.call, Rule)]


def viewer(request: Request) -> Viewer:
    """Return the Viewer the route's rule set; raises HTTPException 401 when none did."""
    found: Viewer | None = getattr(request.state, "viewer", None)
    if found is None:
        raise HTTPException(401, "login required")
    return found


def client_address(request: Request) -> str:
    """Return the client's IP address as the server saw it ("" when unknown)."""
    return request.client.host if request.client else ""


def audit(request: Request, action: str, target: str | None,
          data: dict[str, Any] | None = None) -> None:
    """Append to the web audit log who (the request's user), when (now), from where (the
    client address) and what (``action`` on ``target``, ``data``)."""
    user = _user(request)
    request.app.state.accounts.audit(str(user["name"]), action, target, data or {},
                                     address=client_address(request))
