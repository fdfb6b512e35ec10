"""Shared fixtures of the alert tests: items, alerts and REAL local servers.

- ``smtp_server``: an aiosmtpd server on a free port that records every
  message. Named behaviours by recipient local part: ``busy@`` gets
  ``451`` (transient), ``nouser@`` gets ``550`` (permanent); login
  ``yuqing``/``s3cret`` is accepted, any other password gets ``535``.
- ``http_server``: an http.server on port 0 in a thread that records every
  request. Named behaviours by path: ``/ok`` (200), ``/flaky`` (500 on the
  first request, then 200), ``/slow`` (answers after 1.5 s), ``/bad``
  (400), ``/redirect`` (302 to /ok).
Scrapy's tests/mockserver idea: a real server, named behaviours.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

SLOW_SECONDS = 1.5


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpRecorder:
    """aiosmtpd handler that records accepted envelopes; see the module docstring."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.logins: list[str] = []

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        local = address.split("@")[0]
        if local == "busy":
            return "451 4.3.0 mailbox busy, try later"
        if local == "nouser":
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Session, envelope: Envelope,
                     mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data == (b"yuqing", b"s3cret")
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    """A running SMTP server: where it listens and what it received."""

    host: str
    port: int
    recorder: SmtpRecorder


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Yield a real aiosmtpd server on 127.0.0.1 (stopped after the test)."""
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, server_hostname="localhost",
                            authenticator=recorder.authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        controller.stop()


@dataclass
class HttpServer:
    """A running HTTP server: base URL and the requests it received."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)


def _handler_class(state: HttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            n = state.hits[self.path] = state.hits.get(self.path, 0) + 1
            if self.path == "/slow":
                time.sleep(SLOW_SECONDS)
            status = {"/ok": 200, "/slow": 200, "/bad": 400, "/redirect": 302,
                      "/flaky": 500 if n == 1 else 200}.get(self.path, 404)
            payload = b'{"ok":true}' if status == 200 else b'{"error":"no"}'
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/ok")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """Yield a real threaded HTTP server on 127.0.0.1, port 0 (stopped after the test)."""
    state = HttpServer(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
