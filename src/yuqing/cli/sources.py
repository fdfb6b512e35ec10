"""`yuqing sources`: every configured source and its health (sources/health.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from yuqing.cli.common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    console,
    emit_json,
    reading_context,
    user_errors,
)
from yuqing.sources.health import STATUS_LABELS, age_parts, health_rows


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    n, unit = age_parts(seconds)
    return f"{n} {unit}"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def _status(row: dict[str, Any]) -> str:
    status = STATUS_LABELS.get(row["status"], row["status"])
    return status if row["enabled"] else f"已停用 ({status})"


def sources(config: ConfigOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """List every configured source with its health: status, freshness lag, failure rate
    over 24 h, items per poll, last error.

    ``--json`` prints ``{"sources": [row]}``, one row per configured source in config
    order (docs/INTERFACES.md, "yuqing sources --json").
    """
    with user_errors():
        ctx = reading_context(config, db)
        rows = health_rows(ctx.config.sources, ctx.store.list_source_states(),
                           datetime.now(UTC))
        ctx.close()
    if json_out:
        emit_json({"sources": rows})
        return
    table = Table(title=f"信源 sources ({len(rows)})")
    for col in ("信源 source", "类型 kind", "状态 status", "最新内容距今 freshness",
                "24 小时失败率 failures", "每次条数 items/poll", "最近错误 last error"):
        table.add_column(col, overflow="fold")
    for r in rows:
        per_poll = "—" if r["items_per_poll"] is None else f"{r['items_per_poll']:g}"
        error = r["last_error"]["message"] if r["last_error"] else ""
        table.add_row(r["name"], r["kind"], _status(r), _age(r["freshness_lag_s"]),
                      _percent(r["failure_rate_24h"]), per_poll, error)
    console.print(table)
