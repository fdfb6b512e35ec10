"""The web-client channel: alerts pushed to open browsers as server-sent events.

The channel publishes into an :class:`AlertHub` that the web app's
``GET /api/alerts/stream`` (web/alerts_api.py) reads. The hub keeps the last
``keep`` events, so a client that reconnects with ``Last-Event-ID`` gets
what it missed; an event id is the delivery's idempotency key, and the hub
ignores an id it already holds, so a resend after a crash is not shown
twice (``idempotent``). Delivery succeeds when the event is in the hub.
Options: ``keep`` (default 500), ``lang``.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field

from yuqing.alerts.channels.base import DeliveryResult, idempotency_key
from yuqing.alerts.channels.options import ChannelOptions, Lang, parse_options
from yuqing.alerts.render import DEFAULT_LANG, DEFAULT_TZ, render_json
from yuqing.config import ChannelConfig
from yuqing.domain import Alert


@dataclass
class Subscriber:
    """One open stream: its event loop and queue."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[tuple[str, dict[str, Any]]]


class AlertHub:
    """Recent alert events and the open streams; thread-safe (the dispatcher publishes
    from its thread, streams read in the server's event loop)."""

    def __init__(self, keep: int = 500) -> None:
        self.keep = keep
        self._events: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._subs: list[Subscriber] = []
        self._lock = threading.Lock()

    def publish(self, event_id: str, data: dict[str, Any]) -> bool:
        """Add an event and push it to every open stream; False when ``event_id`` is known."""
        with self._lock:
            if event_id in self._events:
                return False
            self._events[event_id] = data
            while len(self._events) > self.keep:
                self._events.popitem(last=False)
            subs = list(self._subs)
        for sub in subs:
            sub.loop.call_soon_threadsafe(sub.queue.put_nowait, (event_id, data))
        return True

    def subscribe(self, last_event_id: str | None = None
                  ) -> tuple[Subscriber, list[tuple[str, dict[str, Any]]]]:
        """Open a stream in the running loop; return it and the events after ``last_event_id``
        (none when it is None or unknown to the hub)."""
        sub = Subscriber(asyncio.get_running_loop(), asyncio.Queue())
        with self._lock:
            self._subs.append(sub)
            ids = list(self._events)
            known = last_event_id is not None and last_event_id in self._events
            start = ids.index(last_event_id) + 1 if known else len(ids)  # type: ignore[arg-type]
            missed = [(i, self._events[i]) for i in ids[start:]]
        return sub, missed

    def unsubscribe(self, sub: Subscriber) -> None:
        """Close the stream ``sub``."""
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    @property
    def listeners(self) -> int:
        """Number of open streams."""
        with self._lock:
            return len(self._subs)


class ClientOptions(ChannelOptions):
    """The options of a client channel: events ``keep`` (at least 1), ``lang``."""

    keep: int = Field(500, ge=1)
    lang: Lang = DEFAULT_LANG


class ClientChannel:
    """Publish each alert's JSON document (render.render_json) to ``hub``."""

    kind = "client"
    options_model: ClassVar[type[ChannelOptions]] = ClientOptions
    idempotent = True

    def __init__(self, name: str, hub: AlertHub | None = None, *, lang: str = DEFAULT_LANG,
                 tz: str = DEFAULT_TZ) -> None:
        self.name = name
        self.hub = hub or AlertHub()
        self.lang = lang
        self.tz = tz

    def send(self, alerts: list[Alert]) -> list[DeliveryResult]:
        """Publish ``alerts``; always succeeds (a repeated id is already shown)."""
        for alert in alerts:
            self.hub.publish(idempotency_key(alert.dedup_key, self.name),
                             render_json(alert, self.tz))
        return [DeliveryResult.success() for _ in alerts]


def client_from_config(cfg: ChannelConfig) -> ClientChannel:
    """Return a ClientChannel with its own hub from ``cfg`` (options ``keep``, ``lang``)."""
    o = parse_options(ClientOptions, cfg)
    return ClientChannel(cfg.name, AlertHub(o.keep), lang=o.lang)
