"""Tests of assist/overview.py through reports/make.py, with a REAL local chat-completions
server (tests/support/chat_server.py): the drafted 综述 keeps the sentence its posts
support, drops the other and says so; a case's items are withheld; without [llm] the
report is as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from chat_server import ChatServer, running_chat_server
from llm_items import ANSWER, SUPPORTED, llm_context, raws

from yuqing.assist.overview import LABEL
from yuqing.cases.service import CaseService
from yuqing.reports.make import make_report

DAY = date(2024, 6, 1)


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with running_chat_server(ANSWER) as running:
        yield running


def test_daily_report_gets_a_checked_overview(tmp_path: object, server: ChatServer) -> None:
    ctx = llm_context(f"sqlite:///{tmp_path}/y.db", server.url())
    try:
        ctx.pipeline.process(raws())
        ctx.pipeline.close()
        server.requests.clear()  # the event summary's request
        report = make_report(ctx.store, ctx.config, "daily", day=DAY)
        overview = report.data["llm_overview"]
        assert report.summary[-1] == overview["text"]
        assert overview["text"].startswith(LABEL + SUPPORTED + "[1]")
        assert overview["text"].endswith("（另有1句因所引条目不支持而删除。）")
        assert overview["dropped"] == 1 and overview["model"] == "test-model"
        (request,) = server.requests
        prompt = request["body"]["messages"][1]["content"]
        assert all(f"[{p.ref}]" in prompt for p in report.posts)
        # a post a case links is never sent
        first = next(p for p in report.posts if p.ref == 1)
        CaseService(ctx.store, ctx.config).open_from_item(first.key, actor="x",
                                                          role="handler", unit="甲")
        make_report(ctx.store, ctx.config, "daily", day=DAY)
        assert "[1]" not in server.prompts()[-1]
    finally:
        ctx.close()


def test_without_llm_the_report_is_unchanged(tmp_path: object, server: ChatServer) -> None:
    ctx = llm_context(f"sqlite:///{tmp_path}/y.db", None)
    try:
        ctx.pipeline.process(raws())
        report = make_report(ctx.store, ctx.config, "daily", day=DAY)
        assert len(report.summary) == 1 and "llm_overview" not in report.data
        assert not any(LABEL in p for p in report.summary) and server.requests == []
    finally:
        ctx.close()
