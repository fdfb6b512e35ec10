"""The whole pipeline on a real store (SQLite and PostgreSQL), with real alert receivers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest
from alert_servers import running_http_server, running_smtp_server

from yuqing.config import Config, parse_config
from yuqing.domain import BadInput, RawItem
from yuqing.runtime.context import Context
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
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


def test_batch_counts_store_and_alert_once_over_webhook(store: Store) -> None:
    with running_http_server() as server:
        hook = {
            "name": "duty",
            "kind": "webhook",
            "url": f"{server.url}/ok",
            "allow_internal": True,
        }
        outcome = Pipeline(config([hook]), store, registries=load_registries()).process(RAWS)

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
        assert len(server.requests) == 1
        sent = json.loads(server.requests[0]["body"])
        assert sent["items"] == ["weibo:1"] and "食物中毒" in sent["body"]

        # a restart: a new pipeline on the same store sees the same items again
        again = Pipeline(config([hook]), store, registries=load_registries()).process(RAWS)
        assert (again.stored, again.updated, again.alerts) == (0, 0, 0)  # unchanged (F20.9)
        assert len(server.requests) == 1
    assert store.count_alerts() == 1


def test_restart_warms_dedup_from_store(store: Store) -> None:
    Pipeline(Config(), store, registries=load_registries(), alerts_enabled=False).process(RAWS[:1])
    later = Pipeline(Config(), store, registries=load_registries(), alerts_enabled=False)
    later.process([raw("9", "市第一中学食堂发生食物中毒，家长很愤怒，学校至今没有回应！！")])
    assert store.get_item("weibo:9").duplicate_of == "weibo:1"  # type: ignore[union-attr]


def test_email_alert_reaches_real_smtp_server(store: Store) -> None:
    with running_smtp_server() as smtp:
        mail = {"name": "mail", "kind": "email", "host": "127.0.0.1", "port": smtp.port,
                "from": "yuqing@example.cn", "to": ["duty@example.cn"]}
        outcome = Pipeline(config([mail]), store, registries=load_registries()).process(RAWS[:1])
    assert outcome.alerts == 1
    assert len(smtp.recorder.envelopes) == 1
    message = message_from_bytes(smtp.recorder.envelopes[0].content, policy=default)
    assert "食物中毒" in message.get_body().get_content()  # type: ignore[union-attr]


def test_missing_lexicon_is_a_config_error_not_a_skipped_stage() -> None:
    with pytest.raises(BadInput, match=r"lexicons\[0\]\.path.*/nonexistent/lexicon\.txt"):
        Context(config=parse_config({"lexicons": [{"path": "/nonexistent/lexicon.txt"}]}),
                database_url="sqlite://")
