"""Text clean-up for display and for matching, with an offset map.

Two texts come out of one input:

* the **plain text** (:func:`html_to_text`): markup removed, entities
  unescaped, block elements turned into line breaks. ``Item.text`` stores
  this plain text (the raw HTML is not kept), so every offset points into
  the string that is stored and displayed.
* the **match text** (:meth:`TextNormalizer.normalize`): what keyword
  matching, de-duplication and models see. Steps, in order:

  1. per-character Unicode NFKC (full-width letters and digits become ASCII,
     ``㎏`` becomes ``kg``) -- EXCEPT the full-width punctuation of the
     U+FF01..U+FF60 block (``，！：（）``), which Chinese text uses as its
     normal punctuation and which stays as written (F5 expects
     ``大家看着办，真的很着急`` with the full-width comma);
  2. invisible characters removed (zero-width U+200B..U+200F, word joiner,
     BOM, soft hyphen, bidi controls, variation selectors, C0 controls);
  3. every run of white space (incl. NBSP and the ideographic space U+3000)
     becomes one ASCII space; leading and trailing space is stripped;
  4. traditional -> simplified with OpenCC's ``tw2s`` config (``t2s`` leaves
     著 in 看著, MEASURED.md; OpenCC's phrase dictionaries keep 呼吸/猛烈
     intact, unlike character-table converters, docs/FIELD_CASES.md F5). A
     text WRITTEN in traditional characters (:func:`is_traditional`) goes
     through ``tw2sp`` instead, which also turns Taiwan wording into mainland
     wording (網路 -> 网络, 影片 -> 视频, 計程車 -> 出租车), so a traditional and a
     simplified telling of one happening match (F20.6). Only such texts: on
     mainland text ``tw2sp`` rewrites ordinary words (新增 -> 添加, 支援 -> 支持;
     136 of 20,000 CHECKED replay posts).

  ASCII letters keep their case. NFKC is applied per character, so
  combining sequences are not composed across characters.

``offsets[i]`` is the index in the plain text of the character that
produced ``match_text[i]``; one original character may produce several
match characters (``㎏`` -> ``kg``). OpenCC ``tw2s`` is length-preserving on
the 48,358 texts of the CHECKED replay stream; if a conversion ever changes
the length, the CJK runs are converted one by one and a run whose length
changed is aligned proportionally (monotone, first to first, last to last).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Protocol

import lxml.etree
import lxml.html
import opencc

from yuqing.exchange import clean_string

# Characters dropped from the match text: they render as nothing.
_INVISIBLE = (
    "\u0000-\u0008\u000e-\u001b\u007f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
# Full-width punctuation kept as written (Chinese typography), see module doc.
_KEPT_FULLWIDTH = re.compile(r"[\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff60]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_SPACE = re.compile(r"\s")
_MULTI_SPACE = re.compile(r"  +")

_TAG = re.compile(
    r"<(?:[a-zA-Z][a-zA-Z0-9:-]*\b[^<>]*|/[a-zA-Z][a-zA-Z0-9:-]*\s*|!--.*?--|!DOCTYPE[^<>]*)>", re.S
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_NUMERIC_REF = re.compile(r"&#(?:([0-9]{1,8})|[xX]([0-9a-fA-F]{1,8}));")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_DROP_TAGS = ("script", "style", "noscript", "template", "head", "iframe", "object")
_BLOCK_TAGS = frozenset(
    [
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "section", "article", "header", "footer", "pre", "hr", "dd", "dt",
    ]
)
_BLANK_LINES = re.compile(r"\n\s*\n+")
_LINE_SPACE = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*")


class Converter(Protocol):
    """Anything with OpenCC's ``convert(str) -> str``."""

    def convert(self, text: str) -> str:
        """Return ``text`` converted."""


def has_markup(text: str) -> bool:
    """Return True when ``text`` contains an HTML tag, comment or character reference."""
    return ("<" in text and _TAG.search(text) is not None) or (
        "&" in text and _ENTITY.search(text) is not None
    )


def _drop_bad_numeric_refs(text: str) -> str:
    """Remove ``&#N;`` references to non-characters (beyond U+10FFFF, surrogates, NUL).

    A bad reference is dropped, not replaced by U+FFFD (docs/FIELD_CASES.md F2).
    """

    def keep(m: re.Match[str]) -> str:
        code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
        ok = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
        return m.group(0) if ok else ""

    return _NUMERIC_REF.sub(keep, text)


