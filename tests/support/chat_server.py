"""A REAL local server speaking the OpenAI chat-completions protocol, for the [llm] tests.

``running_chat_server(answer)`` serves on a free port (port 0) in a thread and records
every request body. ``POST <base>/v1/chat/completions`` answers
``{"choices": [{"message": {"role": "assistant", "content": answer}}]}``. Named
behaviours by path prefix: ``/broken/v1/...`` answers HTTP 500, ``/html/v1/...`` an HTML
error page with HTTP 200, ``/gated/v1/...`` answers only once ``server.gate`` is set (an
endpoint that is slow for as long as the test wants). Scrapy's tests/mockserver idea.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ChatServer:
    """The running server: ``base`` (``http://127.0.0.1:PORT``), the ``requests`` it got
    (``{"path", "headers", "body"}``), the ``answer`` it gives and the ``gate`` of
    ``/gated/``."""

    base: str
    answer: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)

    def url(self, behaviour: str = "") -> str:
        """Return the ``[llm] base_url`` of a behaviour ("" normal, "broken", "html",
        "gated")."""
        return f"{self.base}/{behaviour}/v1" if behaviour else f"{self.base}/v1"

    def prompts(self) -> list[str]:
        """Return the user message of every request, in order."""
        return [m["content"] for r in self.requests for m in r["body"]["messages"]
                if m["role"] == "user"]


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            server.requests.append({"path": self.path, "headers": dict(self.headers),
                                    "body": body})
            if not self.path.endswith("/v1/chat/completions"):
                self._send(404, b'{"error": "not found"}', "application/json")
            elif self.path.startswith("/broken/"):
                self._send(500, b'{"error": {"message": "model crashed"}}', "application/json")
            elif self.path.startswith("/html/"):
                self._send(200, b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title>"
                                b"</head></html>", "text/html")
            else:
                if self.path.startswith("/gated/"):
                    server.gate.wait(60)
                doc = {"id": "chatcmpl-test", "object": "chat.completion",
                       "model": body.get("model"),
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": server.answer}}]}
                self._send(200, json.dumps(doc, ensure_ascii=False).encode(), "application/json")

    return Handler


@contextmanager
def running_chat_server(answer: str) -> Iterator[ChatServer]:
    """Serve the chat-completions protocol answering ``answer`` on 127.0.0.1 port 0."""
    state = ChatServer(base="", answer=answer)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.gate.set()
        httpd.shutdown()
        httpd.server_close()
