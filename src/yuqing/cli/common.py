"""Options, output and error handling shared by the commands.

What a command answers goes to stdout: its human output through :data:`console`
(rich), or exactly one JSON document with ``--json``, so ``yuqing items | grep 医院``
works. Errors, warnings, progress bars and logs go to stderr (:data:`err`).
Exit codes: 0 success, 2 bad usage or bad input (the message names the input
and the problem), 1 any other failure.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from yuqing.config import env_name
from yuqing.domain import BadInput

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="配置文件 config file (TOML); default ./yuqing.toml"),
]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL, e.g. sqlite:///yuqing.db or postgresql+psycopg://…"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON document on stdout")]

#: a command's human output (stdout); into a pipe or file a line is never wrapped or folded,
#: so that ``grep`` finds a word of a table row
console = Console(soft_wrap=True, emoji=False,
                  width=None if sys.stdout.isatty() else 1000)
#: errors, warnings, progress bars and logs (stderr)
err = Console(stderr=True, soft_wrap=True, emoji=False)

#: the prefixes of an error and a warning in each language (``language`` setting)
PREFIXES = {"zh": {"error": "错误：", "warning": "警告："},
            "en": {"error": "error: ", "warning": "warning: "}}


def message_language() -> str:
    """Return the language of the command's messages: ``YUQING_LANGUAGE``, else the
    ``language`` of its config file (``--config``, else ./yuqing.toml, read for that key
    alone so that a config with mistakes still gets its language), else ``zh``; a value
    that is not a key of :data:`PREFIXES` counts as unset."""
    code = os.environ.get(env_name("language"))
    if code in PREFIXES:
        return code
    context = click.get_current_context(silent=True)
    path = (context.params.get("config") if context else None) or Path("yuqing.toml")
    try:
        code = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("language")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        code = None
    return code if isinstance(code, str) and code in PREFIXES else "zh"


def warn(message: str) -> None:
    """Print ``message`` as a warning on stderr, prefixed in the command's language."""
    prefix = PREFIXES[message_language()]["warning"]
    err.print(f"[yellow]{escape(prefix)}[/]{escape(message)}", highlight=False)


def emit_json(doc: Any) -> None:
    """Print ``doc`` as one JSON document on stdout (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def _plain(value: Any) -> str:
    """``value`` as text to read: ``-`` for None or empty, a list's entries and a table's
    ``key value`` pairs joined by commas."""
    if value is None or value in ("", [], {}):
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    return str(value)


def print_fields(doc: Mapping[str, Any]) -> None:
    """Print ``doc`` (a command's JSON answer) on stdout as ``key: value`` lines to read,
    never as a Python dict: a table's entries as ``key.sub: value`` lines."""
    for key, value in doc.items():
        rows = value.items() if isinstance(value, dict) and value else [(None, value)]
        for sub, v in rows:
            console.print(f"{key}{'' if sub is None else f'.{sub}'}: {_plain(v)}",
                          highlight=False, markup=False)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as an error on stderr, prefixed in the command's language
    (:func:`message_language`: ``错误：`` or ``error:``), and return the Exit to raise.

    The message is printed as written: text in square brackets such as a TOML table
    name (``[alerts.rules]``) is not taken for rich markup and dropped."""
    prefix = PREFIXES[message_language()]["error"]
    err.print(f"[bold red]{escape(prefix)}[/]{escape(message)}", highlight=False)
    return typer.Exit(code)


def reading_context(config: Path | None, db: str | None) -> Any:
    """Return the runtime Context (runtime.context.make_context) for a command that only
    reads the store (items, events, event, stats, alerts, rejections, report).

    Raises BadInput ``database file NAME does not exist (path resolved to /abs/path)``
    when the resolved URL names a SQLite file that is not there: opening it would
    create an empty database and show nothing. In-memory ``sqlite://`` and PostgreSQL
    are opened as they are; commands that create a store use make_context directly.
    """
    from yuqing.runtime.context import make_context
    from yuqing.store.engine import missing_sqlite_file

    ctx = make_context(config, db)
    missing = missing_sqlite_file(ctx.database_url)
    if missing is not None:
        name, path = missing
        raise BadInput(f"database file {name} does not exist (path resolved to {path}); "
                       f"check --db / YUQING_DATABASE_URL, or create it with yuqing ingest or run")
    return ctx


def check_scheme(scheme: str | None, config: Any) -> None:
    """Raise BadInput when ``scheme`` names no scheme of ``config`` (a Config) while the
    config defines some (``--scheme 'x': not a scheme of the config (a, b)``)."""
    known = [s.name for s in config.schemes]
    if scheme is not None and known and scheme not in known:
        raise BadInput(f"--scheme {scheme!r}: not a scheme of the config ({', '.join(known)})")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn BadInput (and unreadable files) into a clear message and exit code 2,
    any other error into a one-line message and exit code 1 (no traceback)."""
    try:
        yield
    except BadInput as exc:
        raise fail(str(exc)) from None
    except FileNotFoundError as exc:
        raise fail(f"{exc.filename}: no such file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise fail(f"{getattr(exc, 'filename', None) or 'input'}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - the user gets a message, not a traceback
        raise fail(f"{type(exc).__name__}: {exc}", code=1) from exc


@contextmanager
def progress_bar(
    description: str, total: int | None, *, enabled: bool = True
) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields ``advance(n)``. Silent when not enabled."""
    if not enabled:
        yield lambda n: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
