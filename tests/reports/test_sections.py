"""Tests of yuqing.reports.sections: the numerals and table order both writers share."""

from __future__ import annotations

from yuqing.reports.sections import LEAD_TABLES, section_numerals


def test_section_numerals_are_indexed_by_section_number() -> None:
    numerals = section_numerals()
    assert numerals[:3] == ["〇、", "一、", "二、"] and section_numerals("en")[2] == "2. "
    assert numerals[10:13] == ["十、", "十一、", "十二、"] and numerals[19] == "十九、"


def test_lead_tables_start_with_the_event_overview() -> None:
    assert LEAD_TABLES[0] == "事件概况" and len(set(LEAD_TABLES)) == len(LEAD_TABLES)
