"""Tests of the CasesRepository reads for the web (store/cases.py) on both backends: who may
see a case, its view log, and the open deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.store import Store
from yuqing.store import cases as q

NOW = datetime(2024, 3, 4, tzinfo=UTC)


def new_case(store: Store, state: str = "collected") -> int:
    with store.write() as conn:
        return q.insert_case(conn, {
            "title": f"案件{state}", "origin": "manual", "channel": "online", "state": state,
            "owner_unit": "市局", "opened_by": "a", "discovered_at": NOW, "opened_at": NOW,
            "updated_at": NOW})


def test_view_scope_names_owner_and_assisting_units(store: Store) -> None:
    case_id = new_case(store)
    assert store.cases.view_scope(case_id) == ("市局", set())
    with store.write() as conn:
        for unit in ("区局", "街道"):
            q.add_assist(conn, {"case_id": case_id, "unit": unit, "requested_by": "a",
                                "requested_at": NOW})
    assert store.cases.view_scope(case_id) == ("市局", {"区局", "街道"})
    assert store.cases.view_scope(case_id + 1) is None


def test_view_log_commits_with_its_transaction(store: Store) -> None:
    case_id = new_case(store)
    entry = {"case_id": case_id, "at": NOW, "actor": "wang", "role": "handler",
             "action": "view", "from_state": None, "to_state": None, "note": None,
             "data": {"path": f"/cases/{case_id}"}}
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.cases.append_log(entry)
        raise RuntimeError("the view was refused")
    assert store.cases.append_log(entry) > 0
    with store.read() as conn:
        log = q.read_log(conn, case_id)
    assert [(e["action"], e["data"]) for e in log] == [("view", {"path": f"/cases/{case_id}"})]


def test_open_deadlines_of_open_cases_soonest_first(store: Store) -> None:
    open_case, closed_case = new_case(store), new_case(store, "closed")
    rows = [{"case_id": c, "policy": p, "met_by": "responded", "start": NOW,
             "due": NOW + timedelta(hours=h), "provisional": False, "met_at": met}
            for c, p, h, met in ((open_case, "5h", 5, None), (open_case, "24h", 2, None),
                                 (open_case, "met", 1, NOW), (closed_case, "5h", 1, None))]
    with store.write() as conn:
        q.insert_deadlines(conn, rows)
    found = store.cases.open_deadlines(["collected"])
    assert [(d["policy"], d["due"], d["owner_unit"]) for d in found] == [
        ("24h", NOW + timedelta(hours=2), "市局"), ("5h", NOW + timedelta(hours=5), "市局")]
