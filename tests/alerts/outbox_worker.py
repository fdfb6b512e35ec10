"""A dispatcher process for the crash test: `python outbox_worker.py DB_URL KIND URL`.

Delivers the outbox of DB_URL over one channel named ``out`` (KIND
``webhook`` or ``wecom`` at URL) until killed. Leases are 1 s so that a
restarted worker takes over quickly.
"""

from __future__ import annotations

import sys
import threading

from yuqing.alerts.channels.base import Channel
from yuqing.alerts.channels.webhook import WebhookChannel
from yuqing.alerts.channels.wecom import WeComChannel
from yuqing.alerts.outbox import OutboxDispatcher
from yuqing.store import open_store


def main(url: str, kind: str, target: str) -> None:
    channel: Channel = (WebhookChannel("out", target, allow_internal=True) if kind == "webhook"
                        else WeComChannel("out", target, allow_internal=True, rate_per_minute=0))
    store = open_store(url)
    OutboxDispatcher(store, {"out": channel}, lease_s=1.0, batch=3, poll_s=0.05).start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(*sys.argv[1:4])
