"""F20.11 (docs/FIELD_CASES.md): times with their offset, one style everywhere.

Alert text wrote ``2023-11-15 06:13 +0800``, reports ``2023-11-15 06:13`` and
pages ``11-15 06:13``. Expected: ``2023-11-15 06:13 (+08:00)`` in alerts
(body, storm summary, test message), reports (generated time, quoted posts)
and pages, from one function (time_range.local_time).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from report_items import make

from yuqing.alerts.render import alert_body
from yuqing.config import Config
from yuqing.reports.formats import render
from yuqing.reports.model import Report
from yuqing.time_range import local_time
from yuqing.web.render import Pages, web_dir

AT = datetime(2023, 11, 14, 22, 13, 5, tzinfo=UTC)
SHOWN = "2023-11-15 06:13 (+08:00)"


def test_the_one_format() -> None:
    assert local_time(AT, "Asia/Shanghai") == SHOWN
    assert local_time(AT, "America/St_Johns") == "2023-11-14 18:43 (-03:30)"


def test_alert_body() -> None:
    item = make("weibo:1", "燃气泄漏", 0.0, published_at=AT)
    body = alert_body(item, tz="Asia/Shanghai")
    assert f"时间：{SHOWN}" in body and "+0800" not in body


def test_report_generated_time() -> None:
    report = Report(kind="daily", title="日报", organisation="机构", period_label="近1日",
                    since=AT, until=AT, generated_at=AT, tz="Asia/Shanghai")
    assert f"生成时间：{SHOWN}" in render(report, "html").decode("utf-8")


def test_pages_show_the_same() -> None:
    pages = Pages(Config())
    env = pages.templates.env
    assert env.from_string("{{ t|localtime }}").render(t=AT) == SHOWN
    assert env.from_string("{{ t|localtime }}").render(t=AT.isoformat()) == SHOWN
    templates = Path(web_dir("templates"))
    uses = [m for f in templates.glob("*.html")
            for m in re.findall(r"\|\s*localtime[^ }|]*", f.read_text(encoding="utf-8"))]
    assert uses and set(uses) == {"|localtime"}  # no page picks a format of its own
