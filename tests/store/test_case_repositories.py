"""Tests of the case and petition repositories (store.cases, store.petitions in
src/yuqing/store/cases.py and petitions.py) on both backends: domain objects come back,
merges are followed, a transaction commits or rolls back as one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from yuqing.domain import Case, CaseLogEntry, Contact, Deadline, Petition
from yuqing.store import Store

T0 = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)


def new_case(store: Store, title: str = "燃气泄漏传闻", **values: Any) -> int:
    row = {"title": title, "summary": None, "origin": "manual", "origin_ref": None,
           "channel": "online", "state": "collected", "handling_class": None,
           "suggested_class": None, "owner_unit": "区网信办", "opened_by": "李值班",
           "discovered_at": T0, "opened_at": T0, "updated_at": T0, "closed_at": None,
           "merged_into": None}
    return store.cases.insert({**row, **values})


def log_entry(case_id: int, action: str = "comment") -> dict[str, Any]:
    return {"case_id": case_id, "at": T0, "actor": "李值班", "role": "handler",
            "action": action, "from_state": "collected", "to_state": "collected",
            "note": "备注", "data": {"k": 1}}


def test_cases_come_back_as_domain_objects(store: Store) -> None:
    first = new_case(store)
    second = new_case(store, "第二件", state="verified", owner_unit="区公安分局")
    got = store.cases.get(first)
    assert isinstance(got, Case) and (got.id, got.title, got.state) == (first, "燃气泄漏传闻",
                                                                       "collected")
    assert got.opened_at == T0 and got.opened_at.tzinfo is not None
    assert store.cases.get(999) is None
    assert [c.id for c in store.cases.find()] == [second, first]
    assert [c.id for c in store.cases.find(state="verified")] == [second]
    assert [c.id for c in store.cases.find(unit="区网信办")] == [first]
    assert [c.id for c in store.cases.opened_between(T0, T0 + timedelta(hours=1))] == [
        first, second]
    assert store.cases.count_by("state") == {"collected": 1, "verified": 1}


def test_follow_merges_walks_the_chain_and_stops_on_a_cycle(store: Store) -> None:
    a, b, c = new_case(store), new_case(store), new_case(store)
    store.cases.update(a, {"merged_into": b, "state": "merged"})
    store.cases.update(b, {"merged_into": c, "state": "merged"})
    assert store.cases.follow_merges(a) == c
    assert store.cases.follow_merges(c) == c
    assert store.cases.follow_merges(404) == 404
    store.cases.update(c, {"merged_into": a})
    assert store.cases.follow_merges(a) == c  # a -> b -> c -> a: stops at the last unseen


def test_a_transaction_commits_or_rolls_back_as_one(store: Store) -> None:
    case_id = new_case(store)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.cases.update(case_id, {"state": "verified"})
        tx.cases.append_log(log_entry(case_id, "move"))
        raise RuntimeError("refused half-way")
    assert store.cases.get(case_id).state == "collected"  # type: ignore[union-attr]
    assert store.cases.log(case_id) == []
    with store.transaction() as tx:
        tx.cases.update(case_id, {"state": "verified"})
        entry_id = tx.cases.append_log(log_entry(case_id, "move"))
    assert store.cases.get(case_id).state == "verified"  # type: ignore[union-attr]
    assert store.cases.log(case_id) == [CaseLogEntry(
        entry_id, case_id, T0, "李值班", "handler", "move", "collected", "collected", "备注",
        {"k": 1})]
    assert store.cases.logged_actions(case_id) == {"move"}


def test_deadlines_round_trip_and_are_met_by_state(store: Store) -> None:
    case_id = new_case(store, "有期限")
    due = T0 + timedelta(hours=5)
    store.cases.insert_deadlines([
        Deadline(case_id, "first_response", "reported", T0, due, provisional=False),
        Deadline(case_id, "formal_answer", "replied", T0, T0 + timedelta(days=1), True)])
    got = store.cases.deadlines(case_id)
    assert [(d.policy, d.due, d.provisional, d.met_at) for d in got] == [
        ("first_response", due, False, None), ("formal_answer", T0 + timedelta(days=1), True, None)]
    assert [d.policy for d in store.cases.provisional_deadlines()] == ["formal_answer"]
    store.cases.meet_deadlines(case_id, ["reported"], T0 + timedelta(hours=1))
    store.cases.set_deadline(case_id, "formal_answer", {"reminded_at": T0})
    met = {d.policy: (d.met_at, d.reminded_at) for d in store.cases.deadlines()}
    assert met == {"first_response": (T0 + timedelta(hours=1), None),
                   "formal_answer": (None, T0)}
    open_rows = store.cases.open_deadlines(["collected"])
    assert [(r["policy"], r["title"], r["owner_unit"]) for r in open_rows] == [
        ("formal_answer", "有期限", "区网信办")]


def test_attachments_assists_and_links(store: Store) -> None:
    case_id = new_case(store)
    values = {"case_id": case_id, "name": "a.txt", "sha256": "ab" * 32, "size": 5,
              "content": b"hello", "added_by": "李值班", "added_at": T0}
    att_id, new = store.cases.add_attachment(values)
    assert new and store.cases.add_attachment(values) == (att_id, False)
    assert [(a.id, a.name, a.size) for a in store.cases.attachments(case_id)] == [
        (att_id, "a.txt", 5)]
    assist = {"case_id": case_id, "unit": "区公安分局", "requested_by": "李值班",
              "requested_at": T0}
    assert store.cases.add_assist(assist) and not store.cases.add_assist(assist)
    assert [a.unit for a in store.cases.assists(case_id)] == ["区公安分局"]
    link = {"case_id": case_id, "kind": "item", "ref": "weibo:1", "score": 0.5,
            "created_at": T0}
    assert store.cases.add_link(link) and not store.cases.add_link(link)
    assert [(x.kind, x.ref, x.score) for x in store.cases.links(case_id)] == [
        ("item", "weibo:1", 0.5)]


def test_petitions_and_their_protected_contact(store: Store) -> None:
    case_id = new_case(store)
    values = {"case_id": case_id, "channel": "letter", "received_at": T0, "unit": "县信访局",
              "subject": "拖欠工程款", "accused": "城关镇人民政府", "addressed_level": "county",
              "responsible_level": "township", "identity_hash": "abc", "contact_masked": "张*",
              "repeat_of": None, "repeat_score": None, "cross_level": False}
    first = store.petitions.insert(values, Contact("张三", "13812345678"))
    again = store.petitions.insert({**values, "repeat_of": first, "repeat_score": 0.5,
                                    "cross_level": True, "received_at": T0 + timedelta(days=2)},
                                   Contact(phone="13812345678"), {"拖欠", "欠工", "工程", "程款"})
    got = store.petitions.get(first)
    assert got == Petition(id=first, **values)
    assert store.petitions.get(999) is None
    assert [p.id for p in store.petitions.find(case_id)] == [first, again]
    assert store.petitions.find(case_id + 1) == []
    assert store.petitions.contact(first) == Contact("张三", "13812345678")
    assert store.petitions.contact(999) is None
    assert [r["id"] for r in store.petitions.unindexed()] == [first]
    assert store.petitions.counts() == {"petitions": 2, "repeats": 1, "cross_level": 1}


def test_the_repeat_index_reads_the_recent_petitions_of_each_bigram(store: Store) -> None:
    case_id = new_case(store)
    values = {"case_id": case_id, "channel": "letter", "unit": "县信访局", "accused": None,
              "addressed_level": "county", "responsible_level": "county",
              "contact_masked": "张*", "repeat_of": None, "repeat_score": None,
              "cross_level": False}
    subjects = {"ab": ({"甲乙"}, None), "abcd": ({"甲乙", "乙丙", "丙丁"}, "h1"),
                "bc": ({"乙丙"}, None), "same person": ({"戊己"}, "h2 h3"),
                "old": ({"甲乙"}, "h3")}
    ids = {}
    for k, (name, (grams, identity)) in enumerate(subjects.items()):
        when = T0 - timedelta(days=400) if name == "old" else T0 + timedelta(days=k)
        ids[name] = store.petitions.insert({**values, "subject": name, "received_at": when,
                                            "identity_hash": identity}, Contact(), grams)
    assert store.petitions.unindexed() == []
    # every petition ever indexed counts, the one out of the year too
    assert store.petitions.gram_counts(["甲乙", "乙丙", "无"]) == (5, {"甲乙": 3, "乙丙": 2})
    found = store.petitions.recent_sharing(T0, None, ["甲乙"], {"h3"}, 5)
    assert [r["id"] for r in found] == [ids["ab"], ids["abcd"], ids["same person"]]
    # one per bigram: the one indexed last ("old" is, but out of the year: none of 甲乙)
    found = store.petitions.recent_sharing(T0, None, ["甲乙", "乙丙"], set(), 1)
    assert [r["id"] for r in found] == [ids["bc"]]
    found = store.petitions.recent_sharing(T0, None, ["甲乙"], {"h1"}, 2)
    assert [r["id"] for r in found] == [ids["abcd"]]
    assert store.petitions.recent_sharing(T0, ["邻县信访局"], ["甲乙"], {"h3"}, 5) == []


def test_ids_past_the_sql_integer_range_name_no_row(store: Store) -> None:
    huge = 2**63
    assert store.cases.get(huge) is None and store.cases.view_scope(huge) is None
    assert store.petitions.get(huge) is None and store.petitions.contact(huge) is None
    assert store.reports.evidence(huge) == [] and store.reports.case_record(huge) == (None, [])
    assert store.alerts.alert_rule(huge) is None
    assert store.alerts.acknowledge(huge, "值班", datetime.now(UTC)) is None
