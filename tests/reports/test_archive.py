"""Stored reports and their evidence (store.reports via reports/archive.py), both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from report_items import DAY

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.reports.archive import report_digest, save_report
from yuqing.reports.build import build_period_report
from yuqing.reports.model import text_hash
from yuqing.reports.text import quote_of
from yuqing.store import Store

NOW = datetime(2024, 3, 6, 0, 30, tzinfo=UTC)


def test_evidence_rows_check_against_the_store(filled: Store, extractor: KeywordExtractor) -> None:
    report = build_period_report(filled, "daily", day=DAY, now=NOW, extractor=extractor)
    report_id = save_report(filled, report, now=NOW)
    assert report_id is not None
    stored = filled.reports.stored()
    evidence = filled.reports.evidence(report_id)
    assert stored[0]["kind"] == "daily" and stored[0]["digest"] == report_digest(report)
    assert [e["ref"] for e in evidence] == [p.ref for p in report.posts]
    for row in evidence:  # a reader re-derives each quote from the stored item and checks it
        item = filled.get_item(row["item_key"])
        assert item is not None and row["role"] == "typical_post"
        assert text_hash(quote_of(item.text, 160)) == row["text_hash"]


def test_a_schedule_stores_a_period_once(filled: Store, extractor: KeywordExtractor) -> None:
    report = build_period_report(filled, "daily", day=DAY, now=NOW, extractor=extractor)
    assert save_report(filled, report, schedule="早报", now=NOW) is not None
    assert save_report(filled, report, schedule="早报", now=NOW) is None
    assert save_report(filled, report, schedule="晚报", now=NOW) is not None
    assert save_report(filled, report, now=NOW) is not None  # by hand: always stored
    assert len(filled.reports.stored()) == 3
    assert filled.reports.scheduled_exists("早报", report.since)
    assert not filled.reports.scheduled_exists("午报", report.since)


def test_digest_changes_with_content(filled: Store, extractor: KeywordExtractor) -> None:
    a = build_period_report(filled, "daily", day=DAY, now=NOW, extractor=extractor)
    b = build_period_report(filled, "daily", day=DAY, now=NOW, extractor=extractor)
    assert report_digest(a) == report_digest(b)
    b.summary = ["改过的综述"]
    assert report_digest(a) != report_digest(b)
