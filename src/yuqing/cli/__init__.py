"""The `yuqing` command (Typer + rich). Each command lives in a small module."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli.alerts import alerts_app
from yuqing.cli.analyze import analyze
from yuqing.cli.backup import backup, restore, retention
from yuqing.cli.cases import case_app, cases_app
from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    console,
    emit_json,
    fail,
    print_fields,
    user_errors,
    warn,
)
from yuqing.cli.demo import demo
from yuqing.cli.evaluate import eval_alerts, eval_handling_class, eval_incidents, eval_sentiment
from yuqing.cli.events import eval_events, event, events
from yuqing.cli.ingest import ingest
from yuqing.cli.items import items
from yuqing.cli.mcp import mcp
from yuqing.cli.petition import deadline, eval_petitions, petition_app
from yuqing.cli.rejections import rejections
from yuqing.cli.report import report
from yuqing.cli.run import run, serve
from yuqing.cli.scaleout import scheduler, worker
from yuqing.cli.settings import config_app
from yuqing.cli.sources import sources
from yuqing.cli.stats import stats
from yuqing.cli.train import train_app
from yuqing.cli.users import user_app
from yuqing.domain import BadInput

app = typer.Typer(
    help="Yuqing 舆情: online public-opinion monitoring and response.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(analyze)
app.command()(demo)
app.command()(ingest)
app.command()(items)
app.command()(rejections)
app.command()(events)
app.command()(event)
app.command()(run)
app.command()(serve)
app.command()(mcp)
app.command()(sources)
app.command()(worker)
app.command()(scheduler)
app.command()(stats)
app.command()(report)
app.command()(backup)
app.command()(restore)
app.command()(retention)
app.add_typer(train_app, name="train")
app.add_typer(user_app, name="user")
app.add_typer(config_app, name="config")
app.add_typer(alerts_app, name="alerts")
app.add_typer(case_app, name="case")
app.add_typer(cases_app, name="cases")
app.add_typer(petition_app, name="petition")
app.command()(deadline)
eval_app = typer.Typer(help="Measure the quality of an analysis against labelled data.",
                       no_args_is_help=True)
app.add_typer(eval_app, name="eval")
eval_app.command("petitions")(eval_petitions)
eval_app.command("events")(eval_events)
eval_app.command("sentiment")(eval_sentiment)
eval_app.command("handling-class")(eval_handling_class)
eval_app.command("incidents")(eval_incidents)
eval_app.command("alerts")(eval_alerts)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="where to write the example config")] = Path(
        "yuqing.toml"
    ),
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Write a commented example config (sources, schemes, lexicons, alerts)."""
    if path.exists() and not force:
        raise fail(f"{path}: already exists (use --force to overwrite)")
    text = (resources.files("yuqing") / "data" / "example.toml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    console.print(f"已写入 wrote {path}")


@app.command()
def check(config: ConfigOpt = None, db: DbOpt = None,
          json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Load the config, build every source, stage and channel, and report what would run.

    ``database_url``, ``broker_url`` (passwords masked), ``timezone`` and ``language`` are
    the resolved settings (flag >
    ``YUQING_<NAME>`` > config file > default); ``rules`` are the enabled alert rules as
    the store holds them (the config's, with web edits winning); ``rules_skipped`` names
    stored rules this config cannot serve; ``warnings`` what may be a mistake (a file
    source's glob that matches no file yet). The folder of an enabled file source's
    ``path`` that does not exist is an error (exit 2 naming the source and the path).
    """
    from yuqing.runtime.checks import channel_problems, source_path_problems
    from yuqing.runtime.context import make_context
    from yuqing.sources.http import HttpFetcher
    from yuqing.sources.poll import prepare
    from yuqing.sources.registry import create_sources
    from yuqing.store.engine import masked_url

    with user_errors():
        ctx = make_context(config, db)
        prepare(create_sources(ctx.sources, ctx.config.sources), HttpFetcher())
        path_errors, warnings = source_path_problems(ctx.config)
        warnings += channel_problems(ctx.config, ctx.channels)[1]
        if path_errors:
            raise BadInput(f"{ctx.config.origin}: {'; '.join(path_errors)}")
        pipe = ctx.pipeline
        doc = {"database_url": masked_url(ctx.database_url),
               "broker_url": masked_url(ctx.broker_url), "timezone": ctx.config.timezone,
               "language": ctx.config.language,
               "stages": [s.name for s in pipe.built.stages], "skipped": pipe.skipped,
               "schemes": [s.name for s in ctx.config.schemes],
               "sources": [s.name for s in ctx.config.sources if s.enabled],
               "rules": [r.name for r in pipe.rules],
               "rules_skipped": pipe.rulebook.problems if pipe.rulebook else {},
               "warnings": warnings}
        ctx.close()
    if json_out:
        emit_json(doc)
    else:
        print_fields(doc)
        for warning in warnings:
            warn(warning)
