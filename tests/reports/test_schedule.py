"""Scheduled reports over REAL local servers: e-mail with the file attached (aiosmtpd),
a webhook getting the summary and link (http.server), once per period across restarts."""

from __future__ import annotations

import email
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from email import policy
from pathlib import Path

import pytest
from alert_servers import HttpServer, SmtpServer, running_http_server, running_smtp_server
from pdf_tools import pdf_text

from yuqing.alerts.channels import build_channels, channel_registry, register_builtin_channels
from yuqing.config import Config, ReportScheduleConfig, parse_config
from yuqing.domain import BadInput
from yuqing.reports.schedule import ReportScheduler, check_schedule, last_fire
from yuqing.store import Store

TZ = "Asia/Shanghai"
# 2024-03-06 08:30 in Shanghai: the daily at 08:00 is due and covers 2024-03-05
AFTER_EIGHT = datetime(2024, 3, 6, 0, 30, tzinfo=UTC)
BEFORE_EIGHT = datetime(2024, 3, 5, 23, 30, tzinfo=UTC)


@dataclass
class Receivers:
    """The real local SMTP and HTTP servers a test's schedule sends to."""

    smtp: SmtpServer
    http: HttpServer


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    with running_smtp_server() as smtp, running_http_server() as http:
        yield Receivers(smtp, http)


def _scheduler(store: Store, config: Config) -> ReportScheduler:
    """The scheduler of ``config`` with its alert channels built from the built-in kinds."""
    channels = build_channels(config.alerts.channels, register_builtin_channels(channel_registry()))
    return ReportScheduler(store, config, channels)


def _config(tmp_path: Path, servers: Receivers, fmt: str = "pdf") -> Config:
    smtp, http = servers.smtp, servers.http
    return parse_config({
        "timezone": TZ,
        "alerts": {"channels": [
            {"name": "值班邮箱", "kind": "email", "host": smtp.host, "port": smtp.port,
             "from": "yuqing@example.cn", "to": ["duty@example.cn"]},
            {"name": "值班系统", "kind": "webhook", "url": f"{http.url}/ok",
             "allow_internal": True},
        ]},
        "reports": {"organisation": "测试办", "output_dir": "out", "schedules": [
            {"name": "早报", "kind": "daily", "at": "08:00", "format": fmt,
             "channels": ["值班邮箱", "值班系统"]}]},
    }, base_dir=tmp_path)


def test_daily_is_mailed_with_the_pdf_and_announced_by_webhook(
        filled: Store, tmp_path: Path, receivers: Receivers) -> None:
    smtp_server, http_server = receivers.smtp, receivers.http
    scheduler = _scheduler(filled, _config(tmp_path, receivers))
    assert scheduler.tick(BEFORE_EIGHT)[0].day.isoformat() == "2024-03-04"  # yesterday's, zero
    sent = scheduler.tick(AFTER_EIGHT)
    assert [(s.schedule, s.day.isoformat()) for s in sent] == [("早报", "2024-03-05")]
    assert all(r.ok for r in sent[0].results.values())
    assert sent[0].path == tmp_path / "out" / "早报-2024-03-05.pdf"
    msg = email.message_from_bytes(smtp_server.recorder.envelopes[-1].content,
                                   policy=policy.default)
    assert "舆情日报 2024年3月5日" in str(msg["Subject"])
    attachment = next(msg.iter_attachments())
    assert attachment.get_filename() == "早报-2024-03-05.pdf"
    text = "".join(pdf_text(attachment.get_content(), tmp_path).split())
    assert "共监测到相关信息6条" in text
    body = http_server.requests[-1]["body"].decode("utf-8")
    assert "共监测到相关信息6条" in body and "/api/reports/daily?date=2024-03-05&format=pdf" in body


def test_a_period_is_sent_once_across_restarts(filled: Store, tmp_path: Path,
                                               receivers: Receivers) -> None:
    config = _config(tmp_path, receivers, fmt="html")
    assert len(_scheduler(filled, config).tick(AFTER_EIGHT)) == 1
    again = _scheduler(filled, config)  # a restart: a new scheduler, the same store
    assert again.tick(AFTER_EIGHT) == [] and again.tick(AFTER_EIGHT) == []
    assert len(receivers.smtp.recorder.envelopes) == 1


def test_nothing_stored_when_no_channel_accepts(filled: Store, tmp_path: Path,
                                                receivers: Receivers) -> None:
    config = _config(tmp_path, receivers, fmt="xlsx")
    config.alerts.channels[0] = config.alerts.channels[0].model_copy(update={"port": 1})
    config.alerts.channels[1] = config.alerts.channels[1].model_copy(
        update={"url": f"{receivers.http.url}/bad"})
    scheduler = _scheduler(filled, config)
    assert scheduler.tick(AFTER_EIGHT) == []
    assert scheduler.tick(AFTER_EIGHT) == []  # waits RETRY_AFTER before trying again
    assert len(receivers.http.requests) == 1


def test_fire_times() -> None:
    weekly = ReportScheduleConfig(name="周报", kind="weekly", weekday=1)
    fire = last_fire(weekly, time(9), AFTER_EIGHT, TZ)  # Wed 2024-03-06 -> Mon 2024-03-04 09:00
    assert fire.isoformat() == "2024-03-04T09:00:00+08:00"
    monthly = ReportScheduleConfig(name="月报", kind="monthly", day=10)
    assert last_fire(monthly, time(8), AFTER_EIGHT, TZ).date().isoformat() == "2024-02-10"


def test_bad_schedules_are_named() -> None:
    channels = {"console": object()}
    with pytest.raises(BadInput, match="'坏' : kind 'yearly'|'坏': kind 'yearly'"):
        yearly = ReportScheduleConfig(name="坏", kind="yearly", channels=["console"])
        check_schedule(yearly, channels)  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="at '8点'"):
        check_schedule(ReportScheduleConfig(name="坏", at="8点", channels=["console"]), channels)  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="not alert channels"):
        check_schedule(ReportScheduleConfig(name="坏", channels=["群"]), channels)  # type: ignore[arg-type]
