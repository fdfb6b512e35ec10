"""`yuqing config export|import`: the live settings as a config file (runtime/live_settings.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli.common import ConfigOpt, DbOpt, JsonOpt, console, emit_json, fail, user_errors

config_app = typer.Typer(help="The live settings (edited on the web) as a config file.",
                         no_args_is_help=True)


@config_app.command("export")
def export(
    out: Annotated[Path | None, typer.Option("--out", help="write to FILE (never "
                                             "overwritten) instead of stdout")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Write the settings in force (the config file with the sections kept in the database:
    schemes, sources, lexicons, alert channels, units, people) as TOML."""
    from yuqing.runtime.context import make_context
    from yuqing.runtime.live_settings import export_toml

    if out is not None and out.exists():
        raise fail(f"--out {out}: the file exists; choose another name")
    with user_errors():
        ctx = make_context(config, db)
        try:
            text, version = export_toml(ctx.live), ctx.live.version
        finally:
            ctx.close()
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"已导出设置版本 {version} exported settings version {version} to {out}")


@config_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="a config file (TOML) to take the sections of")],
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Validate the sections of FILE (schemes, sources, lexicons, alert channels, units,
    people) with the running config, as `yuqing check` does, and make them the settings in
    force: every running `yuqing run`/`serve` takes them without a restart."""
    from yuqing.runtime.context import make_context
    from yuqing.runtime.live_settings import import_toml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{path}: cannot be read ({exc})") from None
    with user_errors():
        ctx = make_context(config, db)
        try:
            version = import_toml(ctx.live, text, name=str(path), actor="import")
        finally:
            ctx.close()
    if json_out:
        emit_json({"version": version, "file": str(path)})
    else:
        console.print(f"已导入为设置版本 {version} imported as settings version {version}")
