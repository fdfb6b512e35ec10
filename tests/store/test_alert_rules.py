"""Tests of store/alert_rules.py on SQLite and PostgreSQL: rule rows round-trip, versions
and the signature change with every write, config seeding keeps web edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from yuqing.store import Store
from yuqing.store import alert_rules as q

T0 = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
BODY = {"name": "负面", "schemes": ["公共安全", "学校"], "keywords": ["车祸"], "window": 600.0,
        "quiet_hours": "22:00-07:00", "handling_classes": [2, 3], "min_level": None}


def test_rule_row_round_trip_with_versions(store: Store) -> None:
    with store.write() as conn:
        q.insert_rule(conn, BODY, enabled=True, origin="web", by="admin1", now=T0)
    with store.read() as conn:
        row = q.get_rule(conn, "负面")
        first = q.signature(conn)
    assert row is not None
    assert row["body"] == BODY and row["scheme"] == "公共安全"
    assert (row["enabled"], row["origin"], row["updated_by"], row["version"]) == (
        True, "web", "admin1", 1)
    assert row["updated_at"] == T0 and row["updated_at"].tzinfo is not None
    with store.write() as conn:
        assert not q.update_rule(conn, "负面", {**BODY, "schemes": []}, enabled=False,
                                 origin="web", by="admin2", now=T0, expect_version=7)
        assert q.update_rule(conn, "负面", {**BODY, "schemes": []}, enabled=False,
                             origin="web", by="admin2", now=T0 + timedelta(seconds=1),
                             expect_version=1)
    with store.read() as conn:
        row = q.get_rule(conn, "负面")
        second = q.signature(conn)
    assert row is not None
    assert (row["scheme"], row["enabled"], row["version"], row["updated_by"]) == (
        None, False, 2, "admin2")
    assert second != first
    with store.write() as conn, pytest.raises(IntegrityError):
        q.insert_rule(conn, BODY, enabled=True, origin="web", by="x", now=T0)
    with store.write() as conn:
        assert q.delete_rule(conn, "负面") and not q.delete_rule(conn, "负面")
    with store.read() as conn:
        assert q.list_rules(conn) == [] and q.signature(conn) == frozenset()


def test_seeding_follows_the_config_file_but_keeps_web_edits(store: Store) -> None:
    a, b, c = ({"name": n, "keywords": [n]} for n in ("a", "b", "c"))
    with store.write() as conn:
        assert q.seed_config_rules(conn, [a, b, c], T0)["added"] == ["a", "b", "c"]
        q.update_rule(conn, "b", {"name": "b", "keywords": ["网页"]}, enabled=True,
                      origin="web", by="admin1", now=T0)
    with store.write() as conn:  # same file again: nothing to do
        again = q.seed_config_rules(conn, [a, b, c], T0 + timedelta(hours=1))
    assert again == {"added": [], "changed": [], "kept_web": ["b"], "removed": []}
    with store.write() as conn:  # the file changed a and b, dropped c
        done = q.seed_config_rules(conn, [{"name": "a", "keywords": ["新"]},
                                          {"name": "b", "keywords": ["文件"]}], T0)
    assert done == {"added": [], "changed": ["a"], "kept_web": ["b"], "removed": ["c"]}
    with store.read() as conn:
        rows = {r["name"]: r for r in q.list_rules(conn)}
    assert sorted(rows) == ["a", "b"]
    assert rows["a"]["body"]["keywords"] == ["新"] and rows["a"]["version"] == 2
    assert rows["b"]["body"]["keywords"] == ["网页"] and rows["b"]["origin"] == "web"
