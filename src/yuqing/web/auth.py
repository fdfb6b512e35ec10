"""Who may call what: the login gate, CSRF checks, role limits and the case-actor guard.

``install_auth(app, accounts, web)`` adds one ASGI middleware (AuthGate) to the app:

- public: ``/login``, ``/static/*``, ``/docs``, ``/openapi.json``, and the
  signed acknowledgement links ``/api/alerts/{id}/ack`` (alerts/ack.py);
- ``POST /api/items`` with the configured push token (header
  ``X-Push-Token``) acts as the built-in user ``push``;
- everything else needs a session cookie (``yq_session``) or an API token
  (``Authorization: Bearer ...``): JSON routes answer 401, pages redirect
  to ``/login``;
- a state-changing request (not GET/HEAD/OPTIONS) on a session must carry
  the session's CSRF token in ``X-CSRF-Token`` (or a ``csrf_token`` form
  field), the synchronizer-token pattern of the OWASP CSRF cheat sheet;
  bearer-token calls carry no cookie and need none;
- the role ``leader`` is read-only, except for case moves and actions,
  where the workflow (cases/workflow.py) decides what a leader may do.

``request.state.user`` is then the acting user ``{"id", "name", "role",
"unit", "csrf"?}``. ``case_guard`` (a router dependency for the cases API)
makes the body's ``actor``/``role`` the logged-in user's. What each route
lets whom see is the route's rule (web/access.py).
"""

from __future__ import annotations

import hmac
import re
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yuqing.cases.people import CASE_ROLES
from yuqing.config import WebConfig
from yuqing.web.accounts import Accounts
from yuqing.web.messages import wants_page

SESSION_COOKIE = "yq_session"
PUBLIC_PREFIXES = ("/login", "/static/", "/docs", "/openapi.json", "/favicon.ico")
_ACK = re.compile(r"^/api/alerts/\d+/ack$")
_LEADER_WRITES = re.compile(r"^/api/cases/\d+/(moves|actions)$|^/logout$")
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
PUSH_USER: dict[str, Any] = {"id": 0, "name": "push", "role": "push", "unit": None}


def _deny(request: Request, status: int, detail: str) -> Response:
    """Return a redirect to the login page for a browser asking a page without a session
    (:func:`~yuqing.web.messages.wants_page`), else a JSON refusal (API routes, and a
    script asking a page: 401 tells it to log in, where a redirect would hand it a form)."""
    if status != 401 or not wants_page(request):
        return JSONResponse({"detail": detail}, status_code=status)
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


async def _csrf_ok(request: Request, expected: str) -> bool:
    """Return whether the request carries ``expected`` as header or form field."""
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"):
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = form["csrf_token"][0] if form.get("csrf_token") else None
    return given is not None and hmac.compare_digest(given, expected)


async def identify(request: Request, accounts: Accounts) -> tuple[dict[str, Any] | None, bool]:
    """Return ``(user, via_session)`` from the bearer token or the session cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return await run_in_threadpool(accounts.token_user, auth[7:].strip()), False
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        return await run_in_threadpool(accounts.session_user, sid), True
    return None, False


def install_auth(app: FastAPI, accounts: Accounts, web: WebConfig) -> None:
    """Add the login gate described in the module docstring to ``app`` (as the outermost
    user middleware, where ``@app.middleware("http")`` would put it)."""
    app.add_middleware(AuthGate, accounts=accounts, web=web)


class AuthGate:
    """The login gate as a plain ASGI middleware.

    Not ``@app.middleware("http")`` (Starlette's BaseHTTPMiddleware): that one runs every
    request in an extra task with its own task group and body streams, about a third of
    the event loop's time per push request under the 200 items/s alert-latency benchmark
    (py-spy, benchmarks/alert_latency.py). Behaviour is the same: ``request.state.user``
    lives in ``scope["state"]``, which the app's own Request objects read; a form body
    read for its CSRF field is replayed to the app.
    """

    def __init__(self, app: ASGIApp, accounts: Accounts, web: WebConfig) -> None:
        self.app = app
        self.accounts = accounts
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI call: public paths and the push token pass; other requests need a
        login (401 otherwise) and, for writes, a CSRF token and a role that may write (403)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        path, method = request.url.path, request.method
        if path.startswith(PUBLIC_PREFIXES) or _ACK.match(path):
            await self.app(scope, receive, send)
            return
        push = request.headers.get("x-push-token")
        if (path == "/api/items" and method == "POST" and self.web.push_token and push
                and hmac.compare_digest(push, self.web.push_token)):
            request.state.user = PUSH_USER
            await self.app(scope, receive, send)
            return
        user, via_session = await identify(request, self.accounts)
        refusal: Response | None = None
        if user is None:
            refusal = _deny(request, 401, "login required: a session (POST /login) or "
                                          "'Authorization: Bearer <API token>'")
        elif method not in _SAFE:
            if via_session and not await _csrf_ok(request, user["csrf"]):
                refusal = _deny(request, 403, "CSRF token missing or wrong (X-CSRF-Token header)")
            elif user["role"] == "leader" and not _LEADER_WRITES.match(path):
                refusal = _deny(request, 403, "the leader role is read-only")
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        request.state.user = user
        await self.app(scope, _replaying(request, receive), send)


def _replaying(request: Request, receive: Receive) -> Receive:
    """Return ``receive``, or when the gate already read the body (a form's CSRF field),
    a receive that hands the app that body first."""
    body: bytes | None = getattr(request, "_body", None)
    if body is None:
        return receive
    pending = [body]

    async def replay() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replay


def current_user(request: Request) -> dict[str, Any]:
    """Return the acting user set by the gate (raises 401 when there is none)."""
    user: dict[str, Any] | None = getattr(request.state, "user", None)
    if user is None:
        raise HTTPException(401, "login required")
    return user


def require_admin(request: Request) -> dict[str, Any]:
    """Return the acting user; raises 403 unless they are an admin."""
    user = current_user(request)
    if user["role"] != "admin":
        raise HTTPException(403, "only an admin may change settings")
    return user


async def case_guard(request: Request) -> None:
    """Dependency of the cases API: the body's actor and role are the logged-in user's.

    Raises 403 when the body names another actor or role, or opens a case or petition
    for a unit that is not the user's own (an admin or a user without a unit may name
    any). Who may read or change which case is each route's rule (web/access.py).
    """
    user = current_user(request)
    if request.method != "POST" or user["role"] == "push":
        return
    try:
        body = await request.json()
    except ValueError:  # empty or not JSON: the route's own validation answers 422
        return
    if isinstance(body, dict):
        if body.get("actor") != user["name"] or body.get("role") != CASE_ROLES[user["role"]]:
            raise HTTPException(403, f"acting as {user['name']!r}: send actor={user['name']!r}"
                                     f" and role={CASE_ROLES[user['role']]!r}")
        own = user.get("unit")
        if ("unit" in body and user["role"] != "admin" and own and body["unit"] != own
                and not request.path_params.get("case_id")):
            raise HTTPException(403, f"your unit is {own!r}")
