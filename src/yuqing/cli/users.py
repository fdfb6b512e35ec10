"""`yuqing user add|set|list|token`: web accounts (the first admin is made here)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from yuqing.cli.common import ConfigOpt, DbOpt, JsonOpt, console, emit_json, fail, user_errors
from yuqing.store.accounts import check_role
from yuqing.web.accounts import Accounts

user_app = typer.Typer(help="Web accounts: users, roles, units, API tokens.", no_args_is_help=True)

RoleOpt = Annotated[str, typer.Option(help="admin, analyst, handler or leader (read-only)")]


def read_password(from_stdin: bool) -> str:
    """Return the new password: one line of stdin, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码 password: ")
    if getpass.getpass("再次输入 again: ") != first:
        raise fail("the two passwords differ")
    return first


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="login name")],
    role: RoleOpt = "analyst",
    unit: Annotated[str | None, typer.Option(help="the user's unit (created if missing)")] = None,
    email: Annotated[str | None, typer.Option(help="e-mail address case notices reach")] = None,
    phone: Annotated[str | None, typer.Option(help="phone number case notices reach")] = None,
    wecom: Annotated[str | None, typer.Option(help="WeCom (企业微信) user id")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create a web user (argon2-hashed password) with the addresses case notices reach
    them at (the fields of POST /api/web/users); `--role admin` for the first admin."""
    from yuqing.runtime.context import make_context

    addresses = {k: v for k, v in (("email", email), ("phone", phone), ("wecom", wecom))
                 if v is not None}
    with user_errors():
        check_role(name, role)  # before asking for a password
    password = read_password(password_stdin)
    with user_errors():
        ctx = make_context(config, db)
        try:
            user_id = Accounts(ctx.store).add_user(name, password, role, unit, addresses)
        finally:
            ctx.close()
    if json_out:
        emit_json({"id": user_id, "name": name, "role": role, "unit": unit})
    else:
        console.print(f"已创建用户 created user {name} ({role}{', ' + unit if unit else ''})")


@user_app.command("set")
def set_user(
    name: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str | None, typer.Option(help="admin, analyst, handler or leader")] = None,
    unit: Annotated[str | None, typer.Option(help="the user's unit")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive",
                                                help="allow or refuse the user's logins")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Change a web user's role, unit or active flag (exit 2 for a change that would leave
    no active admin)."""
    from yuqing.runtime.context import make_context

    changes = {k: v for k, v in (("role", role), ("unit", unit), ("active", active))
               if v is not None}
    with user_errors():
        if not changes:
            raise fail("give --role, --unit, --active or --inactive")
        ctx = make_context(config, db)
        try:
            Accounts(ctx.store).update_user(name, changes)
        finally:
            ctx.close()
    if json_out:
        emit_json({"name": name, "changed": sorted(changes)})
    else:
        console.print(f"已修改用户 changed user {name}: {', '.join(sorted(changes))}")


@user_app.command("list")
def list_users(config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """List web users: name, role, unit, active."""
    from yuqing.runtime.context import make_context

    with user_errors():
        ctx = make_context(config, db)
        users = Accounts(ctx.store).users()
        ctx.close()
    if json_out:
        emit_json([{**u, "created_at": u["created_at"].isoformat()} for u in users])
        return
    for u in users:
        active = "active" if u["active"] else "inactive"
        console.print(f"{u['name']}\t{u['role']}\t{u['unit'] or '-'}\t{active}")


@user_app.command("token")
def token(name: Annotated[str, typer.Argument(help="user the token acts as")],
          label: Annotated[str, typer.Option(help="what the token is for")] = "api",
          config: ConfigOpt = None, db: DbOpt = None) -> None:
    """Create an API token for NAME and print it once (use: Authorization: Bearer TOKEN)."""
    from yuqing.runtime.context import make_context

    with user_errors():
        ctx = make_context(config, db)
        try:
            print(Accounts(ctx.store).new_token(name, label))
        finally:
            ctx.close()
