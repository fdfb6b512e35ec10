"""A real local HTTP server (port 0, own thread) serving pages a test sets up.

``server.add(path, body, status=200, headers=None, delay=0.0)`` serves a fixed
answer; ``server.add(path, handler)`` a computed one (``handler(request_headers)
-> Answer``, e.g. an answer that changes between polls). A path is matched with
its query first, then without. ``server.hits`` records every request: path,
headers and the server-side start and end times (``time.monotonic()``), so a
test can check that two requests did not overlap without timing anything on the
client. Any 127.0.0.x address can be the host (several "sites" on one machine).
Unknown paths answer 404. Idea from Scrapy's tests/mockserver; our own code.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, body, headers, and a wait (s) before it is sent."""

    body: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


Handler = Callable[[Mapping[str, str]], Answer]


@dataclass(frozen=True)
class Hit:
    """One request as the server saw it (``start``/``end``: time.monotonic())."""

    path: str
    headers: Mapping[str, str]
    start: float
    end: float


class PageServer(ThreadingHTTPServer):
    """The server; ``url(path)`` gives the address of ``path`` on it."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), _Handler)
        self.routes: dict[str, Handler] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()

    @property
    def origin(self) -> str:
        """``http://host:port`` of this server."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        """Return the URL of ``path`` on this server."""
        return self.origin + path

    def add(self, path: str, body: bytes | str | Handler = b"", *, status: int = 200,
            headers: Mapping[str, str] | None = None, delay: float = 0.0) -> None:
        """Serve ``body`` (bytes, str as UTF-8, or a handler) at ``path``."""
        if callable(body):
            self.routes[path] = body
            return
        data = body.encode("utf-8") if isinstance(body, str) else body
        answer = Answer(data, status, dict(headers or {}), delay)
        self.routes[path] = lambda _headers: answer

    def paths(self) -> list[str]:
        """Return the paths requested so far, in order."""
        with self._lock:
            return [hit.path for hit in self.hits]

    def record(self, hit: Hit) -> None:
        """Append ``hit`` to ``hits`` (thread-safe)."""
        with self._lock:
            self.hits.append(hit)


class _Handler(BaseHTTPRequestHandler):
    server: PageServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        return

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        start = time.monotonic()
        headers = {k.lower(): v for k, v in self.headers.items()}
        route = self.server.routes.get(self.path) or self.server.routes.get(
            self.path.split("?", 1)[0])
        answer = route(headers) if route else Answer(b"not found", 404,
                                                     {"Content-Type": "text/plain"})
        if answer.delay:
            time.sleep(answer.delay)
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if answer.status != 304:
                self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a size cap, a timeout)
        finally:
            self.server.record(Hit(self.path, headers, start, time.monotonic()))


@contextmanager
def running_page_server(host: str = "127.0.0.1") -> Iterator[PageServer]:
    """Start a PageServer on ``host`` in a thread; shut it down on exit."""
    server = PageServer(host)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
