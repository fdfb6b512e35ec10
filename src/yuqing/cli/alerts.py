"""`yuqing alerts`: list alerts with their deliveries; `yuqing alerts test CHANNEL`;
`yuqing alerts resend ID…`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from yuqing.alerts.channels import build_channels
from yuqing.alerts.channels.options import display_options, model_of
from yuqing.alerts.dispatcher import Dispatcher
from yuqing.alerts.outbox import Resent
from yuqing.alerts.render import messages
from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    reading_context,
    user_errors,
)
from yuqing.domain import Alert, BadInput
from yuqing.runtime.context import make_context
from yuqing.time_range import local_time

alerts_app = typer.Typer(help="预警 alerts: list them with their deliveries, test a channel, or "
                              "resend failed deliveries.",
                         invoke_without_command=True)

LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="how many, newest first")]


@alerts_app.callback()
def alerts(ctx: typer.Context, config: ConfigOpt = None, db: DbOpt = None, limit: LimitOpt = 50,
           json_out: JsonOpt = False) -> None:
    """List the newest alerts with each delivery (channel, status, attempts, last error);
    ``held`` is ``"storm"`` for an alert the storm cap kept from its channels, else null."""
    if ctx.invoked_subcommand is not None:
        return
    from yuqing.web.alerts_api import delivery_summary, history_json

    with user_errors():
        context = reading_context(config, db)
        rows = history_json(context.store.alerts.history(limit), context.config.timezone)
        context.close()
    if json_out:
        emit_json({"alerts": rows})
        return
    if not rows:
        console.print("没有预警 no alerts", highlight=False)
    for r in rows:
        console.print(f"{r['created_at'][:16]} [{r['level']}] {r['title']}  → "
                      f"{delivery_summary(r)}", highlight=False, markup=False)


@alerts_app.command("test")
def test_channel(channel: Annotated[str, typer.Argument(help="a channel name from the config")],
                 config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Send a test message over CHANNEL now (not through the outbox); exit 1 when it fails.

    ``--db`` is accepted like everywhere else; the test message touches no database.
    """
    with user_errors():
        context = make_context(config, db)
        cfg = context.config
        channels = build_channels(cfg.alerts.channels, context.channels)
        if channel not in channels:
            raise BadInput(f"alert channel {channel!r} is not configured; configured: "
                           f"{', '.join(sorted(channels))}")
        m = messages(cfg.language)
        now = datetime.now(UTC)
        alert = Alert(rule="test", dedup_key=f"test:{now.isoformat()}", title=m["test_title"],
                      body=m["test_body"].format(time=local_time(now, cfg.timezone)),
                      item_keys=[], created_at=now, level="IV", channels=[channel])
        result = Dispatcher(channels, max_attempts=1).deliver([alert])[alert.dedup_key][channel]
    spec = next((c for c in cfg.alerts.channels if c.name == channel), None)
    shown = display_options(model_of(channels[channel]), spec.model_extra or {}) if spec else {}
    where = str(shown.get("url") or "")
    doc = {"channel": channel, "kind": channels[channel].kind, "target": where,
           "ok": result.ok, "error": result.error, "retryable": result.retryable}
    if json_out:
        emit_json(doc)
    else:
        console.print(f"{channel} ({doc['kind']}) {where}: " + ("已发送 sent" if result.ok else
                      f"失败 failed: {result.error}"), highlight=False, markup=False)
    if not result.ok:
        raise typer.Exit(1)


@alerts_app.command("resend")
def resend(ids: Annotated[list[int], typer.Argument(help="alert ids (`yuqing alerts --json`)")],
           config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Send again, now, the deliveries of alerts ID… that failed for good, over their
    channels, and say per ID what happened (alerts/outbox.py OutboxDispatcher.resend).

    An ID that does not exist or has no failed delivery is named with the reason and the
    others still go. Exit 2 when an ID was refused, else 1 when a delivery failed again,
    else 0. ``--json``: ``{"alerts": [{"id", "resent": [channel], "ok", "refused",
    "deliveries": [{"channel", "status", "attempts", "last_error"}]}]}``.
    """
    from yuqing.alerts.outbox import build_dispatcher
    from yuqing.alerts.rulebook import RuleBook

    with user_errors():
        context = reading_context(config, db)
        rules = RuleBook(context.config, context.store).rules
        dispatcher = build_dispatcher(context.config, context.store, rules, context.channels)
        done = dispatcher.resend(ids)
        context.close()
    if json_out:
        emit_json({"alerts": [{"id": r.alert_id, "resent": r.channels, "ok": r.ok,
                               "refused": r.refused, "deliveries": r.deliveries}
                              for r in done]})
    else:
        for r in done:
            _show_resent(r)
    if any(r.refused is not None for r in done):
        raise typer.Exit(2)
    if not all(r.ok for r in done):
        raise typer.Exit(1)


def _show_resent(r: Resent) -> None:
    """Print one line per resent delivery of ``r`` (or why it was refused)."""
    if r.refused is not None:
        console.print(f"#{r.alert_id}: 未重发 not resent: {r.refused}", markup=False)
    for d in (d for d in r.deliveries if d["channel"] in r.channels):
        outcome = ("已发送 sent" if d["status"] == "sent" else
                   f"未送达 not delivered ({d['status']}): {d['last_error']}")
        console.print(f"#{r.alert_id} → {d['channel']}: {outcome}", markup=False)
