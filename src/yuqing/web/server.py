"""Running the web app with uvicorn, in the foreground or in a background thread."""

from __future__ import annotations

import socket
import threading

import uvicorn

from yuqing.cases.people import NO_PASSWORD
from yuqing.config import DEFAULT_PORT
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


#: the command that creates the first web login (README "Web app")
FIRST_LOGIN = "yuqing user add NAME --role admin --password-stdin"


def start_lines(ctx: Context, host: str, port: int) -> list[str]:
    """Return what `yuqing serve` and `yuqing run` print at start: the address of the web
    app (``127.0.0.1`` for an all-addresses ``--host``), and how to create the first login
    (:data:`FIRST_LOGIN`) while no active account has a password (accounts made from
    ``[[cases.users]]`` have none)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    lines = [f"网页 web app: http://{shown}:{port}/  (API docs /docs, OpenAPI /openapi.json)"]
    accounts = ctx.store.accounts
    if not any((found := accounts.user_for_login(u["name"])) is not None
               and found["password_hash"] != NO_PASSWORD for u in accounts.users()):
        lines.append(f"尚无可登录的账号 no account can log in yet; create the first: {FIRST_LOGIN}")
    return lines


def serve_forever(ctx: Context, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
    """Serve the web app and JSON API until interrupted (Ctrl-C), after printing
    :func:`start_lines`."""
    server = _server(ctx, host, port)
    print("\n".join(start_lines(ctx, host, port)), flush=True)
    server.run()


class BackgroundServer:
    """The web app running in a daemon thread; ``stop()`` ends it and waits."""

    def __init__(self, server: uvicorn.Server) -> None:
        self.server = server
        self.thread = threading.Thread(target=server.run, name="yuqing-web", daemon=True)
        self.thread.start()

    @property
    def started(self) -> bool:
        """True once the server listens."""
        return bool(self.server.started)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to finish its requests and shut down; wait up to ``timeout`` s."""
        self.server.should_exit = True
        self.thread.join(timeout)


def serve_in_thread(
    ctx: Context, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT
) -> BackgroundServer:
    """Start the web app in a daemon thread; raises BadInput when the port is taken."""
    return BackgroundServer(_server(ctx, host, port))
