"""The whole pipeline on a real store (SQLite and PostgreSQL), with real alert receivers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest
from alert_servers import running_http_server, running_smtp_server
from pipeline_runs import make_pipeline
from runtimes import MakeRuntime

from yuqing.config import Config, parse_config
from yuqing.domain import BadInput, RawItem
from yuqing.runtime.context import Context
from yuqing.store import Store

NOW = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def raw(i: str, text: str, **kw: object) -> RawItem:
    return RawItem(source="weibo", id=i, text=text, fetched_at=NOW,
                   published_at="2024-03-05 08:15", **kw)  # type: ignore[arg-type]


RAWS = [
    raw("1", "市第一中学食堂发生食物中毒，家长十分愤怒，学校至今没有回应！"),
    raw("2", "市第一中学今天举行运动会，同学们精神饱满。"),
    raw("3", "今天天气不错，出去走走。"),
    raw("4", "市第一中学食堂发生食物中毒，家长非常愤怒，学校至今没有回应！"),  # near-duplicate of 1
    raw("5", "   "),  # empty after cleaning
    BadInput("export.csv:7: wrong column count (3, expected 2)"),
]


def config(channels: list[dict[str, object]]) -> Config:
    return parse_config({
        "schemes": [{"name": "学校", "subject_words": ["中学", "学校"]}],
        "alerts": {"rules": [{"name": "负面", "negative": True, "sensitive": True,
                              "channels": [c["name"] for c in channels]}],
                   "channels": channels},
    })


def contract_config(hook_url: str) -> str:
    """The TOML of ``config`` with one webhook channel posting to ``hook_url``."""
    return f"""
[[schemes]]
name = "学校"
subject_words = ["中学", "学校"]

[[alerts.rules]]
name = "负面"
negative = true
sensitive = true
channels = ["duty"]

[[alerts.channels]]
name = "duty"
kind = "webhook"
url = "{hook_url}"
allow_internal = true
"""


def eventually(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Return True once ``condition()`` holds (polled), False after ``timeout`` s (an
    alert is delivered by a worker's dispatcher a moment after its batch commits)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_batch_counts_store_and_alert_once_over_webhook(runtime: MakeRuntime) -> None:
    with running_http_server() as server:
        rt = runtime(contract_config(f"{server.url}/ok"))
        [outcome] = rt.process([RAWS])
        store = rt.store

        assert (outcome.read, outcome.stored, outcome.rejected) == (6, 4, 2)
        assert outcome.rejected_by_reason == {"empty_text": 1, "bad_input": 1}
        assert store.rejection_counts() == {"empty_text": 1, "bad_input": 1}
        assert outcome.duplicates == 1
        assert store.get_item("weibo:4").duplicate_of == "weibo:1"  # type: ignore[union-attr]
        assert outcome.matched == 3  # items 1, 2 and 4 name the school
        first = store.get_item("weibo:1")
        assert first is not None and first.sentiment == "negative" and first.schemes == ["学校"]
        # one alert: item 1 (item 4 is its duplicate, item 2 is not negative)
        assert outcome.alerts == 1
        assert eventually(lambda: len(server.requests) >= 1)
        sent = json.loads(server.requests[0]["body"])
        assert sent["items"] == ["weibo:1"] and "食物中毒" in sent["body"]

        # a restart: new processors on the same store see the same items again
        rt.restart()
        [again] = rt.process([RAWS])
        assert (again.stored, again.updated, again.alerts) == (0, 0, 0)  # unchanged (F20.9)
        assert len(server.requests) == 1
    assert store.count_alerts() == 1


def test_restart_warms_dedup_from_store(store: Store) -> None:
    make_pipeline(store, alerts=False).process(RAWS[:1])
    later = make_pipeline(store, alerts=False)
    later.process([raw("9", "市第一中学食堂发生食物中毒，家长很愤怒，学校至今没有回应！！")])
    assert store.get_item("weibo:9").duplicate_of == "weibo:1"  # type: ignore[union-attr]


def test_email_alert_reaches_real_smtp_server(store: Store) -> None:
    with running_smtp_server() as smtp:
        mail = {"name": "mail", "kind": "email", "host": "127.0.0.1", "port": smtp.port,
                "from": "yuqing@example.cn", "to": ["duty@example.cn"]}
        outcome = make_pipeline(store, config([mail])).process(RAWS[:1])
    assert outcome.alerts == 1
    assert len(smtp.recorder.envelopes) == 1
    message = message_from_bytes(smtp.recorder.envelopes[0].content, policy=default)
    assert "食物中毒" in message.get_body().get_content()  # type: ignore[union-attr]


def test_missing_lexicon_is_a_config_error_not_a_skipped_stage() -> None:
    with pytest.raises(BadInput, match=r"lexicons\[0\]\.path.*/nonexistent/lexicon\.txt"):
        Context(config=parse_config({"lexicons": [{"path": "/nonexistent/lexicon.txt"}]}),
                database_url="sqlite://")
