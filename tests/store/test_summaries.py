"""Tests of store/summaries.py (store.summaries) and of the case links a summary must avoid
(store.cases.linked_items), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from yuqing.store import Store

T0 = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def row(event_id: str, at: datetime, text: str) -> dict[str, Any]:
    return {"event_id": event_id, "event_size": 4, "created_at": at, "model": "m",
            "prompt": "系统\n\n条目：[1] 文本", "answer": "一句。[1]", "text": text,
            "sentences": [{"text": text, "keys": ["w:1"]}], "dropped": 1,
            "cited": ["w:1"], "seconds": 1.25}


def test_latest_is_the_newest_of_the_event(store: Store) -> None:
    assert store.summaries.latest("E1") is None
    first = store.summaries.add(row("E1", T0, "旧摘要"))
    second = store.summaries.add(row("E1", T0 + timedelta(hours=1), "新摘要"))
    store.summaries.add(row("E2", T0 + timedelta(hours=2), "别的事件"))
    assert second > first
    latest = store.summaries.latest("E1")
    assert latest is not None
    assert latest["text"] == "新摘要" and latest["created_at"] == T0 + timedelta(hours=1)
    assert latest["sentences"] == [{"text": "新摘要", "keys": ["w:1"]}]
    assert latest["cited"] == ["w:1"] and latest["seconds"] == 1.25
    assert store.summaries.count() == 3


def test_a_row_with_a_missing_column_is_refused(store: Store) -> None:
    bad = row("E1", T0, "x")
    del bad["prompt"]
    with pytest.raises(ValueError, match="missing \\['prompt'\\]"):
        store.summaries.add(bad)


def test_linked_items_are_those_a_case_links(store: Store) -> None:
    from yuqing.cases.service import CaseService
    from yuqing.config import Config

    service = CaseService(store, Config())
    case_id = service.open_case("案件", actor="x", role="handler", unit="甲")
    store.cases.add_link({"case_id": case_id, "kind": "item", "ref": "w:2", "score": None,
                          "created_at": T0})
    store.cases.add_link({"case_id": case_id, "kind": "event", "ref": "w:3", "score": None,
                          "created_at": T0})
    keys = [f"w:{i}" for i in range(1000)]  # more than one IN list
    assert store.cases.linked_items(keys) == {"w:2"}