def html_to_text(text: str) -> str:
    """Return the plain text of ``text`` if it holds markup, else ``text`` unchanged.

    Tags, comments and the content of script/style/head are dropped, entities
    are unescaped (``&ldquo;`` -> ``“`` without a DTD; an out-of-range
    ``&#1114112;`` is dropped), block elements and ``<br>`` end a line;
    lines are stripped and blank lines collapsed. Never raises: markup lxml
    cannot parse falls back to removing the tags with a regular expression.
    Characters no store keeps (NUL and other C0 controls, lone surrogates;
    see exchange.clean_string) are removed in every case.
    """
    text = clean_string(text)
    if not has_markup(text):
        return text
    text = _drop_bad_numeric_refs(_XML_DECL.sub("", text))
    if _TAG.search(text) is None:
        plain = html.unescape(text)
    else:
        try:
            plain = _lxml_text(text)
        except (lxml.etree.ParserError, ValueError):
            plain = html.unescape(_TAG.sub(" ", text))
    plain = _LINE_SPACE.sub("\n", plain)
    return _BLANK_LINES.sub("\n", plain).strip()


def _lxml_text(text: str) -> str:
    """Return the text content of an HTML fragment, one line per block element."""
    root = lxml.html.fragment_fromstring(text, create_parent="div")
    for bad in list(root.iter(lxml.etree.Comment, *_DROP_TAGS)):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    return str(root.text_content())


@lru_cache(maxsize=1)
def _nfkc_table() -> dict[str, str]:
    """Return {char: NFKC(char)} for every character NFKC changes, minus kept punctuation.

    Built once (about 0.25 s, 4,866 entries with Python 3.11's Unicode data).
    """
    table: dict[str, str] = {}
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if unicodedata.decomposition(ch) == "":
            continue
        norm = unicodedata.normalize("NFKC", ch)
        if norm != ch and not _KEPT_FULLWIDTH.match(ch) and not _SPACE.match(ch):
            table[ch] = norm
    return table


def _char_class(chars: list[str]) -> str:
    """Return a regex character class body matching exactly ``chars`` (as ranges)."""
    codes = sorted(ord(c) for c in chars)
    parts: list[str] = []
    start = prev = codes[0]
    for code in codes[1:] + [-1]:
        if code == prev + 1:
            prev = code
            continue
        parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        start = prev = code
    return "".join(parts)


class TextNormalizer:
    """Builds the match text and offset map; holds the OpenCC converter and tables.

    Build once at start-up (about 0.3 s) and reuse: ``normalize`` is called on
    every item. ``converter`` defaults to ``opencc.OpenCC("tw2s")``.
    """

    def __init__(self, converter: Converter | None = None) -> None:
        self._cc: Converter = converter if converter is not None else opencc.OpenCC("tw2s")
        self._phrases: Converter | None = opencc.OpenCC("tw2sp") if converter is None else None
        self._nfkc = _nfkc_table()
        self._special = re.compile(rf"(?P<ws>[\s{_INVISIBLE}]+)|[{_char_class(list(self._nfkc))}]")

    def normalize(self, text: str) -> tuple[str, list[int]]:
        """Return ``(match_text, offsets)`` for the PLAIN text ``text``.

        ``len(offsets) == len(match_text)``; ``offsets[i]`` indexes ``text``.
        Call :func:`html_to_text` first when the input may hold markup.
        """
        out, offsets = self._clean(text)
        if _MULTI_SPACE.search(out):  # only when an NFKC expansion produced spaces
            out, offsets = _collapse_spaces(out, offsets)
        if out.startswith(" "):
            out, offsets = out[1:], offsets[1:]
        if out.endswith(" "):
            out, offsets = out[:-1], offsets[:-1]
        return self._simplify(out, offsets)

    def _clean(self, text: str) -> tuple[str, list[int]]:
        """Apply NFKC, invisible-character removal and white-space collapsing."""
        parts: list[str] = []
        offsets: list[int] = []
        pos = 0
        nfkc = self._nfkc
        for m in self._special.finditer(text):
            start, end = m.span()
            if start > pos:
                parts.append(text[pos:start])
                offsets.extend(range(pos, start))
            if m.lastgroup == "ws":
                space = _SPACE.search(m.group())
                if space is not None:
                    parts.append(" ")
                    offsets.append(start + space.start())
            else:
                rep = nfkc[m.group()]
                parts.append(rep)
                offsets.extend([start] * len(rep))
            pos = end
        if pos == 0:
            return text, list(range(len(text)))
        parts.append(text[pos:])
        offsets.extend(range(pos, len(text)))
        return "".join(parts), offsets

    def simplified(self, text: str) -> str:
        """Return ``text`` in simplified characters as a reader sees it (punctuation, width
        and spaces kept): the conversion of step 4 alone, for titles and display."""
        return self._convert(text)[1]

    def _convert(self, text: str) -> tuple[Converter, str]:
        """Return (converter used, converted text): the phrase converter for a text written
        in traditional characters, else the character converter."""
        converted = self._cc.convert(text)
        if self._phrases is not None and converted != text and is_traditional(text, converted):
            return self._phrases, self._phrases.convert(text)
        return self._cc, converted

    def _simplify(self, text: str, offsets: list[int]) -> tuple[str, list[int]]:
        """Convert traditional to simplified, keeping ``offsets`` aligned."""
        cc, converted = self._convert(text)
        if len(converted) == len(text):
            return converted, offsets
        parts: list[str] = []
        new_offsets: list[int] = []
        pos = 0
        for m in _CJK_RUN.finditer(text):
            start, end = m.span()
            parts.append(text[pos:start])
            new_offsets.extend(offsets[pos:start])
            run = cc.convert(m.group())
            parts.append(run)
            new_offsets.extend(_align(offsets[start:end], len(run)))
            pos = end
        parts.append(text[pos:])
        new_offsets.extend(offsets[pos:])
        return "".join(parts), new_offsets


