"""Tests of store/events.py with the events stage attached: saving, listing, resuming."""

from __future__ import annotations

from datetime import timedelta

from event_items import FIRE, NOISE, T0, make

from yuqing.domain import Item
from yuqing.pipeline.base import StageState
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import EventClusterer
from yuqing.store import Store
from yuqing.store import events as events_db


def run(store: Store, items: list[Item], stage: EventClusterer) -> None:
    """Dedup, cluster (saving events) and store ``items``, as the pipeline does."""
    Deduplicator().process(items)
    stage.process(items)
    store.save_items(items)


def test_events_are_saved_with_their_items(store: Store) -> None:
    stage = EventClusterer()
    stage.open(StageState(events=store.events))
    items = [make(1, FIRE[0]), make(2, FIRE[1], 10), make(3, NOISE[0], 20)]
    run(store, items, stage)
    with store.read() as conn:
        assert events_db.count_events(conn) == 2
        row = events_db.event_row(conn, items[0].event_id or "")
        members = events_db.event_members(conn, items[0].event_id or "")
        hottest = events_db.list_event_rows(conn, order="size", limit=1)
    assert row is not None and row["size"] == 2 and row["origin_key"] == "w:1"
    assert row["first_at"] == T0 and row["title"] in FIRE[:2]
    assert [m.key for m in members] == ["w:1", "w:2"]
    assert hottest[0]["id"] == items[0].event_id


def test_a_restarted_stage_resumes_open_events_and_links(store: Store) -> None:
    first = EventClusterer()
    first.open(StageState(events=store.events))
    before = [make(1, FIRE[0]), make(2, NOISE[1], 5)]
    run(store, before, first)

    resumed = EventClusterer()  # a new process on the same database
    resumed.open(StageState(events=store.events))
    after = [make(3, FIRE[2], 60),  # same matter in other words: via the saved centroid
             make(4, "转发微博", 61, parent_id="2"),  # repost of an item the memory never saw
             make(5, "完全无关的一条：周末去爬山，山顶风景太美了", 62)]
    run(store, after, resumed)
    assert after[0].event_id == before[0].event_id
    assert after[1].event_id == before[1].event_id
    assert after[2].event_id not in {before[0].event_id, before[1].event_id}
    assert resumed.opened == 1
    with store.read() as conn:
        row = events_db.event_row(conn, before[0].event_id or "")
    assert row is not None and row["size"] == 2
    assert row["last_at"] == T0 + timedelta(minutes=60)


def test_closed_events_are_reloaded_when_a_link_needs_them(store: Store) -> None:
    stage = EventClusterer()
    stage.open(StageState(events=store.events))
    old = [make(1, FIRE[0])]
    run(store, old, stage)
    later = [make(2, NOISE[0], 60 * 24 * 10)]  # moves time on: the fire event closes
    run(store, later, stage)
    assert old[0].event_id not in stage.events
    reply = [make(3, "还有人记得这件事吗", 60 * 24 * 10 + 1, parent_id="1")]
    run(store, reply, stage)
    assert reply[0].event_id == old[0].event_id
    with store.read() as conn:
        row = events_db.event_row(conn, old[0].event_id or "")
    assert row is not None and row["size"] == 2


def test_a_restarted_stage_still_knows_an_accounts_signature(store: Store) -> None:
    signed = "，大家注意安全"
    first = EventClusterer()
    first.open(StageState(events=store.events))
    fire = "城关镇一家五金店昨晚起火，消防员半小时内将明火扑灭"
    crash = "国道上货车与面包车相撞，两名司机受伤"
    before = [make(1, fire + signed, author="青山发布"),
              make(2, crash + signed, 20, author="青山发布")]
    run(store, before, first)

    resumed = EventClusterer()  # a new process: the account's last posts come from the store
    resumed.open(StageState(events=store.events))
    meal = "县第二中学十余名学生午饭后腹痛呕吐，疑似食物中毒"
    after = [make(3, meal + signed, 40, author="青山发布")]
    run(store, after, resumed)
    assert len({it.event_id for it in before + after}) == 3
