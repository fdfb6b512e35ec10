"""Tests of cases/service.py on both backends: one case of each handling class walked
through the whole workflow with the audit log checked at each step; roles, notes,
ownership, attachments, the append-only log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.domain import Alert, BadInput
from yuqing.runtime.registries import load_registries
from yuqing.store import Store

UNIT = "区网信办"
CONFIG = {
    "cases": {
        "units": [{"name": UNIT, "level": "county", "leader": "王主任"},
                  {"name": "区公安分局", "level": "county"}],
        "users": [{"name": "李值班", "unit": UNIT, "roles": ["monitor", "handler"]},
                  {"name": "王主任", "unit": UNIT, "roles": ["leader"]}],
    },
}
START = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)  # Mon 09:00 in Shanghai


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: int = 30) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def svc(store: Store, clock: Clock) -> CaseService:
    return CaseService(store, parse_config(CONFIG), clock=clock)


HANDLER = {"actor": "李值班", "role": "handler"}
LEADER = {"actor": "王主任", "role": "leader"}


def last_entry(svc: CaseService, case_id: int) -> dict[str, object]:
    return svc.show(case_id)["log"][-1]


def step(svc: CaseService, clock: Clock, case_id: int, target: str, who: dict[str, str],
         note: str | None = None, **kw: object) -> None:
    """Move, then check the newest audit entry says who, when, from, to and the note."""
    before = svc.show(case_id)
    clock.tick()
    svc.move(case_id, target, note=note, **who, **kw)  # type: ignore[arg-type]
    after = svc.show(case_id)
    assert len(after["log"]) == len(before["log"]) + 1
    entry = after["log"][-1]
    assert (entry["action"], entry["from_state"], entry["to_state"]) == (
        "move", before["state"], target)
    assert (entry["actor"], entry["role"], entry["note"]) == (who["actor"], who["role"], note)
    assert datetime.fromisoformat(entry["at"]) == clock.now
    assert after["state"] == target


def act(svc: CaseService, clock: Clock, case_id: int, action: str, who: dict[str, str],
        note: str) -> None:
    clock.tick()
    svc.act(case_id, action, note=note, **who)
    entry = last_entry(svc, case_id)
    assert (entry["action"], entry["note"], entry["actor"]) == (action, note, who["actor"])
    assert entry["from_state"] == entry["to_state"] == "handling"


PLAYBOOK_STEPS: dict[int, Callable[[CaseService, Clock, int], None]] = {
    1: lambda s, c, i: act(s, c, i, "leader_review", LEADER, "答复口径已审核"),
    2: lambda s, c, i: act(s, c, i, "facts_published", HANDLER, "官方微博发布情况通报"),
    3: lambda s, c, i: (
        s.attach(i, "截图.png", b"\x89PNG evidence", **HANDLER),
        act(s, c, i, "clarified", HANDLER, "发布辟谣声明"),
        act(s, c, i, "referred", HANDLER, "移交区公安分局网安大队")),
    4: lambda s, c, i: act(s, c, i, "adopted", HANDLER, "建议纳入明年道路改造计划"),
}


@pytest.mark.parametrize("handling_class", [1, 2, 3, 4])
def test_each_class_walks_the_whole_workflow(svc: CaseService, clock: Clock,
                                             handling_class: int) -> None:
    case_id = svc.open_case(f"第{handling_class}类案件", actor="李值班", role="monitor",
                            unit=UNIT, suggested_class=handling_class)
    doc = svc.show(case_id)
    assert doc["state"] == "collected" and doc["owner_unit"] == UNIT
    assert [(e["action"], e["to_state"]) for e in doc["log"]] == [("open", "collected")]
    assert {d["policy"] for d in doc["deadlines"]} == {"first_response", "formal_answer"}
    step(svc, clock, case_id, "verified", HANDLER, "电话核实属实")
    assert svc.show(case_id)["handling_class"] == handling_class
    assert last_entry(svc, case_id)["data"] == {"handling_class": handling_class}
    step(svc, clock, case_id, "reported", HANDLER)
    step(svc, clock, case_id, "handling", HANDLER)
    with pytest.raises(BadInput, match=f"class {handling_class} playbook still needs"):
        svc.move(case_id, "replied", note="答复", **HANDLER)
    PLAYBOOK_STEPS[handling_class](svc, clock, case_id)
    step(svc, clock, case_id, "replied", HANDLER, "经核查，情况如下……")
    step(svc, clock, case_id, "tracking", HANDLER)
    step(svc, clock, case_id, "reviewed", LEADER, "处置及时，舆情平息")
    step(svc, clock, case_id, "closed", LEADER)
    doc = svc.show(case_id)
    assert doc["next_states"] == [] and doc["closed_at"] is not None
    moves = [(e["from_state"], e["to_state"]) for e in doc["log"] if e["action"] == "move"]
    assert moves == [("collected", "verified"), ("verified", "reported"),
                     ("reported", "handling"), ("handling", "replied"),
                     ("replied", "tracking"), ("tracking", "reviewed"), ("reviewed", "closed")]
    met = {d["policy"]: d["met_at"] is not None for d in doc["deadlines"]}
    assert met == {"first_response": True, "formal_answer": True}


def test_roles_and_required_notes_are_enforced(svc: CaseService) -> None:
    case_id = svc.open_case("测试", actor="李值班", role="monitor", unit=UNIT, suggested_class=1)
    with pytest.raises(BadInput, match="does not have the role 'leader'"):
        svc.move(case_id, "verified", actor="李值班", role="leader", note="x")
    with pytest.raises(BadInput, match="neither a web account nor a configured case user"):
        svc.move(case_id, "verified", actor="路人", role="handler", note="x")
    with pytest.raises(BadInput, match="a note is required"):
        svc.move(case_id, "verified", note="  ", **HANDLER)
    with pytest.raises(BadInput, match="cannot move to 'closed'.*allowed: verified, rejected"):
        svc.move(case_id, "closed", **LEADER)
    svc.move(case_id, "verified", note="核实", **HANDLER)
    svc.move(case_id, "reported", **HANDLER)
    svc.move(case_id, "handling", **HANDLER)
    svc.act(case_id, "leader_review", note="同意", **LEADER)
    svc.move(case_id, "replied", note="答复", **HANDLER)
    svc.move(case_id, "tracking", **HANDLER)
    with pytest.raises(BadInput, match="role 'handler' may not"):
        svc.move(case_id, "reviewed", note="总结", **HANDLER)
    with pytest.raises(BadInput, match="the review summary"):
        svc.move(case_id, "reviewed", **LEADER)
    assert svc.show(case_id)["state"] == "tracking"


def test_class_must_be_confirmed(svc: CaseService) -> None:
    case_id = svc.open_case("未分类", actor="李值班", role="monitor", unit=UNIT)
    with pytest.raises(BadInput, match="confirm a handling class"):
        svc.move(case_id, "verified", note="核实", **HANDLER)
    svc.move(case_id, "verified", note="核实", handling_class=4, **HANDLER)
    assert svc.show(case_id)["handling_class"] == 4


def test_reject_and_merge(svc: CaseService) -> None:
    first = svc.open_case("甲", actor="李值班", role="monitor", unit=UNIT)
    second = svc.open_case("乙", actor="李值班", role="monitor", unit=UNIT)
    third = svc.open_case("丙", actor="李值班", role="monitor", unit=UNIT)
    with pytest.raises(BadInput, match="the reason the case is not ours"):
        svc.move(third, "rejected", **HANDLER)
    svc.move(third, "rejected", note="属外省事项，不予受理", **HANDLER)
    with pytest.raises(BadInput, match="case 3 is rejected, not open"):
        svc.move(second, "merged", note="同一事件", merge_into=third, **HANDLER)
    svc.move(second, "merged", note="同一事件", merge_into=first, **HANDLER)
    assert svc.show(second)["merged_into"] == first
    assert {"kind": "case", "ref": str(second)}.items() <= svc.show(first)["links"][0].items()
    with pytest.raises(BadInput, match="the case is merged"):
        svc.act(second, "comment", note="x", **HANDLER)


def test_ownership_changes_only_by_documented_transfer(svc: CaseService) -> None:
    case_id = svc.open_case("归属", actor="李值班", role="monitor", unit=UNIT)
    assert svc.assist(case_id, "区公安分局", note="请协助核查发帖人", **HANDLER) is True
    assert svc.assist(case_id, "区公安分局", note="再次", **HANDLER) is False
    assert svc.show(case_id)["owner_unit"] == UNIT
    with pytest.raises(BadInput, match="role 'handler' may not"):
        svc.transfer(case_id, "区公安分局", note="移交", **HANDLER)
    with pytest.raises(BadInput, match="a note is required"):
        svc.transfer(case_id, "区公安分局", note="", **LEADER)
    with pytest.raises(BadInput, match="'某单位' is not configured"):
        svc.transfer(case_id, "某单位", note="移交", **LEADER)
    svc.transfer(case_id, "区公安分局", note="涉嫌违法，由公安主办", **LEADER)
    doc = svc.show(case_id)
    assert doc["owner_unit"] == "区公安分局"
    entry = doc["log"][-1]
    assert entry["action"] == "transfer" and entry["data"] == {
        "from_unit": UNIT, "to_unit": "区公安分局"}
    assert [a["unit"] for a in doc["assists"]] == ["区公安分局"]


def test_attachments_are_kept_with_their_hash(svc: CaseService, store: Store) -> None:
    case_id = svc.open_case("证据", actor="李值班", role="monitor", unit=UNIT)
    first = svc.attach(case_id, "a.txt", b"hello", **HANDLER)
    assert first["sha256"] == (
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    again = svc.attach(case_id, "copy.txt", b"hello", **HANDLER)
    assert (again["id"], again["new"]) == (first["id"], False)
    doc = svc.show(case_id)
    assert [(a["name"], a["size"]) for a in doc["attachments"]] == [("a.txt", 5)]
    assert [e["data"]["sha256"] for e in doc["log"] if e["action"] == "attach"] == [
        first["sha256"]] * 2
    with pytest.raises(BadInput, match="0 bytes"):
        svc.attach(case_id, "empty", b"", **HANDLER)


def test_system_actions_cannot_be_recorded_by_hand(svc: CaseService) -> None:
    case_id = svc.open_case("伪造", actor="李值班", role="monitor", unit=UNIT)
    for action in ("contact_access", "petition", "transfer", "escalated"):
        with pytest.raises(BadInput, match=f"action '{action}': expected one of leader_review"):
            svc.act(case_id, action, note="x", **LEADER)
    assert len(svc.show(case_id)["log"]) == 1


def test_open_from_item_and_alert(svc: CaseService, store: Store) -> None:
    from yuqing.config import Config
    from yuqing.runtime.pipeline import Pipeline
    from yuqing.sources.records import raw_from_record

    raw = raw_from_record({"id": "x1", "text": "某小区燃气泄漏，居民质疑物业处置迟缓",
                           "published_at": "2024-03-04T08:00:00+08:00"}, source="weibo",
                          tz="Asia/Shanghai", media_type="weibo", origin="test",
                          fetched_at=START)
    Pipeline(Config(), store, registries=load_registries(), alerts_enabled=False).process([raw])
    case_id = svc.open_from_item("weibo:x1", actor="李值班", role="monitor", unit=UNIT)
    doc = svc.show(case_id)
    assert doc["origin"] == "item" and doc["title"].startswith("某小区燃气泄漏")
    assert [(link["kind"], link["ref"]) for link in doc["links"]] == [("item", "weibo:x1")]
    alert_id = store.record_alert(Alert(rule="r", dedup_key="k1", title="燃气泄漏预警",
                                        body="正文", item_keys=["weibo:x1"], created_at=START))
    assert alert_id is not None
    from_alert = svc.show(svc.open_from_alert(alert_id, actor="李值班", role="monitor",
                                              unit=UNIT))
    assert from_alert["title"] == "燃气泄漏预警"
    assert {(x["kind"], x["ref"]) for x in from_alert["links"]} == {
        ("alert", str(alert_id)), ("item", "weibo:x1")}
    with pytest.raises(BadInput, match="item 'nope' is not stored"):
        svc.open_from_item("nope", actor="李值班", role="monitor", unit=UNIT)


def test_get_returns_the_case_detail_and_show_is_its_json(svc: CaseService, clock: Clock) -> None:
    case_id = svc.open_case("积水", actor="李值班", role="monitor", unit=UNIT, suggested_class=4)
    moved = svc.move(case_id, "verified", note="属实", **HANDLER)
    assert (moved.id, moved.state, moved.handling_class, moved.updated_at) == (
        case_id, "verified", 4, clock.now)
    detail = svc.get(case_id)
    assert detail.case == moved and detail.next_states == ["reported", "rejected", "merged"]
    assert [(e.action, e.to_state) for e in detail.log] == [("open", "collected"),
                                                            ("move", "verified")]
    assert detail.playbook == "adopt or decline, reply with the decision"
    doc = svc.show(case_id)
    assert doc == detail.to_json(svc.tz)
    assert list(doc) == ["id", "title", "summary", "origin", "origin_ref", "channel", "state",
                         "handling_class", "suggested_class", "owner_unit", "opened_by",
                         "discovered_at", "opened_at", "updated_at", "closed_at", "merged_into",
                         "log", "deadlines", "attachments", "assists", "links", "petitions",
                         "next_states", "playbook"]
    assert doc["opened_at"] == START.astimezone(svc.tz).isoformat()  # office zone, +08:00
    assert [c.id for c in svc.find(state="verified")] == [case_id]
    assert svc.list(state="verified") == [moved.to_json(svc.tz)]
