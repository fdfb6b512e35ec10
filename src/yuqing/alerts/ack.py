"""Signed acknowledgement links: ``{base_url}/api/alerts/{id}/ack?token=...``.

The token is the first 32 hex digits of HMAC-SHA256(secret, "ack:{id}"), so
a link acknowledges exactly one alert and cannot be forged without the
secret (``alerts.ack_secret`` in the config; a random per-process key when
unset, which makes links of earlier runs invalid).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_HEX = 32


class AckSigner:
    """Makes and checks acknowledgement tokens and links with one secret."""

    def __init__(self, secret: str | None, base_url: str) -> None:
        self._key = (secret or secrets.token_hex(32)).encode("utf-8")
        self.base_url = base_url.rstrip("/")

    def token(self, alert_id: int) -> str:
        """Return the token of ``alert_id`` (32 hex digits)."""
        return hmac.new(self._key, f"ack:{alert_id}".encode(), hashlib.sha256).hexdigest()[:TOKEN_HEX]

    def verify(self, alert_id: int, token: str) -> bool:
        """Return True when ``token`` is the token of ``alert_id`` (constant-time compare)."""
        return hmac.compare_digest(self.token(alert_id), token)

    def link(self, alert_id: int) -> str:
        """Return the acknowledgement URL of ``alert_id``."""
        return f"{self.base_url}/api/alerts/{alert_id}/ack?token={self.token(alert_id)}"
