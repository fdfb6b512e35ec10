"""Tests of alerts/channels/client.py: the hub keeps events, drops repeats, replays after an id."""

from __future__ import annotations

import asyncio

from alerts_helpers import make_alert

from yuqing.alerts.channels.client import AlertHub, ClientChannel


def test_repeated_send_is_published_once() -> None:
    hub = AlertHub(keep=10)
    channel = ClientChannel("web", hub)
    assert [r.ok for r in channel.send([make_alert(1), make_alert(1), make_alert(2)])] == [True] * 3
    assert [d["dedup_key"] for d in hub._events.values()] == ["燃气:weibo:1", "燃气:weibo:2"]


def test_subscriber_gets_missed_events_then_live_ones() -> None:
    hub = AlertHub(keep=2)
    ids = [f"e{i}" for i in range(3)]
    for i in ids:
        hub.publish(i, {"n": i})

    async def run() -> tuple[list[str], str, int]:
        sub, missed = hub.subscribe("e1")
        hub.publish("e3", {"n": "e3"})
        live = await asyncio.wait_for(sub.queue.get(), 1)
        n = hub.listeners
        hub.unsubscribe(sub)
        return [m[0] for m in missed], live[0], n

    missed, live, listeners = asyncio.run(run())
    assert (missed, live, listeners) == (["e2"], "e3", 1)  # e0 fell out (keep=2)
    assert hub.listeners == 0
