"""Tests of store/cases.py and store/cases_tables.py on both backends: the audit log
refuses UPDATE and DELETE; link and assist inserts ignore repeats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from yuqing.store import Store
from yuqing.store import cases as q

NOW = datetime(2024, 3, 4, tzinfo=UTC)


def new_case(store: Store) -> int:
    with store.write() as conn:
        case_id = q.insert_case(conn, {
            "title": "t", "origin": "manual", "channel": "online", "state": "collected",
            "owner_unit": "u", "opened_by": "a", "discovered_at": NOW, "opened_at": NOW,
            "updated_at": NOW})
        q.append_log(conn, {"case_id": case_id, "at": NOW, "actor": "a", "role": "monitor",
                            "action": "open", "from_state": None, "to_state": "collected",
                            "note": None, "data": {}})
    return case_id


def test_audit_log_is_append_only_in_the_database(store: Store) -> None:
    case_id = new_case(store)
    for sql in ("UPDATE case_log SET note = 'x'", "DELETE FROM case_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.write() as conn:
            conn.execute(text(sql))
    with store.read() as conn:
        (entry,) = q.read_log(conn, case_id)
    assert (entry["action"], entry["note"], entry["at"]) == ("open", None, NOW)


def test_links_and_assists_are_kept_once(store: Store) -> None:
    case_id = new_case(store)
    link = {"case_id": case_id, "kind": "item", "ref": "weibo:1", "score": 0.5, "created_at": NOW}
    assist = {"case_id": case_id, "unit": "v", "requested_by": "a", "requested_at": NOW}
    with store.write() as conn:
        assert q.add_link(conn, link) is True
        assert q.add_link(conn, {**link, "score": 0.9}) is False
        assert q.add_assist(conn, assist) is True
        assert q.add_assist(conn, assist) is False
    with store.read() as conn:
        assert [(x["ref"], x["score"]) for x in q.list_links(conn, case_id)] == [("weibo:1", 0.5)]
        assert [a["unit"] for a in q.list_assists(conn, case_id)] == ["v"]
