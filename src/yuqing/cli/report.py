"""`yuqing report KIND`: write a briefing as HTML, PDF, DOCX or XLSX and store its evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    reading_context,
    user_errors,
)
from yuqing.domain import BadInput


def report_format(fmt: str | None, out: Path | None, formats: tuple[str, ...]) -> str:
    """Return the format to write: ``fmt``, else the one ``out``'s extension names, else pdf.

    Raises BadInput naming the option when ``fmt`` is not one of ``formats``, when
    ``out``'s extension is a format other than ``fmt``, or when ``out``'s folder does
    not exist.
    """
    if fmt is not None and fmt not in formats:
        raise BadInput(f"--format {fmt!r}: expected one of {', '.join(formats)}")
    if out is None:
        return fmt or "pdf"
    if not out.parent.is_dir():
        raise BadInput(f"--out {out}: the folder {out.parent} does not exist")
    suffix = out.suffix.lower().lstrip(".")
    named = "html" if suffix == "htm" else suffix
    if named in formats:
        if fmt is not None and fmt != named:
            raise BadInput(f"--out {out}: the extension .{suffix} contradicts --format {fmt} "
                           f"(use --out ….{fmt}, or --format {named})")
        return named
    return fmt or "pdf"


def report(
    kind: Annotated[str, typer.Argument(help="daily, weekly, monthly, special or review")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="a day in the period: YYYY-MM-DD, today or yesterday (office zone); "
                      "default: the last complete period"
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="html, pdf, docx or xlsx; default: from the --out extension, else pdf"
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="file to write; default ./<kind>-<date>.<format>")
    ] = None,
    scheme: Annotated[str | None, typer.Option(help="only this monitoring scheme")] = None,
    event: Annotated[str | None, typer.Option(help="the event of a special report")] = None,
    case: Annotated[int | None, typer.Option(help="the case of a review report")] = None,
    first: Annotated[str | None, typer.Option(
        "--from", help="special report on a date range: its first day (YYYY-MM-DD)")] = None,
    last: Annotated[str | None, typer.Option(
        "--to", help="special report on a date range: its last day (default: --from)")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="zh or en; default: the config's language")] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a report (日报/周报/月报/专报/处置总结) and record the items it quotes.

    The format is ``--format``, else the extension of ``--out`` when it is one of the
    formats (``.htm`` = html), else pdf. Exit 2 before any work when ``--out``'s extension
    names another format than ``--format`` or its folder does not exist.
    """
    from yuqing.reports.archive import save_report
    from yuqing.reports.formats import FORMATS, render
    from yuqing.reports.make import make_report
    from yuqing.reports.periods import parse_date

    with user_errors():
        fmt = report_format(fmt, out, FORMATS)
        ctx = reading_context(config, db)
        day = parse_date(date, ctx.config.timezone) if date else None
        try:
            made = make_report(ctx.store, ctx.config, kind, day=day, scheme=scheme, event=event,
                               case=case, first=parse_date(first) if first else None,
                               last=parse_date(last) if last else None, lang=lang)
            data = render(made, fmt)
            report_id = save_report(ctx.store, made, fmt=fmt, content=data, created_by="cli")
        finally:
            ctx.close()
        start = made.since.astimezone(ZoneInfo(made.tz)).date().isoformat()
        path = out or Path(f"{kind}-{start}.{fmt}")
        path.write_bytes(data)
    doc = {"path": str(path), "kind": kind, "format": fmt, "bytes": len(data),
           "report_id": report_id, "title": made.title, "period": made.period_label,
           "zero": made.zero, "posts": [{"ref": p.ref, "key": p.key, "sha256": p.quote_hash}
                                        for p in made.posts]}
    if json_out:
        emit_json(doc)
    else:
        console.print(f"已生成 wrote {path} ({len(data)} bytes): {made.title} {made.period_label}"
                      + ("（零报告）" if made.zero else ""))
