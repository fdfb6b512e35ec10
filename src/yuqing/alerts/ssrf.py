"""SSRF guard for user-entered URLs (webhooks): no internal addresses unless allowed.

Idea from changedetection.io's ``validate_url``: resolve the host and check
EVERY address it resolves to, so that a public-looking name pointing at
127.0.0.1, a private network or the cloud metadata service
(169.254.169.254) is refused. Numeric tricks (``http://2130706433/``,
``http://0x7f.1/``, ``::ffff:127.0.0.1``) are caught because the checked
addresses are the ones the resolver returns.

Limit: the HTTP client resolves the name again when it connects, so a DNS
answer that changes in between (DNS rebinding) is not caught here.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from yuqing.domain import BadInput

Resolver = Callable[..., list[tuple[Any, ...]]]
ALLOWED_SCHEMES = ("http", "https")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(BadInput):
    """The URL is not http(s), has no host, or points at an internal address."""


class UnresolvableHost(BadInput):
    """The URL's host name does not resolve (may be temporary)."""


def is_internal(address: IPAddress) -> bool:
    """Return True for addresses a webhook may not reach by default.

    Loopback, private (RFC 1918, ULA), link-local (incl. 169.254.169.254),
    shared (100.64/10), multicast, reserved and unspecified addresses: all
    that ``ipaddress`` does not call global. IPv4-mapped and 6to4 IPv6
    addresses are judged by the IPv4 address they carry.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return is_internal(inner)
    return not address.is_global or address.is_multicast


def resolve_addresses(host: str, port: int,
                      resolve: Resolver = socket.getaddrinfo) -> list[IPAddress]:
    """Return every address ``host`` resolves to; raises UnresolvableHost when none."""
    try:
        infos = resolve(host, port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"cannot resolve host {host!r}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise UnresolvableHost(f"host {host!r} resolves to no address")
    return addresses


def check_url(url: str, *, allow_internal: bool = False,
              resolve: Resolver = socket.getaddrinfo) -> None:
    """Check that ``url`` is safe to call; return None when it is.

    Raises UnsafeURL (naming the URL) when the scheme is not http/https, the
    host is missing, or (unless ``allow_internal``) any resolved address is
    internal (see :func:`is_internal`); raises UnresolvableHost when the
    host does not resolve. With ``allow_internal`` the host is not
    resolved. ``resolve`` has the signature of ``socket.getaddrinfo``.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(f"webhook URL {url!r} is not valid: {exc}") from exc
    if parts.scheme not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"webhook URL {url!r}: scheme must be http or https")
    if not parts.hostname:
        raise UnsafeURL(f"webhook URL {url!r} has no host")
    if allow_internal:
        return
    addresses = resolve_addresses(parts.hostname, port, resolve)
    bad = sorted({str(a) for a in addresses if is_internal(a)})
    if bad:
        raise UnsafeURL(f"webhook URL {url!r} points at internal address(es) "
                        f"{', '.join(bad)}; set allow_internal = true on the channel "
                        f"to allow it")
