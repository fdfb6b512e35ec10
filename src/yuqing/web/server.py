"""Running the web app with uvicorn, in the foreground or in a background thread."""

from __future__ import annotations

import threading

import uvicorn

from yuqing.runtime.context import Context
from yuqing.web.app import create_app


def _server(ctx: Context, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(create_app(ctx), host=host, port=port, log_level="warning")
    return uvicorn.Server(config)


def serve_forever(ctx: Context, *, host: str = "127.0.0.1", port: int = 8800) -> None:
    """Serve the web app and JSON API until interrupted (Ctrl-C)."""
    print(f"Yuqing web: http://{host}:{port}/  (API docs /docs, OpenAPI /openapi.json)", flush=True)
    _server(ctx, host, port).run()


def serve_in_thread(ctx: Context, *, host: str = "127.0.0.1", port: int = 8800) -> uvicorn.Server:
    """Start the web app in a daemon thread; returns the server (set ``should_exit`` to stop)."""
    server = _server(ctx, host, port)
    threading.Thread(target=server.run, name="yuqing-web", daemon=True).start()
    return server
