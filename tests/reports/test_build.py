"""Content of period reports built from the hand-written day (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from report_items import CANTEEN, DAY, GAS

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.domain import BadInput
from yuqing.reports.build import ReportOptions, build_period_report, item_link
from yuqing.reports.model import text_hash
from yuqing.reports.periods import default_date, period_of
from yuqing.store import Store

NOW = datetime(2024, 3, 6, 0, 30, tzinfo=UTC)
LATER = datetime(2024, 4, 1, tzinfo=UTC)


def test_a_period_that_has_not_started_is_refused(filled: Store) -> None:
    with pytest.raises(BadInput, match="has not started"):
        build_period_report(filled, "daily", day=date(2024, 3, 20), now=NOW)


def test_daily_figures_summary_and_posts(filled: Store, extractor: KeywordExtractor) -> None:
    r = build_period_report(filled, "daily", day=DAY, now=NOW, extractor=extractor)
    assert not r.zero and r.title == "舆情日报" and r.period_label == "2024年3月5日"
    figures = {f.label: f.value for f in r.figures}
    assert (
        figures["信息总量"] == "6条"
        and figures["负面信息"] == "3条"
        and figures["涉敏信息"] == "2条"
    )
    assert "共监测到相关信息6条，环比上升500.0%" in r.summary[0]
    assert "负面信息3条，占50.0%" in r.summary[0]
    # most engaged negative originals first; the near-duplicate repost is never quoted
    assert [p.key for p in r.posts[:2]] == ["weibo:1", "weibo:2"]
    assert "weibo:5" not in {p.key for p in r.posts}
    first = r.posts[0]
    assert first.quote == GAS and first.quote_hash == text_hash(GAS)
    assert first.link == "http://127.0.0.1:8000/api/items/weibo%3A1" and first.url
    assert r.posts[1].quote == CANTEEN and r.posts[1].published == "2024-03-05 11:30 (+08:00)"


def test_daily_charts_tables_and_suggestions(filled: Store, extractor: KeywordExtractor) -> None:
    r = build_period_report(filled, "daily", day=DAY, now=NOW, extractor=extractor)
    assert {c.name for c in r.charts} == {"trend", "sentiment", "media", "provinces", "keywords"}
    assert all(c.png.startswith(b"\x89PNG") for c in r.charts)
    trend = r.table("信息量趋势")
    assert trend is not None and len(trend.rows) == 24
    geo = r.table("地域分布")
    assert geo is not None and ["广东", "省份", 2] in geo.rows
    assert any("负面信息占比50.0%" in s for s in r.suggestions)
    assert any("涉敏信息2条" in s for s in r.suggestions)


def test_control_characters_never_reach_a_quote(filled: Store, extractor: KeywordExtractor) -> None:
    r = build_period_report(filled, "daily", day=DAY, now=NOW, extractor=extractor,
                            options=ReportOptions(typical_posts=6))
    night = next(p for p in r.posts if p.key == "weibo:6")
    assert night.quote == "夜间测试控制字符的帖子，燃气公司回应"


def test_zero_report(filled: Store) -> None:
    r = build_period_report(filled, "daily", day=date(2024, 3, 20), now=LATER)
    assert r.zero and not r.posts and not r.charts
    assert r.summary == ["经监测，2024年3月20日全部监测范围内未发现相关舆情信息，特此零报告。"]
    assert {f.label: f.value for f in r.figures}["信息总量"] == "0条"


def test_scheme_zero_report(filled: Store) -> None:
    r = build_period_report(filled, "daily", day=DAY, scheme="无此方案", now=NOW)
    assert r.zero and "“无此方案”监测方案未发现" in r.summary[0]


def test_weekly_and_monthly_periods(filled: Store, extractor: KeywordExtractor) -> None:
    week = build_period_report(filled, "weekly", day=DAY, now=LATER, extractor=extractor)
    assert week.period_label == "2024年3月4日至3月10日"
    assert {f.label: f.value for f in week.figures}["信息总量"] == "7条"
    assert len(week.table("信息量趋势").rows) == 7  # type: ignore[union-attr]
    # the same week made on Wednesday morning: its days so far, nothing after the moment
    early = build_period_report(filled, "weekly", day=DAY, now=NOW, extractor=extractor)
    assert early.period_label == "2024年3月4日至3月10日（截至03-06 08:30）"
    assert len(early.table("信息量趋势").rows) == 3  # type: ignore[union-attr]
    month = period_of("monthly", DAY, "Asia/Shanghai")
    assert month.label == "2024年3月" and month.since == datetime(2024, 2, 29, 16, tzinfo=UTC)
    new_year = period_of("weekly", date(2019, 1, 2), "Asia/Shanghai")
    assert new_year.label == "2018年12月31日至2019年1月6日"


def test_default_dates() -> None:
    now = datetime(2024, 3, 6, 1, tzinfo=UTC)  # 09:00 in Shanghai
    assert default_date("daily", now, "Asia/Shanghai") == date(2024, 3, 5)
    assert default_date("monthly", now, "Asia/Shanghai") == date(2024, 2, 29)


def test_bad_kind() -> None:
    with pytest.raises(BadInput, match="report kind 'yearly'"):
        period_of("yearly", DAY, "Asia/Shanghai")


def test_item_link_quotes_the_key() -> None:
    assert item_link("http://x/", "url:https://a.b/c?d=1") == "http://x/api/items/url%3Ahttps%3A%2F%2Fa.b%2Fc%3Fd%3D1"
