"""`yuqing mcp`: the Model Context Protocol server for AI assistants (web/mcp_server.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from yuqing.cli.common import ConfigOpt, DbOpt, reading_context, user_errors
from yuqing.config import DEFAULT_PORT

#: the default port of ``yuqing mcp --http``: the one after the web app's
MCP_PORT = DEFAULT_PORT + 1


def mcp(
    http: Annotated[bool, typer.Option(
        "--http", help="serve streamable HTTP at /mcp (API tokens) instead of stdio")] = False,
    host: Annotated[str, typer.Option(help="--http: address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        min=0, max=65535, help="--http: port (0 takes a free one, printed)")] = MCP_PORT,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Serve the stored data to AI assistants over the Model Context Protocol.

    Without ``--http``: stdio, for an assistant that starts this command itself; it reads
    what the CLI reads. With ``--http``: streamable HTTP at ``http://HOST:PORT/mcp``; every
    request needs ``Authorization: Bearer <API token>`` (``yuqing user token NAME``) and
    sees what that user sees in the JSON API (their units' cases and alerts).
    """
    from yuqing.web.mcp_server import serve_http, serve_stdio

    with user_errors():
        ctx = reading_context(config, db)
        try:
            if http:
                serve_http(ctx, host=host, port=port)
            else:
                serve_stdio(ctx)
        finally:
            ctx.close()
