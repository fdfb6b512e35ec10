"""A real local HTTP server (port 0, own thread) with named feed behaviours.

Behaviours (paths): ``/normal``, ``/atom``, ``/etag`` (ETag + Last-Modified,
answers 304 to a matching conditional GET), ``/500``, ``/slow`` (waits
``slow_s`` before answering), ``/garbage`` (HTTP 200 with an HTML error
page), ``/bad-encoding`` (GB18030 bytes declared as UTF-8), ``/f2`` (the F2
feed), ``/f3`` (serves f3_fetch1.xml, then f3_fetch2.xml from the second
request on). ``requests`` logs (path, headers) of every request.
Idea from Scrapy's tests/mockserver; our own code.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
ETAG = '"v1"'
LAST_MODIFIED = "Tue, 05 Mar 2024 00:00:00 GMT"


class FeedServer(ThreadingHTTPServer):
    """The server; ``url(path)`` gives the address of a behaviour."""

    daemon_threads = True

    def __init__(self, slow_s: float = 2.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.slow_s = slow_s
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.f3_calls = 0

    def url(self, path: str) -> str:
        """Return the URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        return

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.server.requests.append((self.path, dict(self.headers.items())))
        route = getattr(self, "_" + self.path.strip("/").replace("-", "_"), None)
        if route is None:
            self._send(404, b"not found", "text/plain")
        else:
            route()

    def _send(self, code: int, body: bytes, ctype: str = "application/rss+xml",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _normal(self) -> None:
        self._send(200, (FEEDS / "normal.xml").read_bytes())

    def _atom(self) -> None:
        self._send(200, (FEEDS / "atom.xml").read_bytes(), "application/atom+xml")

    def _etag(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.end_headers()
            return
        self._send(200, (FEEDS / "normal.xml").read_bytes(),
                   headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED})

    def _500(self) -> None:
        self._send(500, b"Internal Server Error", "text/plain")

    def _slow(self) -> None:
        time.sleep(self.server.slow_s)
        self._normal()

    def _garbage(self) -> None:
        self._send(200, b"<html><body><h1>\xe7\xb3\xbb\xe7\xbb\x9f\xe7\xbb\xb4\xe6\x8a\xa4</h1>"
                        b"</body></html>", "text/html; charset=utf-8")

    def _bad_encoding(self) -> None:
        body = (FEEDS / "normal.xml").read_text(encoding="utf-8").encode("gb18030")
        self._send(200, body, "application/rss+xml; charset=utf-8")

    def _f2(self) -> None:
        self._send(200, (FEEDS / "f2_bad_entry.xml").read_bytes())

    def _f3(self) -> None:
        self.server.f3_calls += 1
        name = "f3_fetch1.xml" if self.server.f3_calls == 1 else "f3_fetch2.xml"
        self._send(200, (FEEDS / name).read_bytes())


@contextmanager
def running_feed_server(slow_s: float = 2.0) -> Iterator[FeedServer]:
    """Start a FeedServer in a thread; shut it down on exit."""
    server = FeedServer(slow_s)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
