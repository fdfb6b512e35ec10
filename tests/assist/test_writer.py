"""Tests of assist/writer.py in the pipeline (both backends), with a REAL local server
speaking the chat-completions protocol (tests/support/chat_server.py).

The server answers one sentence its cited items support and one they do not: the stored
summary keeps the first, drops the second and says so; the alert is recorded while the
endpoint has not answered yet; items linked to a case are never sent; with ``[llm]``
absent nothing is sent and nothing is stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from chat_server import ChatServer, running_chat_server
from event_items import FIRE
from fastapi.testclient import TestClient
from llm_items import ANSWER, SUPPORTED, UNSUPPORTED, llm_context, raws
from web_auth import api_headers

from yuqing.assist.chat import ChatError
from yuqing.assist.writer import BackgroundSummaries, EventSummaries
from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.web import views
from yuqing.web.app import create_app


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with running_chat_server(ANSWER) as running:
        yield running


def test_summary_written_after_the_alert_keeps_supported_drops_unsupported(
        store_url: str, server: ChatServer) -> None:
    ctx = llm_context(store_url, server.url("gated"))
    try:
        outcome = ctx.pipeline.process(raws())
        # the endpoint has not answered (its gate is shut): the alert is already recorded
        assert outcome.alerts == 1 and ctx.store.count_alerts() == 1
        assert ctx.store.summaries.count() == 0
        server.gate.set()
        assert ctx.pipeline.summaries is not None
        ctx.pipeline.summaries.close()
        (event,) = ctx.store.reports.events()
        row = ctx.store.summaries.latest(event["id"])
        assert row is not None
        assert row["sentences"] == [{"text": SUPPORTED, "keys": ["w:1", "w:3"]}]
        assert row["dropped"] == 1 and row["cited"] == ["w:1", "w:3"]
        assert row["text"] == f"{SUPPORTED}[w:1, w:3] （另有1句因所引条目不支持而删除。）"
        assert row["model"] == "test-model" and row["answer"] == ANSWER
        assert row["event_size"] == 3 and row["seconds"] >= 0
        assert FIRE[0] in row["prompt"] and "3至5句话" in row["prompt"]
        assert len(server.requests) == 1
        # the event page shows it, with links to the cited items and the dropped count
        with TestClient(create_app(ctx)) as client:
            page = client.get(f"/events/{event['id']}", headers=api_headers(ctx.store)).text
        assert "大模型摘要" in page and SUPPORTED in page and UNSUPPORTED not in page
        assert 'href="/items/w%3A3"' in page and "另有 1 句因所引条目不支持而删除" in page
    finally:
        ctx.close()


def test_items_linked_to_a_case_are_never_sent(store_url: str, server: ChatServer) -> None:
    ctx = llm_context(store_url, server.url())
    try:
        ctx.pipeline.process(raws())
        CaseService(ctx.store, ctx.config).open_from_item("w:2", actor="x", role="handler",
                                                          unit="甲")
        (event,) = ctx.store.reports.events()
        row = EventSummaries(ctx.config, ctx.store).write(event["id"], force=True)
        assert row is not None
        last = server.prompts()[-1]
        assert FIRE[0][:12] in last and FIRE[2][:12] in last
        assert "杭州地鐵" not in last and "[3]" not in last  # item 2 (traditional) withheld
        # [2] now names item 3, which supports nothing of the second sentence either
        assert row["sentences"] == [{"text": SUPPORTED, "keys": ["w:1"]}]
    finally:
        ctx.close()


def test_a_failing_endpoint_is_counted_and_stores_nothing(store_url: str,
                                                          server: ChatServer) -> None:
    ctx = llm_context(store_url, server.url("broken"))
    try:
        assert ctx.pipeline.process(raws()).alerts == 1
        background = ctx.pipeline.summaries
        assert background is not None
        background.close()
        assert (background.written, background.failed) == (0, 1)
        assert ctx.store.summaries.count() == 0
    finally:
        ctx.close()


def test_without_llm_nothing_is_sent_or_stored(store_url: str, server: ChatServer) -> None:
    ctx = llm_context(store_url, None)
    try:
        assert ctx.pipeline.summaries is None
        assert ctx.pipeline.process(raws()).alerts == 1
        (event,) = ctx.store.reports.events()
        assert ctx.store.summaries.count() == 0 and server.requests == []
        page = views.event_page(ctx, event["id"])
        assert page is not None and page["summary"] is None
    finally:
        ctx.close()


def test_a_summary_is_due_for_a_big_enough_event_and_again_once_it_grew_and_aged() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    config = parse_config({"llm": {"base_url": "http://127.0.0.1:9/v1", "model": "m",
                                   "min_event_size": 3, "refresh_minutes": 60}})
    writer = EventSummaries(config, store=None, clock=lambda: now)  # type: ignore[arg-type]
    last = {"created_at": now - timedelta(minutes=30), "event_size": 3}
    assert not writer.due({"size": 2}, None)
    assert writer.due({"size": 3}, None)
    assert not writer.due({"size": 9}, last)  # grew, but summarised 30 minutes ago
    older = {**last, "created_at": now - timedelta(minutes=61)}
    assert writer.due({"size": 9}, older) and not writer.due({"size": 3}, older)


class HeldWriter:
    """Stands in for EventSummaries in the queue tests: each write waits for ``gate``, then
    fails as a dead endpoint does."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.calls: list[str] = []

    def write(self, event_id: str) -> None:
        self.calls.append(event_id)
        self.gate.wait(30)
        raise ChatError("http://127.0.0.1:9/v1/chat/completions: ConnectError")


def test_queued_events_are_written_once_and_a_dead_endpoint_delays_a_shutdown_once() -> None:
    held = HeldWriter()
    background = BackgroundSummaries(held)  # type: ignore[arg-type]
    background.note(["E1", "E2", "E2", "E3"])
    background.note(["E3"])  # still waiting: not queued twice
    closer = threading.Thread(target=background.close)
    closer.start()
    while not background._closing:
        time.sleep(0.01)
    held.gate.set()
    closer.join(30)
    assert held.calls == ["E1"] and (background.written, background.failed) == (0, 1)
