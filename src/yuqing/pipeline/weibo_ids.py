"""Weibo status ids in their two forms, and ``//@`` repost chains (docs/FIELD_CASES.md F12).

A status has a numeric ``mid`` (``5012345678901234``) and a base-62 short id
used in URLs (``O5banBlCi``). Conversion, as Weibo's own web client does it:
split the decimal mid into groups of 7 digits from the right, write each group
in base 62 with the alphabet ``0-9a-zA-Z``, and pad every group after the
first to 4 characters. Decoding reverses it (groups of 4 characters from the
right, each padded to 7 digits except the first).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIBO_HOSTS = ("weibo.com", "weibo.cn")
_MID = re.compile(r"[0-9]{10,20}")
_SHORT = re.compile(r"[0-9a-zA-Z]{8,10}")
# //@name: or //@name： -- names are 1-30 chars without separators (data README).
_CHAIN_NAME = re.compile(r"//@([^:：/\s]{1,30})[:：]")
_REPLY_PREFIX = re.compile(r"^\s*回复\s*@[^:：\s]{1,30}\s*[:：]")
# Path words that precede a status id in Weibo URLs.
_THREAD_WORDS = frozenset({"comment", "repost", "attitude"})
_STATUS_WORDS = _THREAD_WORDS | {"status", "detail", "statuses"}
_USER_WORDS = frozenset({"u", "n", "p", "profile", "home", "signup", "login"})


def _base62(number: int) -> str:
    """Return ``number`` (>= 0) in base 62 with :data:`ALPHABET`."""
    if number == 0:
        return "0"
    digits: list[str] = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(ALPHABET[rem])
    return "".join(reversed(digits))


def mid_to_short(mid: str) -> str:
    """Return the base-62 short id of the numeric ``mid``: ``5012345678901234`` -> ``O5banBlCi``.

    Raises ValueError when ``mid`` is not a string of decimal digits.
    """
    if not mid.isdigit() or not mid.isascii():
        raise ValueError(f"not a numeric Weibo mid: {mid!r}")
    groups: list[str] = []
    end = len(mid)
    while end > 0:
        start = max(0, end - 7)
        code = _base62(int(mid[start:end]))
        groups.append(code if start == 0 else code.rjust(4, "0"))
        end = start
    return "".join(reversed(groups))


def short_to_mid(short: str) -> str:
    """Return the numeric mid of a base-62 short id: ``O5banBlCi`` -> ``5012345678901234``.

    Raises ValueError when ``short`` holds a character outside ``0-9a-zA-Z``.
    """
    if not short or any(ch not in _INDEX for ch in short):
        raise ValueError(f"not a base-62 Weibo short id: {short!r}")
    groups: list[str] = []
    end = len(short)
    while end > 0:
        start = max(0, end - 4)
        number = 0
        for ch in short[start:end]:
            number = number * 62 + _INDEX[ch]
        groups.append(str(number) if start == 0 else str(number).rjust(7, "0"))
        end = start
    return "".join(reversed(groups)).lstrip("0") or "0"


def _id_to_mid(segment: str) -> str | None:
    """Return the mid of a URL path segment in either form, or None."""
    if _MID.fullmatch(segment):
        return segment
    if _SHORT.fullmatch(segment) and not segment.isdigit():
        return short_to_mid(segment)
    return None


def mid_from_url(url: str) -> str | None:
    """Return the numeric mid of a Weibo status URL, or None when ``url`` is not one.

    Understands ``weibo.com/<uid>/<id>``, ``weibo.com/detail/<id>``,
    ``m.weibo.cn/status/<id>``, ``m.weibo.cn/detail/<id>``,
    ``weibo.cn/comment/<id>`` (also ``repost``, ``attitude``) and ``?id=``/``?mid=``
    queries, where ``<id>`` is numeric or base 62. User pages give None.
    """
    parts = urlsplit(url.strip() if "://" in url else "//" + url.strip())
    host = (parts.hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in _WEIBO_HOSTS):
        return None
    query = parse_qs(parts.query)
    for name in ("mid", "id"):
        if name in query and _MID.fullmatch(query[name][0]):
            return query[name][0]
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        return None
    word, last = segments[-2], segments[-1]
    if word.lower() in _USER_WORDS:
        return None
    if word.lower() in _STATUS_WORDS or (word.isdigit() and len(segments) == 2):
        return _id_to_mid(last)
    return None


def parent_mid_from_url(url: str) -> str | None:
    """Return the mid of the status whose comment/repost page ``url`` is, else None.

    ``https://weibo.cn/comment/O5banBlCi`` -> ``5012345678901234``: an item
    fetched from that page replies to or reposts that status (F12). A plain
    status URL (``m.weibo.cn/status/…``) names the item itself and gives None.
    """
    parts = urlsplit(url.strip() if "://" in url else "//" + url.strip())
    words = {s.lower() for s in parts.path.split("/")}
    return mid_from_url(url) if words & _THREAD_WORDS else None


def repost_chain(text: str) -> tuple[str, list[str]]:
    """Return ``(own_words, quoted_names)`` of a Weibo text with a ``//@name:`` chain.

    ``own_words`` is the text before the first ``//@`` (stripped), without a
    leading ``回复@name:``; ``quoted_names`` lists the ``//@`` names in order
    (nearest first). ``"转发 //@路人甲:注意安全"`` -> ``("转发", ["路人甲"])``.
    """
    cut = text.find("//@")
    own = text if cut < 0 else text[:cut]
    own = _REPLY_PREFIX.sub("", own).strip()
    names = _CHAIN_NAME.findall(text, cut) if cut >= 0 else []
    return own, names
