"""Security headers on every answer of the web app (a plain ASGI middleware).

- ``Content-Security-Policy``: scripts only from this site and no inline script
  (``script-src 'self'``: a stored ``<script>`` that slipped past escaping would
  not run), no framing (``frame-ancestors 'none'``), forms and fetches to this
  site only; inline ``style`` attributes stay allowed (ECharts sets them). The
  FastAPI documentation pages (``/docs``, ``/redoc``) load Swagger UI from a CDN
  with an inline script and get no CSP; they hold no data.
- ``X-Frame-Options: DENY`` (frame denial for browsers without CSP level 2),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
ALWAYS = ((b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
          (b"referrer-policy", b"same-origin"))
NO_CSP_PREFIXES = ("/docs", "/redoc")


class SecurityHeaders:
    """Adds the headers of the module docstring to every HTTP answer of ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the call through, adding the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(ALWAYS)
        if not str(scope.get("path", "")).startswith(NO_CSP_PREFIXES):
            extra.append((b"content-security-policy", CSP.encode()))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
