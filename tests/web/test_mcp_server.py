"""Tests of web/mcp_server.py (`yuqing mcp`) driven by the MCP SDK's own client.

Over stdio the client starts a REAL `yuqing mcp` subprocess; over HTTP a REAL `yuqing mcp
--http --port 0` subprocess serves, and the client sends API tokens. The database holds
the hand-written e2e items (tests/fixtures/items/e2e_items.jsonl, ingested by the
pipeline) and, for each of the units 甲 and 乙, a case and an alert: a token of 甲 must
see nothing of 乙 (as tests/web/test_access.py checks for the JSON API).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from web_auth import api_headers
from yuqing_cli import CONFIG_TOML, FIXTURES

from yuqing.cases.service import CaseService
from yuqing.config import load_config
from yuqing.domain import Alert
from yuqing.runtime.context import Context
from yuqing.runtime.ingest import ingest_file
from yuqing.store import open_store
from yuqing.web.mcp_server import TOOL_NAMES, compact

YUQING = str(Path(sys.executable).parent / "yuqing")
UNITS_TOML = """
[[alerts.channels]]
name = "jia"
kind = "console"

[[alerts.channels]]
name = "yi"
kind = "console"

[[cases.units]]
name = "总部"

[[cases.units]]
name = "甲单位"
parent = "总部"
channels = ["jia"]

