"""One list of people (cases/people.py): web accounts are the case users, and
``[[cases.users]]`` creates accounts; on both backends, through the CLI and the web."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_auth import api_headers

from yuqing.cli import app
from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.accounts import Accounts
from yuqing.web.app import create_app

CONFIG = {"timezone": "Asia/Shanghai",
          "cases": {"units": [{"name": "东区"}],
                    "users": [{"name": "老李", "unit": "东区", "roles": ["leader", "handler"],
                               "phone": "13800000000", "wecom": "lili"}]}}


def test_config_users_become_accounts_and_accounts_act_on_cases(store_url: str) -> None:
    ctx = Context(config=parse_config(CONFIG), database_url=store_url)
    try:
        [lili] = [u for u in ctx.store.accounts.users() if u["name"] == "老李"]
        assert (lili["role"], lili["unit"], lili["phone"], lili["wecom"]) == (
            "leader", "东区", "13800000000", "lili")
        assert Accounts(ctx.store).login("老李", "!") is None  # no password until one is set
        han = api_headers(ctx.store, "ua", "handler", "东区")
        with TestClient(create_app(ctx)) as client:
            opened = client.post("/api/cases", headers=han, json={
                "actor": "ua", "role": "handler", "unit": "东区", "title": "路灯不亮"})
            assert opened.status_code == 201, opened.text
            case_id = opened.json()["id"]
            moved = client.post(f"/api/cases/{case_id}/moves", headers=han, json={
                "actor": "ua", "role": "handler", "state": "verified", "note": "核实",
                "handling_class": 2})
            assert moved.status_code == 200, moved.text  # not "not a configured case user"
    finally:
        ctx.close()


def test_case_open_as_a_web_account(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'y.db'}"
    config = tmp_path / "yuqing.toml"
    config.write_text('timezone = "Asia/Shanghai"\n[[cases.users]]\nname = "老李"\n'
                      'unit = "东区"\nroles = ["leader"]\n', encoding="utf-8")
    ctx = Context(config=parse_config({}), database_url=db)
    Accounts(ctx.store).add_user("alice", "test-password-1", "handler", "东区")
    ctx.close()
    runner = CliRunner()
    done = runner.invoke(app, ["case", "open", "路灯不亮", "--unit", "东区", "--as", "alice",
                               "--config", str(config), "--db", db, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["state"] == "collected"
    refused = runner.invoke(app, ["case", "open", "x", "--unit", "东区", "--as", "alice",
                                  "--role", "leader", "--config", str(config), "--db", db])
    assert refused.exit_code == 2 and "does not have the role" in " ".join(
        refused.output.split())
    stranger = runner.invoke(app, ["case", "open", "x", "--unit", "东区", "--as", "bob",
                                   "--config", str(config), "--db", db])
    assert stranger.exit_code == 2
