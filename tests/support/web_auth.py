"""Log test clients in to the web app: a user with an API token (bearer header).

The web app (web/auth.py) refuses anonymous API calls; tests create a user
in the app's own store and send ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from yuqing.runtime.context import Context
from yuqing.store import Store
from yuqing.web.accounts import Accounts
from yuqing.web.auth import install_auth

TEST_PASSWORD = "test-password-1"


def api_headers(store: Store, name: str = "tester", role: str = "admin",
                unit: str | None = None) -> dict[str, str]:
    """Create user ``name`` (``role``, ``unit``) unless it exists; return bearer headers
    with a new API token acting as that user."""
    accounts = Accounts(store)
    if name not in {u["name"] for u in accounts.users()}:
        accounts.add_user(name, TEST_PASSWORD, role, unit)
    return {"Authorization": f"Bearer {accounts.new_token(name, 'test')}"}


def router_app(ctx: Context, router: APIRouter) -> FastAPI:
    """Return an app serving only ``router`` over ``ctx`` behind the app's login gate (the
    routes' rules, web/access.py, need the gate's user): call it with ``api_headers``."""
    app = FastAPI()
    app.state.ctx = ctx
    app.state.accounts = Accounts(ctx.store)
    install_auth(app, app.state.accounts, ctx.config.web)
    app.include_router(router)
    return app
