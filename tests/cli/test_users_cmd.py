"""`yuqing user add|list|token` end to end (subprocess, SQLite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from yuqing.store import open_store
from yuqing.web.accounts import Accounts

YUQING = str(Path(sys.executable).with_name("yuqing"))


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([YUQING, *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def test_user_add_list_and_token(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'u.db'}"
    added = run("user", "add", "root", "--role", "admin", "--unit", "市网信办",
                "--password-stdin", "--db", db, "--json", stdin="long-password\n")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"id": 1, "name": "root", "role": "admin",
                                        "unit": "市网信办"}
    again = run("user", "add", "root", "--password-stdin", "--db", db, stdin="long-password\n")
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = run("user", "add", "x", "--role", "boss", "--password-stdin", "--db", db,
              stdin="long-password\n")
    assert bad.returncode == 2 and "role 'boss'" in bad.stderr
    typo = run("user", "add", "x", "--role", "admni", "--password-stdin", "--db", db,
               stdin="long-password\n")
    assert typo.returncode == 2 and "did you mean 'admin'?" in typo.stderr
    asked = run("user", "add", "x", "--role", "admni", "--db", db)  # no terminal, no stdin
    assert asked.returncode == 2 and "did you mean 'admin'?" in asked.stderr  # before a prompt
    listed = json.loads(run("user", "list", "--db", db, "--json").stdout)
    assert [(u["name"], u["role"], u["unit"]) for u in listed] == [("root", "admin", "市网信办")]
    token = run("user", "token", "root", "--db", db).stdout.strip()
    with open_store(db) as store:
        accounts = Accounts(store)
        assert accounts.token_user(token)["name"] == "root"
        assert accounts.login("root", "long-password") is not None
        assert accounts.login("root", "wrong-password") is None


def test_user_add_takes_the_addresses_case_notices_reach(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'u.db'}"
    added = run("user", "add", "li", "--role", "handler", "--unit", "区网信办",
                "--email", "li@example.cn", "--phone", "13800000001", "--wecom", "LiSi",
                "--password-stdin", "--db", db, "--json", stdin="long-password\n")
    assert added.returncode == 0, added.stderr
    bare = run("user", "add", "wang", "--email", "wang@example.cn", "--password-stdin",
               "--db", db, stdin="long-password\n")
    assert bare.returncode == 0, bare.stderr
    listed = {u["name"]: u for u in json.loads(run("user", "list", "--db", db, "--json").stdout)}
    assert [listed["li"][k] for k in ("email", "phone", "wecom")] == [
        "li@example.cn", "13800000001", "LiSi"]
    assert [listed["wang"][k] for k in ("email", "phone", "wecom")] == [
        "wang@example.cn", None, None]
