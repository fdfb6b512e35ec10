"""Item identity: canonical URLs and item keys (docs/FIELD_CASES.md F3).

A feed that re-publishes its articles under new guids
(``http://…/1001.html`` then ``https://…/1001.html?from=rss``) must not
produce new items. The canonical form of a URL therefore drops what does
not change the document:

* the scheme (``http`` and ``https`` serve the same article);
* ``www.`` at the start of the host, and the host's case; default ports;
* the fragment, except hash routes (``#/…`` or ``#!…``) of single-page sites;
* tracking parameters (:data:`TRACKING_PARAMS` and any ``utm_*``/``share*``);
  the other parameters are kept, sorted;
* a trailing ``/`` of the path; percent-encoding is normalised (``%E4%B8%AD``
  and ``中`` are the same path).

``www.`` is dropped because Chinese news sites serve the same article on
both host names; ``m.`` (mobile) hosts are kept, their paths differ.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

TRACKING_PARAMS = frozenset(
    {
        "from",
        "spm",
        "scm",
        "isappinstalled",
        "scene",
        "srcid",
        "clicktime",
        "enterid",
        "wfr",
        "luicode",
        "lfid",
        "featurecode",
        "mpshare",
        "chksm",
        "vd_source",
        "ref",
        "ref_src",
        "fbclid",
        "gclid",
        "_t",
        "timestamp",
        "sessionid",
        "subscene",
        "sharer_sharetime",
    }
)
_TRACKING_PREFIXES = ("utm_", "share")
_DEFAULT_PORTS = {"80", "443"}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def _is_tracking(name: str) -> bool:
    """Return True when query parameter ``name`` only tracks the visitor."""
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return the canonical identity of ``url``: ``host[:port]/path[?sorted query][#route]``.

    Example: ``https://WWW.News.example.cn/a/1001.html/?utm_source=x&b=2&a=1#top``
    -> ``news.example.cn/a/1001.html?a=1&b=2``. A URL without a scheme
    (``news.example.cn/a``) is read as one. Raises ValueError when ``url``
    has no host.
    """
    text = url.strip()
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise ValueError(f"URL without a host: {url!r}")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError as err:
        raise ValueError(f"bad port in URL {url!r}") from err
    if port is not None and str(port) not in _DEFAULT_PORTS:
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe=_PATH_SAFE).rstrip("/")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    out = host + path
    if query:
        out += "?" + urlencode(query)
    if parts.fragment.startswith(("/", "!")):
        out += "#" + parts.fragment
    return out


def looks_like_url(text: str) -> bool:
    """Return True when ``text`` starts like an http(s) URL or a protocol-relative one."""
    low = text.strip().lower()
    return low.startswith(("http://", "https://", "//"))


def item_key(source: str, id: str | None, url: str | None, guid: str | None) -> str:
    """Return the stable key of an item.

    ``source:id`` when ``id`` is given; else ``url:`` + :func:`canonical_url`
    of ``url``, or of ``guid`` when that is a URL; else ``source:guid:guid``.
    Raises ValueError when there is no id, url or guid, or the URL has no host.
    """
    if id:
        return f"{source}:{id}"
    if url:
        return "url:" + canonical_url(url)
    if guid:
        return "url:" + canonical_url(guid) if looks_like_url(guid) else f"{source}:guid:{guid}"
    raise ValueError("item has no id, url or guid")
