"""Tests of cases/stats.py on both backends: counts, on-time rates, stage hours,
petition rates, and the daily report with zero reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from yuqing.cases.inputs import PetitionInput
from yuqing.cases.intake import add_petition
from yuqing.cases.service import CaseService
from yuqing.cases.stats import case_stats, daily_report
from yuqing.config import parse_config
from yuqing.domain import Contact
from yuqing.store import Store

START = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)  # Mon 09:00 Shanghai
CONFIG = {
    "cases": {
        "units": [
            {"name": "甲办", "level": "county"},
            {"name": "乙办", "level": "city"},
            {"name": "丙办", "level": "county"},
        ]
    }
}
WHO = {"actor": "a", "role": "handler"}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def test_stats_and_daily_report(store: Store) -> None:
    clock = Clock()
    svc = CaseService(store, parse_config(CONFIG), clock=clock)
    fast = svc.open_case("快", unit="甲办", suggested_class=1, **WHO)
    slow = svc.open_case("慢", unit="甲办", suggested_class=2, **WHO)
    dropped = svc.open_case("不是我们的", unit="乙办", channel="phone", **WHO)
    clock.now += timedelta(hours=2)
    svc.move(fast, "verified", note="核实", **WHO)
    clock.now += timedelta(hours=2)
    svc.move(fast, "reported", **WHO)          # 4 h: first response on time
    svc.move(dropped, "rejected", note="外地事项", **WHO)
    clock.now += timedelta(hours=4)
    svc.move(slow, "verified", note="核实", **WHO)
    svc.move(slow, "reported", **WHO)          # 8 h: first response late
    clock.now = START + timedelta(days=2)      # formal answer (24 h) overdue for both
    zhang = Contact("张三", "13800000000").as_row()
    add_petition(svc, PetitionInput(channel="letter", subject="城关镇拖欠工程款", unit="乙办",
                                    accused="城关镇政府", contact=zhang), **WHO)
    add_petition(svc, PetitionInput(channel="web", subject="城关镇还是拖欠工程款没有给",
                                    unit="乙办", accused="城关镇政府", contact=zhang), **WHO)
    doc = case_stats(svc)
    assert doc["cases"] == 4
    assert doc["by_class"] == {"1": 1, "2": 1, "none": 2}
    assert doc["by_unit"] == {"甲办": 2, "乙办": 2}
    assert doc["by_channel"] == {"online": 2, "phone": 1, "letter": 1}
    assert doc["by_state"] == {"reported": 2, "rejected": 1, "collected": 1}
    assert doc["on_time"]["first_response"] == {"met_on_time": 1, "met_late": 1, "overdue": 0,
                                                "pending": 1, "on_time_rate": 0.5}
    assert doc["on_time"]["formal_answer"] == {"met_on_time": 0, "met_late": 0, "overdue": 2,
                                               "pending": 1, "on_time_rate": 0.0}
    assert doc["avg_stage_hours"] == {"collected": 4.67, "verified": 1.0}
    assert (doc["petitions"], doc["repeats"], doc["cross_level"]) == (2, 1, 2)
    assert (doc["repeat_rate"], doc["cross_level_rate"]) == (0.5, 1.0)

    report = daily_report(svc, date(2024, 3, 4))
    units = {u["unit"]: u for u in report["units"]}
    assert report["date"] == "2024-03-04"
    assert (units["甲办"]["opened"], units["甲办"]["zero_report"]) == (2, False)
    assert units["丙办"]["zero_report"] is True and units["丙办"]["cases"] == []
    assert "零报告" in units["丙办"]["text"]
    later = daily_report(svc, date(2024, 3, 6))
    assert {u["unit"]: u["opened"] for u in later["units"]} == {"甲办": 0, "乙办": 1, "丙办": 0}