def is_traditional(text: str, converted: str) -> bool:
    """True when ``text`` is written in traditional characters: its character conversion
    ``converted`` (``tw2s``, same length) changes at least 2 characters and at least 1 in
    5 of its CJK characters (in a traditional text about 1 in 3 differ; a mainland post
    quoting a name in traditional form, 台北的朋友说臺灣今日新增病例, is not one)."""
    changed = sum(a != b for a, b in zip(text, converted, strict=False))
    return changed >= 2 and changed * 5 >= sum(1 for _ in _CJK_CHAR.finditer(text))


def _align(run_offsets: list[int], n_out: int) -> list[int]:
    """Return ``n_out`` offsets spread monotonically over ``run_offsets``."""
    n_in = len(run_offsets)
    if n_out == n_in:
        return run_offsets
    if n_out == 1:
        return [run_offsets[0]]
    return [run_offsets[(j * (n_in - 1) + (n_out - 1) // 2) // (n_out - 1)] for j in range(n_out)]


def _collapse_spaces(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Collapse runs of spaces in ``text``, keeping the offset of each run's first space."""
    keep = [i for i, ch in enumerate(text) if ch != " " or i == 0 or text[i - 1] != " "]
    return "".join(text[i] for i in keep), [offsets[i] for i in keep]


@lru_cache(maxsize=1)
def default_normalizer() -> TextNormalizer:
    """Return a shared :class:`TextNormalizer` with the ``tw2s`` converter (built on first use)."""
    return TextNormalizer()


def normalize_text(text: str) -> tuple[str, list[int]]:
    """Return ``(match_text, offsets)`` of the plain text ``text``; see :class:`TextNormalizer`."""
    return default_normalizer().normalize(text)


def match_form(word: str) -> str:
    """Return ``word`` (a scheme word, a query) in the form matching sees: the match
    text of :func:`normalize_text` (normalised, simplified)."""
    return normalize_text(word)[0]


def prepare_text(text: str) -> tuple[str, str, list[int]]:
    """Return ``(plain_text, match_text, offsets)`` for a text that may hold HTML.

    ``offsets`` index ``plain_text`` (which is what ``Item.text`` stores).
    """
    plain = html_to_text(text)
    match, offsets = normalize_text(plain)
    return plain, match, offsets


# Attribution and copyright tails of reposted articles (issue 19): what they say is who
# copied from whom, not what happened. Written for the forms seen on Chinese portals and
# WeChat reposts; each pattern stops at a sentence end or line break unless it starts with
# an unmistakable label (本文转自, ——转自), which runs to the end of the line.
_ATTRIBUTION = re.compile(
    r"(?:本文|文章|内容|原文)(?:转自|转载自|转载于|摘自|来源于|来自)[^\n]*"
    r"|[—\-–]{1,2}\s*(?:转自|转载自|摘自)[^\n]*"
    r"|(?:信息|消息|新闻|文章|图片|视频|图文|稿件)?来源\s*[:：]\s*[^\n。！？!?；;，,]{0,40}"
    r"|(?:责任编辑|责编|编辑|审核|校对|监制|值班编辑)\s*[:：]\s*[^\n。！？!?；;，,\s]{0,20}"
    r"|如有侵权[^\n。！？!?]{0,20}删除"
    r"|(?:版权|著作权)归(?:原)?作者所有"
    r"|(?:图片|图文|视频)(?:均)?来(?:源|自)(?:于)?网络"
    r"|转载请(?:注明|联系)[^\n。！？!?]{0,20}"
)


def strip_attribution(text: str) -> str:
    """Return ``text`` without attribution and copyright tails (本文转自…, 来源：…, 责任编辑：…).

    Removed: ``本文转自/转载自/摘自…`` and ``——转自…`` to the end of the line;
    ``来源：X``, ``责任编辑：X`` (and 编辑, 审核, 校对) up to the next clause
    break; ``如有侵权…删除``, ``版权归原作者所有``, ``图片来源网络``,
    ``转载请注明…``. Punctuation around them is left for the caller to drop.
    """
    return _ATTRIBUTION.sub("", text) if _ATTRIBUTION_HINT.search(text) else text


_ATTRIBUTION_HINT = re.compile(r"转自|转载|摘自|来源|来自|编|审核|校对|监制|侵权|作者所有")


def to_simplified(text: str) -> str:
    """Return ``text`` in simplified characters for display (:meth:`TextNormalizer.simplified`
    of the shared normaliser)."""
    return default_normalizer().simplified(text)
