"""Bytes to text for fetched documents, strictly: nothing decoded is ever replaced by U+FFFD.

Shared by the feed reader (sources/rss.py: :func:`bom_encoding`,
:func:`first_strict`) and the site reader (:func:`decode_html`).

:func:`decode_html` picks the encoding of an HTML page in this order:

1. a byte-order mark (UTF-8, UTF-16 LE/BE);
2. the declared charsets, each tried strictly: the HTTP ``Content-Type``
   charset, then the first ``<meta charset=...>`` or ``<meta http-equiv
   content="...; charset=...">`` found ANYWHERE in the page (a county site seen
   declaring it after 35 KB of inline CSS, past the 1,024 bytes browsers
   prescan). A declared non-UTF-8 charset loses to UTF-8 when the bytes hold
   non-ASCII and are valid UTF-8: a template that still says ``gbk`` over pages
   saved as UTF-8 would otherwise decode "successfully" into mojibake, since
   GB18030 accepts most UTF-8 byte pairs; the chance that GBK text is valid
   UTF-8 is negligible;
3. detection: valid UTF-8, else charset-normalizer over the page's text (tags,
   scripts and styles removed at the byte level: their ASCII would drown the
   few hundred bytes of Chinese, and it then guesses cp1250), restricted to
   :data:`DETECTED` encodings; on a tie GB18030 wins (the sites watched are
   mainland Chinese). A short text that fits several of them is such a tie.

Labels are read through :func:`codec_name`: GB2312, GBK (and their aliases)
are read as GB18030, a superset that decodes the characters GB2312 lacks
(镕, 喆) which real GB2312-labelled pages contain. A page cut at the size cap
(``truncated``) may end inside a character: the incomplete tail is dropped.
A page that fits none of these raises :class:`Undecodable` naming the URL and
the reason; the caller refuses it (no mojibake is stored).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass

import charset_normalizer

from yuqing.domain import BadInput

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
#: encodings detection may choose, besides UTF-8 (tried first); ties go to the first
DETECTED = ("gb18030", "big5", "shift_jis", "euc_jp", "euc_kr")
#: codec names read as GB18030 (its subsets)
_GB_FAMILY = frozenset({"gb2312", "gbk", "hz", "cp936"})
_META_CHARSET = re.compile(
    rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_MARKUP = re.compile(rb"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.IGNORECASE | re.DOTALL)


class Undecodable(BadInput):
    """A page whose bytes fit no charset it declares or detection finds: ``url: reason``."""


@dataclass(frozen=True)
class Decoded:
    """A decoded page: ``text``, the codec ``encoding`` used and ``how`` it was chosen
    (``"forced"``, ``"bom"``, ``"http"``, ``"meta"``, ``"utf-8 over declared X"``,
    ``"detected"``)."""

    text: str
    encoding: str
    how: str


def codec_name(label: str | None) -> str | None:
    """Return Python's codec name for a charset ``label`` (``"GB2312"`` -> ``"gb18030"``,
    ``"utf8"`` -> ``"utf-8"``), or None for an empty or unknown label."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "gb18030" if name in _GB_FAMILY else name


def bom_encoding(data: bytes) -> str | None:
    """Return the codec of the byte-order mark ``data`` starts with, or None."""
    return next((enc for bom, enc in BOMS if data.startswith(bom)), None)


def _strict(data: bytes, encoding: str, final: bool) -> str | None:
    """Return ``data`` decoded strictly, or None when it does not fit ``encoding``.
    With ``final`` False an incomplete character at the end is dropped."""
    try:
        return codecs.getincrementaldecoder(encoding)("strict").decode(data, final=final)
    except (UnicodeError, LookupError):  # UnicodeError: UTF-16/32 bytes without their BOM
        return None


def first_strict(data: bytes, encodings: Iterable[str],
                 final: bool = True) -> tuple[str, str] | None:
    """Return ``(text, encoding)`` for the first of ``encodings`` that decodes ``data``
    strictly (unknown codec names are skipped), or None when none does."""
    for enc in encodings:
        text = _strict(data, enc, final)
        if text is not None:
            return text, enc
    return None


def meta_charset(data: bytes) -> str | None:
    """Return the label of the first ``<meta ... charset=...>`` anywhere in ``data``."""
    m = _META_CHARSET.search(data)
    return m.group(1).decode("ascii") if m else None


def _detect(data: bytes) -> str | None:
    """Return the DETECTED encoding charset-normalizer finds for the text of ``data``
    (module doc, step 3), or None."""
    text = _MARKUP.sub(b" ", data)
    matches = charset_normalizer.from_bytes(text, cp_isolation=list(DETECTED))
    ranked = sorted(matches, key=lambda m: (m.chaos, -m.coherence, DETECTED.index(m.encoding)
                                            if m.encoding in DETECTED else len(DETECTED)))
    return ranked[0].encoding if ranked else None


def decode_html(data: bytes, url: str, *, http_charset: str | None = None,
                truncated: bool = False, forced: str | None = None) -> Decoded:
    """Return ``data`` (an HTML page fetched from ``url``) decoded by the order of the
    module doc, or strictly in the charset ``forced`` (a source's ``charset`` option)
    when given. Raises Undecodable (``url: reason``) when no encoding fits."""
    final = not truncated
    if forced is not None:
        enc = codec_name(forced)
        text = _strict(data, enc, final) if enc else None
        if enc is None or text is None:
            raise Undecodable(f"{url}: the bytes are not {forced} (the source's charset)")
        return Decoded(text, enc, "forced")
    bom = bom_encoding(data)
    if bom is not None:
        text = _strict(data, bom, final)
        if text is None:
            raise Undecodable(f"{url}: starts with a {bom} byte-order mark but is not {bom}")
        return Decoded(text, bom, "bom")
    declared = [(how, label, codec_name(label))
                for how, label in (("http", http_charset), ("meta", meta_charset(data)))
                if label]
    as_utf8 = None if data.isascii() else _strict(data, "utf-8", final)
    for how, label, enc in declared:
        if enc is None:
            continue
        if as_utf8 is not None and enc != "utf-8":
            return Decoded(as_utf8, "utf-8", f"utf-8 over declared {label}")
        text = _strict(data, enc, final)
        if text is not None:
            return Decoded(text, enc, how)
    if as_utf8 is not None or data.isascii():
        return Decoded(as_utf8 if as_utf8 is not None else data.decode("ascii"), "utf-8",
                       "detected")
    enc = _detect(data)
    text = _strict(data, enc, final) if enc else None
    if enc is None or text is None:
        said = "; ".join(f"{how} says {label!r}" + ("" if codec else " (unknown charset)")
                         for how, label, codec in declared)
        raise Undecodable(
            f"{url}: unknown encoding: the bytes fit no declared charset"
            f"{f' ({said})' if said else ''}, and none of UTF-8, {', '.join(DETECTED)}")
    return Decoded(text, enc, "detected")
