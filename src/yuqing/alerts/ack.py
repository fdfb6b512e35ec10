"""Signed acknowledgement links: ``{base_url}/api/alerts/{id}/ack?token=...``.

The token is ``{expires}.{signature}``: ``expires`` the Unix time (seconds)
after which the link no longer works, ``signature`` the first 32 hex digits
of HMAC-SHA256(key, ``"ack:{id}:{expires}"``). So a link acknowledges
exactly one alert, cannot be forged or extended without the key, and stops
working after ``ttl_s`` (default ACK_TTL_S, 7 days: far beyond any
escalation step, short enough that an old forwarded message is harmless).

The key must be the same in every process that makes or checks links (the
web app, `yuqing run`) and across restarts. :func:`store_signer` takes
``alerts.ack_secret`` from the config when set (usually ``{"$env" =
"YUQING_ACK_SECRET"}``), else a key generated once and kept in the store
(store/shared_secrets.py), which every process using that store shares.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from yuqing.domain import BadInput
from yuqing.store import Store
from yuqing.store.shared_secrets import shared_secret

SIGNATURE_HEX = 32
ACK_TTL_S = 7 * 24 * 3600
#: the name of the acknowledgement key in the store's app_secrets table
SECRET_NAME = "ack"


class BadAckToken(BadInput):
    """An acknowledgement token that is malformed, expired or not signed with our key."""


class AckSigner:
    """Makes and checks acknowledgement tokens and links with one ``secret``.

    ``ttl_s`` is the lifetime of a new link in seconds; ``clock`` returns
    Unix seconds. Raises ValueError for an empty secret.
    """

    def __init__(self, secret: str, base_url: str, *, ttl_s: float = ACK_TTL_S,
                 clock: Callable[[], float] = time.time) -> None:
        if not secret:
            raise ValueError("the acknowledgement secret must not be empty")
        self._key = secret.encode("utf-8")
        self.base_url = base_url.rstrip("/")
        self.ttl_s = ttl_s
        self.clock = clock

    def _signature(self, alert_id: int, expires: int) -> str:
        msg = f"ack:{alert_id}:{expires}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()[:SIGNATURE_HEX]

    def token(self, alert_id: int) -> str:
        """Return a new token of ``alert_id``: ``{expires}.{32 hex digits}``."""
        expires = int(self.clock() + self.ttl_s)
        return f"{expires}.{self._signature(alert_id, expires)}"

    def check(self, alert_id: int, token: str) -> None:
        """Return when ``token`` acknowledges ``alert_id``; raise BadAckToken saying why not
        (malformed, signed for another alert or with another key, expired)."""
        expires_text, dot, signature = token.partition(".")
        if not dot or not expires_text.isdigit() or len(signature) != SIGNATURE_HEX:
            raise BadAckToken(f"alert {alert_id}: the acknowledgement token is malformed "
                              f"(expected '<expiry>.<{SIGNATURE_HEX} hex digits>'; links "
                              f"made before tokens carried an expiry no longer work)")
        expires = int(expires_text)
        if not hmac.compare_digest(self._signature(alert_id, expires), signature):
            raise BadAckToken(f"alert {alert_id}: the acknowledgement token is not valid "
                              f"(altered, made for another alert, or signed with another key)")
        if self.clock() > expires:
            at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires))
            raise BadAckToken(f"alert {alert_id}: the acknowledgement link expired at {at}; "
                              f"acknowledge the alert on the alert page instead")

    def verify(self, alert_id: int, token: str) -> bool:
        """Return True when ``token`` acknowledges ``alert_id`` (see check)."""
        try:
            self.check(alert_id, token)
        except BadAckToken:
            return False
        return True

    def link(self, alert_id: int) -> str:
        """Return a new acknowledgement URL of ``alert_id``."""
        return f"{self.base_url}/api/alerts/{alert_id}/ack?token={self.token(alert_id)}"


def store_signer(config_secret: str | None, store: Store, base_url: str) -> AckSigner:
    """Return the signer every process of ``store`` shares: keyed by ``config_secret``
    (``alerts.ack_secret``) when set, else by the key kept in the store (made on first use)."""
    return AckSigner(config_secret or shared_secret(store, SECRET_NAME), base_url)
