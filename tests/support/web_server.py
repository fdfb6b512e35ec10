"""The web app served for real over HTTP in a thread of the test process.

``serving(ctx)`` starts ``yuqing.web.server.serve_in_thread`` on a free port of 127.0.0.1,
waits until it answers (20 s at most), yields its base URL (``http://127.0.0.1:PORT``),
then stops it and waits for its thread (the lifespan stops the dispatcher after its round).
The ``Context`` stays the caller's to close.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from alert_servers import free_port

from yuqing.runtime.context import Context
from yuqing.web.server import serve_in_thread

START_SECONDS = 20


@contextmanager
def serving(ctx: Context) -> Iterator[str]:
    """Serve the app over ``ctx``; yield its base URL; stop it afterwards."""
    port = free_port()
    server = serve_in_thread(ctx, host="127.0.0.1", port=port)
    end = time.monotonic() + START_SECONDS
    while not server.started:
        assert time.monotonic() < end, "the web server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for thread in threading.enumerate():
            if thread.name == "yuqing-web":
                thread.join(15)
