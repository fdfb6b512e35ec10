"""F20.12 (docs/FIELD_CASES.md): the only active admin cannot lock everyone out.

``PATCH /api/web/users/{name}`` with ``{"active": false}`` (or a role other
than admin) on the only active admin was accepted; every request then answered
401. Expected: refused (400 naming the user) in the API and exit 2 in the CLI
(``yuqing user set``), the admin still works; once a second admin exists, the
same change passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_auth import TEST_PASSWORD

from yuqing.cli import app
from yuqing.config import Config
from yuqing.runtime.context import Context
from yuqing.web.accounts import Accounts
from yuqing.web.app import create_app


@pytest.fixture
def ctx(store_url: str) -> Iterator[Context]:
    context = Context(config=Config(), database_url=store_url)
    Accounts(context.store).add_user("root", TEST_PASSWORD, "admin")
    Accounts(context.store).add_user("ana", TEST_PASSWORD, "analyst")
    yield context
    context.close()


@pytest.mark.parametrize("change", [{"active": False}, {"role": "analyst"}])
def test_the_api_refuses_to_drop_the_last_admin(ctx: Context, change: dict[str, object]) -> None:
    root = {"Authorization": f"Bearer {Accounts(ctx.store).new_token('root')}"}
    with TestClient(create_app(ctx)) as client:
        refused = client.patch("/api/web/users/root", headers=root, json=change)
        assert refused.status_code == 400 and "only active admin" in refused.json()["detail"]
        assert client.get("/api/web/users", headers=root).status_code == 200
        assert client.patch("/api/web/users/ana", headers=root,
                            json={"role": "admin"}).status_code == 200
        assert client.patch("/api/web/users/root", headers=root, json=change).status_code == 200
    roles = {u["name"]: (u["role"], u["active"]) for u in Accounts(ctx.store).users()}
    assert roles["ana"] == ("admin", True)


def test_the_cli_refuses_it_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'y.db'}"

    def user(*args: str) -> tuple[int, str]:
        done = CliRunner().invoke(app, ["user", *args, "--db", url])
        return done.exit_code, done.stderr

    with_password = CliRunner().invoke(app, ["user", "add", "root", "--role", "admin",
                                             "--password-stdin", "--db", url],
                                       input=TEST_PASSWORD + "\n")
    assert with_password.exit_code == 0, with_password.stderr
    code, err = user("set", "root", "--inactive")
    assert code == 2 and "only active admin" in err
    code, err = user("set", "root", "--role", "leader")
    assert code == 2 and "only active admin" in err
    CliRunner().invoke(app, ["user", "add", "second", "--role", "admin", "--password-stdin",
                             "--db", url], input=TEST_PASSWORD + "\n")
    assert user("set", "root", "--inactive")[0] == 0
    listed = CliRunner().invoke(app, ["user", "list", "--db", url, "--json"])
    assert '"name": "root"' in listed.stdout and '"active": false' in listed.stdout