[[cases.units]]
name = "乙单位"
parent = "总部"
channels = ["yi"]
"""
OTHER_MARKERS = ("乙单位", "YI-SECRET")


@dataclass
class World:
    """A config file and a database with items, events, and 甲's and 乙's cases and alerts."""

    config: Path
    db: str
    cases: dict[str, int]
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("mcp")
    config = folder / "yuqing.toml"
    config.write_text(CONFIG_TOML + UNITS_TOML, encoding="utf-8")
    db = f"sqlite:///{folder / 'yuqing.db'}"
    ctx = Context(config=load_config(config), database_url=db)
    ingest_file(ctx.pipeline, FIXTURES / "items" / "e2e_items.jsonl")
    crash = ctx.store.get_item("weibo:j1")
    assert crash is not None and crash.event_id
    ctx.store.summaries.add({  # as assist/writer.py stores one (get_event shows it)
        "event_id": crash.event_id, "event_size": 1, "created_at": datetime.now(UTC),
        "model": "m", "prompt": "p", "answer": "a", "text": "医院门口发生车祸。[weibo:j1]",
        "sentences": [{"text": "医院门口发生车祸。", "keys": ["weibo:j1"]}], "dropped": 0,
        "cited": ["weibo:j1"], "seconds": 0.5})
    service = CaseService(ctx.store, ctx.config)
    cases, tokens = {}, {}
    for unit, tag, channel in (("甲单位", "JIA-OWN", "jia"), ("乙单位", "YI-SECRET", "yi")):
        cases[unit] = service.open_case(f"{unit}的案件 {tag}", actor="x", role="handler",
                                        unit=unit)
        ctx.store.alerts.record_alert(Alert(
            rule="负面", dedup_key=f"t:{tag}", title=f"{unit}预警 {tag}", body=tag,
            item_keys=["weibo:j1"], created_at=datetime.now(UTC), channels=[channel]),
            datetime.now(UTC))
        name = "jia" if tag.startswith("JIA") else "yi"
        tokens[unit] = api_headers(ctx.store, name, "analyst", unit)["Authorization"]
    ctx.close()
    yield World(config, db, cases, tokens)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "YUQING_DATABASE_URL"}


def text_of(result: Any) -> str:
    assert len(result.content) == 1
    return str(result.content[0].text)


def json_of(result: Any) -> Any:
    assert not result.is_error, text_of(result)
    return json.loads(text_of(result))


@pytest.fixture(scope="module")
def http_url(world: World) -> Iterator[str]:
    """Start `yuqing mcp --http --port 0` and yield the URL it prints; stop it after."""
    proc = subprocess.Popen([YUQING, "mcp", "--http", "--port", "0", "-c", str(world.config),
                             "--db", world.db], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Yuqing MCP: http://127.0.0.1:"), (line, proc.stderr
                                                                   and proc.stderr.read())
        yield line.split()[2]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@asynccontextmanager
async def http_client(url: str, authorization: str) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(headers={"Authorization": authorization}, timeout=120) as http, \
            Client(streamable_http_client(url, http_client=http)) as client:
        yield client


def test_stdio_lists_tools_and_finds_a_stored_item_and_an_event(world: World) -> None:
    params = StdioServerParameters(command=YUQING, env=_env(), args=[
        "mcp", "-c", str(world.config), "--db", world.db])

    async def session() -> None:
        async with Client(params) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == set(TOOL_NAMES)
            for tool in tools.values():
                # a short description in Chinese and in English, and a typed schema
                assert tool.description and any("\u4e00" <= c <= "\u9fff"
                                                 for c in tool.description)
                assert any("a" <= c.lower() <= "z" for c in tool.description)
                assert tool.input_schema["type"] == "object"
            assert tools["search_items"].input_schema["properties"]["sentiment"]
            found = json_of(await client.call_tool("search_items", {"query": "车祸"}))
            assert [it["key"] for it in found] == ["weibo:j1"]
            assert "车祸" in found[0]["text"]
            events = json_of(await client.call_tool("list_events", {"order": "last_at"}))
            crash = next(e for e in events if e["representative"] == "weibo:j1")
            event = json_of(await client.call_tool("get_event", {"event_id": crash["id"]}))
            assert event["origin"]["key"] == "weibo:j1" and event["timeline"]
            assert event["summary"]["text"] == "医院门口发生车祸。[weibo:j1]"
            assert "prompt" not in event["summary"]
            bad = await client.call_tool("search_items", {"scheme": "没有这个方案"})
            assert bad.is_error and "scheme" in text_of(bad)
            schemes = json.loads((await client.read_resource("yuqing://schemes"))
                                 .contents[0].text)
            assert [s["name"] for s in schemes] == ["公共安全", "学校"]
            report = text_of(await client.call_tool("draft_report", {
                "kind": "daily", "date": "2024-03-05"}))
            assert report.startswith("# 舆情日报") and "`weibo:j1`" in report

    anyio.run(session)


def test_http_refuses_a_request_without_a_valid_token(http_url: str) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answer = httpx.post(http_url, json=body, headers={
            **headers, "Accept": "application/json, text/event-stream"})
        assert answer.status_code == 401


def test_http_token_of_one_unit_sees_nothing_of_another(world: World, http_url: str) -> None:
    async def session() -> list[str]:
        answers = []
        async with http_client(http_url, world.tokens["甲单位"]) as client:
            assert {t.name for t in (await client.list_tools()).tools} == set(TOOL_NAMES)
            found = json_of(await client.call_tool("search_items", {"query": "车祸"}))
            assert [it["key"] for it in found] == ["weibo:j1"]
            assert json_of(await client.call_tool("list_events", {}))
            cases = json_of(await client.call_tool("list_cases", {}))
            assert [c["id"] for c in cases] == [world.cases["甲单位"]]
            alerts = json_of(await client.call_tool("list_alerts", {}))
            assert ["JIA-OWN" in a["title"] for a in alerts] == [True]
            own = json_of(await client.call_tool("get_case", {"case_id": world.cases["甲单位"]}))
            assert own["owner_unit"] == "甲单位"
            for name, args in (("get_case", {"case_id": world.cases["乙单位"]}),
                               ("list_cases", {"unit": "乙单位"}),
                               ("draft_report", {"kind": "review",
                                                 "case": world.cases["乙单位"]}),
                               ("get_stats", {"since": "2024-03-01", "until": "2024-03-07"})):
                result = await client.call_tool(name, args)
                answers.append(text_of(result))
            assert "another unit" in answers[0]
        async with http_client(http_url, world.tokens["乙单位"]) as client:
            theirs = json_of(await client.call_tool("list_cases", {}))
            assert [c["id"] for c in theirs] == [world.cases["乙单位"]]
        return answers

    for answer in anyio.run(session):
        assert not any(marker in answer for marker in OTHER_MARKERS), answer
    with open_store(world.db) as store:
        # the unit user's read of a case is audited, as in the JSON API
        audit = store.accounts.read_audit(actor="jia")
        assert [(a["action"], a["target"], a["data"]) for a in audit] == [
            ("view", f"case:{world.cases['甲单位']}", {"via": "mcp"})]
        assert "view" in [e.action for e in store.cases.log(world.cases["甲单位"])]


def test_compact_drops_empty_fields_and_keeps_chinese() -> None:
    assert compact({"a": None, "b": [], "c": "", "d": 0, "e": {"f": {}}, "g": "中文"}) == \
        '{"d":0,"g":"中文"}'
