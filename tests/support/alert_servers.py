"""REAL local servers for the alert tests (imported by conftest.py and tests/field).

- ``running_smtp_server()``: an aiosmtpd server on a free port that records every
  message. Named behaviours by recipient local part: ``busy@`` gets
  ``451`` (transient), ``nouser@`` gets ``550`` (permanent); login
  ``yuqing``/``s3cret`` is accepted, any other password gets ``535``.
- ``running_http_server()``: an http.server on port 0 in a thread that records every
  request. Named behaviours by path: ``/ok`` (200), ``/flaky`` (500 on the first
  request, then 200), ``/refuses-first`` (400 on the first request: a delivery that fails
  for good; then 200), ``/slow`` (answers after 1.5 s), ``/bad`` (400), ``/redirect``
  (302 to /ok); DingTalk-like robots answering HTTP 200 with an ``errcode``: ``/robot``
  (0 when the text holds 舆情预警, else 310000), ``/robot-refuses`` (always 310000),
  ``/robot-busy`` (130101 first, then as ``/robot``); WeCom-like ``/wecom`` (errcode 0;
  a markdown ``content`` over 4096 bytes gets 40058) and ``/wecom-refuses`` (93000);
  Feishu-like ``/feishu`` (code 0; a body over 30 KB gets 19036) and ``/feishu-refuses``
  (19024, keyword missing); an SMS gateway ``/sms`` (``{"code":0}``) and
  ``/sms-refuses`` (HTTP 200 ``{"code":1001}``). A path under ``/slow/`` (e.g.
  ``/slow/wecom``) answers like the rest of the path after 1.5 s, one under ``/pause/``
  after 0.2 s (a send that is in flight for a while). For retries of split alerts, like
  ``/wecom`` except: ``/wecom-part2-500`` answers the first part ``(2/n)`` with HTTP
  500, ``/wecom-part2-busy`` answers it HTTP 200 ``{"errcode":-1}`` (busy);
  ``/wecom-freq`` answers its first request with WeCom's rate-limit refusal 45009. Each
  recorded request gets the ``status`` and ``answer`` (bytes) it was given.
Scrapy's tests/mockserver idea: a real server, named behaviours.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

SLOW_SECONDS = 1.5
PAUSE_SECONDS = 0.2


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


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    """Yield a real aiosmtpd server on 127.0.0.1, stopped on exit."""
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


def _robot_answer(path: str, body: bytes, n: int) -> bytes:
    """A DingTalk-like robot: HTTP 200 always, refusal in ``errcode`` (F13)."""
    text = json.loads(body).get("markdown", {}).get("text", "")
    if path == "/robot-busy" and n == 1:
        return b'{"errcode":130101,"errmsg":"send too fast"}'
    if path == "/robot-refuses" or "舆情预警" not in text:
        return b'{"errcode":310000,"errmsg":"keywords not in content"}'
    return b'{"errcode":0,"errmsg":"ok"}'


PART_TWO = re.compile(r"^\(2/\d+\)$", re.M)


def wecom_content(body: bytes) -> str:
    """Return the markdown ``content`` of a WeCom message body ("" when it has none)."""
    try:
        return str(json.loads(body).get("markdown", {}).get("content", ""))
    except (ValueError, AttributeError):
        return ""


FLAKY_WECOM = ("/wecom-freq", "/wecom-part2-500", "/wecom-part2-busy")


def _flaky_wecom(path: str, body: bytes, n: int, part_twos: int) -> tuple[int, bytes]:
    """Status and answer of the FLAKY_WECOM robots (module docstring); ``n`` counts requests
    to ``path``, ``part_twos`` those carrying a part 2 so far (this one included)."""
    if path == "/wecom-freq" and n == 1:
        return 200, b'{"errcode":45009,"errmsg":"api freq out of limit"}'
    if part_twos == 1 and PART_TWO.search(wecom_content(body)):
        if path == "/wecom-part2-500":
            return 500, b'{"error":"internal"}'
        if path == "/wecom-part2-busy":
            return 200, b'{"errcode":-1,"errmsg":"system busy"}'
    return 200, _chat_answer("/wecom", body) or b""


def _chat_answer(path: str, body: bytes) -> bytes | None:
    """WeCom, Feishu and SMS-gateway answers (HTTP 200 always), or None for other paths."""
    if path == "/wecom":
        content = json.loads(body).get("markdown", {}).get("content", "")
        if len(content.encode("utf-8")) > 4096:
            return b'{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}'
        return b'{"errcode":0,"errmsg":"ok"}'
    if path == "/feishu" and len(body) > 30 * 1024:
        return b'{"code":19036,"msg":"The message exceeds the size limit of 30KB"}'
    answers = {"/wecom-refuses": b'{"errcode":93000,"errmsg":"invalid webhook url"}',
               "/feishu": b'{"code":0,"msg":"success","data":{}}',
               "/feishu-refuses": b'{"code":19024,"msg":"Key Words Not Found"}',
               "/sms": b'{"code":0,"msg":"ok"}',
               "/sms-refuses": b'{"code":1001,"msg":"signature not approved"}'}
    return answers.get(path)


def _handler_class(state: HttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path, _, query = self.path.partition("?")
            record: dict[str, Any] = {"path": path, "query": query,
                                      "headers": dict(self.headers), "body": body}
            state.requests.append(record)
            n = state.hits[path] = state.hits.get(path, 0) + 1
            if path == "/slow" or path.startswith("/slow/"):
                time.sleep(SLOW_SECONDS)
                path = path.removeprefix("/slow") or "/slow"
            if path.startswith("/pause/"):
                time.sleep(PAUSE_SECONDS)
                path = path.removeprefix("/pause")
            status = {"/ok": 200, "/slow": 200, "/bad": 400, "/redirect": 302,
                      "/flaky": 500 if n == 1 else 200,
                      "/refuses-first": 400 if n == 1 else 200}.get(path, 404)
            payload = b'{"ok":true}' if status == 200 else b'{"error":"no"}'
            if path.startswith("/robot"):
                status, payload = 200, _robot_answer(path, body, n)
            chat = _chat_answer(path, body)
            if chat is not None:
                status, payload = 200, chat
            if path in FLAKY_WECOM:
                part_twos = sum(1 for r in state.requests
                                if r["path"] == path and PART_TWO.search(wecom_content(r["body"])))
                status, payload = _flaky_wecom(path, body, n, part_twos)
            record.update(status=status, answer=payload)
            # the client may have given up (the /slow behaviour)
            with suppress(BrokenPipeError, ConnectionResetError):
                self.answer(status, payload)

        def answer(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/ok")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def running_http_server() -> Iterator[HttpServer]:
    """Yield a real threaded HTTP server on 127.0.0.1, port 0, stopped on exit."""
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
