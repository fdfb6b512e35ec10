"""Tests of web/events_api.py: the event routes on a real store (both backends)."""

from __future__ import annotations

from pathlib import Path

from event_items import FIRE, NOISE, make
from fastapi.testclient import TestClient
from web_auth import api_headers, router_app

from yuqing.config import Config
from yuqing.pipeline.base import StageState
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import EventClusterer
from yuqing.runtime.context import Context
from yuqing.web.app import create_app
from yuqing.web.events_api import events_router


def filled_client(store_url: str) -> tuple[TestClient, Context, str]:
    """A client of the event routes over a store holding a fire thread and a noise post."""
    ctx = Context(config=Config(), database_url=store_url)
    stage = EventClusterer()
    stage.open(StageState(events=ctx.store.events))
    items = [make(1, FIRE[0], author="本地新闻"), make(2, "转发微博", 5, parent_id="1"),
             make(3, FIRE[1], 9), make(4, NOISE[0], 20)]
    Deduplicator().process(items)
    stage.process(items)
    ctx.store.save_items(items)
    app = router_app(ctx, events_router(ctx))
    return TestClient(app, headers=api_headers(ctx.store)), ctx, items[0].event_id or ""


def test_list_and_detail(store_url: str) -> None:
    client, ctx, fire_id = filled_client(store_url)
    try:
        rows = client.get("/api/events").json()
        assert [r["id"] for r in rows][0] == fire_id and len(rows) == 2
        assert client.get("/api/events", params={"min_size": 2}).json()[0]["size"] == 3
        doc = client.get(f"/api/events/{fire_id}").json()
        assert doc["origin"]["key"] == "w:1" and doc["origin"]["author"] == "本地新闻"
        assert {"from": "w:1", "to": "w:2"} in doc["edges"]
        assert sum(p["count"] for p in doc["timeline"]) == 3
        assert client.get("/api/events/Enope").status_code == 404
        assert client.get("/api/events", params={"order": "bogus"}).status_code == 422
        naive = client.get("/api/events", params={"since": "2024-06-01T08:00"})
        assert naive.status_code == 422 and "offset" in naive.text
    finally:
        ctx.close()


def test_rising_hot_search_topics(tmp_path: Path) -> None:
    client, ctx, _ = filled_client(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        rows = client.get("/api/trends/hotsearch", params={"top": 3}).json()
        assert len(rows) == 3 and rows[0]["growth"] >= rows[2]["growth"] > 0
    finally:
        ctx.close()


def test_routes_are_part_of_the_app(tmp_path: Path) -> None:
    ctx = Context(config=Config(), database_url=f"sqlite:///{tmp_path / 'y.db'}")
    try:
        paths = TestClient(create_app(ctx)).get("/openapi.json").json()["paths"]
        assert {"/api/events", "/api/events/{event_id}", "/api/trends/hotsearch"} <= set(paths)
    finally:
        ctx.close()
