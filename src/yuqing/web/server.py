"""Running the web app with uvicorn, in the foreground or in a background thread."""

from __future__ import annotations

import socket
import threading

import uvicorn

from yuqing.domain import BadInput
from yuqing.runtime.context import Context
from yuqing.web.app import create_app


def check_port_free(host: str, port: int) -> None:
    """Raise BadInput naming ``host:port`` when it cannot be listened on (in use, not allowed)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise BadInput(f"--host {host} --port {port}: cannot listen there ({exc.strerror}); "
                           "is another Yuqing running? choose another --port") from None


def _server(ctx: Context, host: str, port: int) -> uvicorn.Server:
    check_port_free(host, port)
    config = uvicorn.Config(create_app(ctx), host=host, port=port, log_level="warning")
    return uvicorn.Server(config)


def serve_forever(ctx: Context, *, host: str = "127.0.0.1", port: int = 8800) -> None:
    """Serve the web app and JSON API until interrupted (Ctrl-C)."""
    server = _server(ctx, host, port)
    print(f"Yuqing web: http://{host}:{port}/  (API docs /docs, OpenAPI /openapi.json)", flush=True)
    server.run()


def serve_in_thread(ctx: Context, *, host: str = "127.0.0.1", port: int = 8800) -> uvicorn.Server:
    """Start the web app in a daemon thread; returns the server (set ``should_exit`` to stop)."""
    server = _server(ctx, host, port)
    threading.Thread(target=server.run, name="yuqing-web", daemon=True).start()
    return server
