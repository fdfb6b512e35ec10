"""Title, body, publication time and source of one article page of a website.

The body comes from trafilatura, with the fixes that Chinese government,
school, hospital and news CMS pages need (measured by
``benchmarks/site_extract.py`` on ``tests/fixtures/sites``, trafilatura alone vs
this module; the figures are in README "Watching a website"):

1. **The content element**: ``content_selector`` when the source sets one;
   else the first of :data:`CMS_CONTENT` (the body containers of TRS
   ``.TRS_Editor``, 政府网站集约化 ``#UCAP-CONTENT``, VSB/博达 ``.v_news_content``,
   WebPlus ``.wp_articlecontent``, the common ``#zoom``) holding text. Its text
   is read block by block (every paragraph, even a one-line salutation).
2. Otherwise **the page, pruned**, goes to trafilatura: blocks whose text is
   a breadcrumb (``当前位置：``, ``您的位置：``), a print/close/share/font bar
   (``打印本页``, ``关闭窗口``, ``分享到``, ``字号``), a previous/next link
   (``上一篇``, ``下一条``), a related-articles box (``相关新闻``), an info line
   (``发布时间：… 来源：… 浏览次数``) or a footer (``主办单位``, ``版权所有``,
   ``ICP备``, ``网站标识码``, ``技术支持``) are removed first, deepest first, so a
   long article that merely contains one of them is kept.
3. Lines equal to the title, bare separators, and boilerplate lines left over
   are dropped from the text.

**Title**: the ``ArticleTitle`` meta (TRS, 大汉), else the longest heading
(``h1``-``h3`` or an element whose class says ``title``) found inside the
page's ``<title>``, else the longest part of ``<title>`` cut at ``_ - | —``
(the site name is the other part), else trafilatura's.

**Publication time**, the first found of: a meta tag of :data:`DATE_METAS` (the
first that gives a time of day, else the first);
the page's ``发布时间：``/``发布日期：``/``日期：``/``时间：`` line (after the title);
the date the list page shows next to the link; a date in the URL
(``t20240305_1001``, ``/art/2024/3/5/``, ``/2024/0302/``, ``/202403/05/``). The
value stays a string, read later in the source's zone (pipeline/dates.py).

**Author** (the ``来源：``): the ``ContentSource`` meta, else the page's
``来源：``/``信息来源：``/``文章来源：`` value, else its ``作者：`` value, else the
``author`` meta.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import lxml.etree
import lxml.html
import trafilatura
from cssselect import SelectorError
from trafilatura.settings import use_config

from yuqing.domain import BadInput
from yuqing.exchange import clean_string

DateFrom = Literal["meta", "page", "list", "url", "none"]

#: body containers of common CMS templates, tried in order
CMS_CONTENT = (".TRS_Editor", "#UCAP-CONTENT", ".v_news_content", ".wp_articlecontent",
               "#zoom", "#Zoom")
#: meta names/properties holding the publication time, in order of trust (lower case)
DATE_METAS = ("pubdate", "publishdate", "publish_date", "publishtime", "article:published_time",
              "og:published_time", "og:release_date", "datepublished", "firstpublishedtime",
              "dc.date.issued", "dc.date", "date")
_AUTHOR_METAS = ("contentsource", "source", "author", "article:author")
_TITLE_METAS = ("articletitle",)
_BLOCKS = frozenset({"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
                     "section", "article", "blockquote", "dd", "dt", "table", "ul", "ol",
                     "center", "pre"})
_DROP_TAGS = ("script", "style", "noscript", "iframe", "select", "button", "textarea", "nav",
              "footer")

_SEP = r"[ \t\u3000\xa0]*[:：][ \t\u3000\xa0]*"
#: a date with year (``2024-03-05``, ``2024/3/5``, ``2024年3月5日``), maybe a time of day
DATE_TEXT = (r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"
             r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?")
_DATE_LINE = re.compile(rf"(?:发布|发表|发文|更新|上传)?(?:时间|日期){_SEP}({DATE_TEXT})")
_ANY_DATE = re.compile(DATE_TEXT)
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_SOURCE_LINE = re.compile(rf"(?:信息|文章|稿件|新闻)?来源{_SEP}([^\s|｜/　:：]{{2,30}})")
_AUTHOR_LINE = re.compile(rf"(?:作者|撰稿|供稿|发布单位|发布机构){_SEP}([^\s|｜/　:：]{{2,30}})")
_URL_DATES = (
    re.compile(r"[/_t](20\d{2})(\d{2})(\d{2})[_/.-]"),     # t20240305_1001, /20240305/
    re.compile(r"/(20\d{2})[/-](\d{1,2})[/-](\d{1,2})/"),   # /art/2024/3/5/, /2024-03-05/
    re.compile(r"/(20\d{2})/?(\d{2})[/-]?(\d{2})/"),        # /2024/0302/, /202403/05/
)
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜—–]|--|\s-\s|-(?=[^-]*$))\s*")

_CRUMB = re.compile(r"^(?:当前位置|您的位置|您现在的位置|你的位置|所在位置|现在位置|位置)\s*[:：]")
_BAR = re.compile(r"打印本页|【打印】|\[打印\]|关闭窗口|【关闭】|分享到|字体[:：]|字号[:：]|"
                  r"返回顶部|加入收藏|设为首页|我要纠错|扫一扫在手机")
_PREV_NEXT = re.compile(r"^(?:上一篇|下一篇|上一条|下一条|上一则|下一则)\s*[:：]?")
_RELATED = re.compile(r"^(?:相关新闻|相关阅读|相关文章|相关链接|推荐阅读|热点信息|热门推荐|"
                      r"延伸阅读)")
_FOOTER = re.compile(r"主办单位|承办单位|主办[:：]|版权所有|ICP备|ICP证|网站标识码|公网安备|"
                     r"技术支持[:：]")
_INFO_LABEL = re.compile(r"(?:来源|作者|点击|浏览|阅读|访问)(?:次数|量|数)?[ \u3000]*[:：]")
_INFO_TIME = re.compile(r"(?:时间|日期)[ \u3000]*[:：]")
_PUBLISHED_LABEL = re.compile(r"(?:发布|发表|更新)(?:时间|日期)[ \u3000]*[:：]")
_LEFTOVER = re.compile(r"^(?:[|｜/\s]*|责任编辑[:：].*|[(（]\s*责任编辑[:：].*|编辑[:：].{0,10}|"
                       r"【?字[体号][:：].*|分享到[:：]?.*)$")
#: boilerplate blocks are short: longer text is kept even when it names a marker (characters)
_BAR_MAX = 120
_INFO_MAX = 200
_FOOTER_MAX = 600
_CRUMB_MAX = 200
_RELATED_MAX = 800
#: trafilatura's settings with MIN_EXTRACTED_SIZE 50 instead of 250 characters: 250 is
#: sized for alphabetic text, and a three-paragraph Chinese notice under it made
#: trafilatura fall back to a whole-page extraction that flattened title, info line and
#: previous/next links into the body (the hospital fixture)
_TRAFILATURA = use_config()
_TRAFILATURA.set("DEFAULT", "MIN_EXTRACTED_SIZE", "50")


class SelectorMissed(BadInput):
    """``content_selector`` matched nothing on a page (the site's template changed, or
    the selector is wrong): a problem of the config, not of the article."""


@dataclass(frozen=True)
class Article:
    """What one article page gives: ``title``, ``text`` (paragraphs joined by newlines),
    ``published`` (the raw date string, or None) and where it came from
    (``date_from``: ``meta``, ``page``, ``list``, ``url`` or ``none``), ``author`` (the
    来源, or None) and ``body_from`` (``selector``, ``cms``, ``trafilatura``)."""

    title: str
    text: str
    published: str | None
    date_from: DateFrom
    author: str | None
    body_from: str


def _norm(text: str) -> str:
    """Collapse whitespace (including ideographic and no-break spaces) to single spaces."""
    return " ".join(text.replace("\u3000", " ").replace("\xa0", " ").split())


def _metas(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """Return ``{lower-case name/property/itemprop: content}`` of the page's meta tags
    (the first of each name)."""
    out: dict[str, str] = {}
    for meta in doc.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop")
        content = (meta.get("content") or "").strip()
        if key and content:
            out.setdefault(key.strip().lower(), content)
    return out


def block_text(el: lxml.html.HtmlElement) -> str:
    """Return the text of ``el`` with one line per block element (``p``, ``div``, ``br``
    ...), each line whitespace-collapsed, empty lines dropped."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP_TAGS or not tag:
            if node.tail:
                parts.append(node.tail)
            return
        block = tag in _BLOCKS or tag == "br"
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(el)
    lines = (_norm(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _title(doc: lxml.html.HtmlElement, metas: dict[str, str]) -> str | None:
    """The title by the order of the module doc."""
    for key in _TITLE_METAS:
        if metas.get(key):
            return _norm(metas[key])
    page_title = _norm(doc.findtext(".//title") or "")
    headings = [_norm(h.text_content()) for h in doc.xpath(
        "//h1|//h2|//h3|//*[contains(translate(@class,'TITLE','title'),'title')]")]
    inside = [h for h in headings if len(h) >= 4 and h in page_title]
    if inside:
        return max(inside, key=len)
    if page_title:
        return max(_TITLE_SPLIT.split(page_title), key=len).strip() or page_title
    return None


def _matches(text: str) -> bool:
    """True when ``text`` (whitespace-collapsed) is one of the boilerplate blocks of the
    module doc."""
    n = len(text)
    return bool(
        (n <= _CRUMB_MAX and _CRUMB.match(text))
        or (n <= _BAR_MAX and _BAR.search(text))
        or (n <= _BAR_MAX * 2 and _PREV_NEXT.match(text))
        or (n <= _RELATED_MAX and _RELATED.match(text))
        or (n <= _FOOTER_MAX and _FOOTER.search(text))
        or (n <= _INFO_MAX and _info_line(text)))


def _info_line(text: str) -> bool:
    """True for an article's info line: a 发布时间 label, or a 来源/作者/点击 label with a
    second label or a date ("会议时间：3月10日" alone is body text)."""
    if _PUBLISHED_LABEL.search(text):
        return True
    if not _INFO_LABEL.search(text):
        return False
    return (len(_INFO_LABEL.findall(text)) >= 2 or bool(_INFO_TIME.search(text))
            or bool(_ANY_DATE.search(text)))


def prune(body: lxml.html.HtmlElement) -> None:
    """Remove the boilerplate blocks of the module doc from ``body``, deepest first."""
    for el in reversed(list(body.iter())):
        if not isinstance(el.tag, str) or el is body or el.getparent() is None:
            continue
        if el.tag in _DROP_TAGS or _matches(_norm(el.text_content())):
            el.drop_tree()


def _clean_lines(text: str, title: str | None) -> str:
    """Drop lines equal to the title, separators and leftover boilerplate (module doc, 3)."""
    keep = [line for line in (_norm(t) for t in text.split("\n"))
            if line and line != title and not _LEFTOVER.match(line) and not _matches(line)]
    return "\n".join(keep)


def _page_after_title(doc: lxml.html.HtmlElement, title: str | None) -> str:
    """The page's visible text from the title on (all of it when the title is not found)."""
    body = doc.find("body")
    text = block_text(body if body is not None else doc)
    at = text.find(title) if title else -1
    return text[at:] if at >= 0 else text


def url_date(url: str) -> str | None:
    """Return ``YYYY-MM-DD`` of a date in ``url``'s path (patterns of the module doc)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url.split("?", 1)[0], flags=re.I)
    for pattern in _URL_DATES:
        m = pattern.search(path)
        if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return None


def _published(metas: dict[str, str], page_text: str, list_date: str | None,
               url: str) -> tuple[str | None, DateFrom]:
    """The publication time and where it came from, by the order of the module doc."""
    in_meta = [metas[key] for key in DATE_METAS if metas.get(key)]
    if in_meta:
        return next((v for v in in_meta if _CLOCK.search(v)), in_meta[0]), "meta"
    m = _DATE_LINE.search(page_text)
    if m:
        return m.group(1), "page"
    if list_date:
        return list_date, "list"
    found = url_date(url)
    return (found, "url") if found else (None, "none")


def _author(metas: dict[str, str], page_text: str) -> str | None:
    """The 来源 (module doc)."""
    if metas.get("contentsource"):
        return _norm(metas["contentsource"])
    for pattern in (_SOURCE_LINE, _AUTHOR_LINE):
        m = pattern.search(page_text)
        if m:
            return m.group(1)
    for key in _AUTHOR_METAS[1:]:
        if metas.get(key):
            return _norm(metas[key])
    return None


def _selected(doc: lxml.html.HtmlElement, selector: str, url: str) -> lxml.html.HtmlElement | None:
    """The first element ``selector`` matches (None when none); raises BadInput for a CSS
    selector that does not parse."""
    try:
        found = doc.cssselect(selector)
    except SelectorError as exc:
        raise BadInput(f"{url}: content_selector {selector!r} is not CSS: {exc}") from None
    return found[0] if found else None


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Return the lxml document of ``html`` without the characters no store keeps (NUL,
    other C0 controls, lone surrogates: exchange.clean_string), which libxml2 would turn
    into U+FFFD or refuse; raises BadInput (``not an HTML page (...)``) for an empty
    document."""
    try:
        return lxml.html.document_fromstring(clean_string(html))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise BadInput(f"not an HTML page ({exc})") from None


def extract_article(html: str, url: str, *, list_date: str | None = None,
                    content_selector: str | None = None) -> Article:
    """Return the Article of the page ``html`` fetched from ``url`` (rules in the module
    doc). ``list_date`` is the date the list page showed next to the link.

    Raises BadInput naming ``url`` when the page has no body text, SelectorMissed when
    ``content_selector`` matches nothing (a changed template must be seen).
    """
    try:
        doc = parse_html(html)
    except BadInput as exc:
        raise BadInput(f"{url}: {exc}") from None
    metas = _metas(doc)
    title = _title(doc, metas)
    page_text = _page_after_title(doc, title)
    published, date_from = _published(metas, page_text, list_date, url)
    author = _author(metas, page_text)
    if content_selector:
        content = _selected(doc, content_selector, url)
        if content is None:
            raise SelectorMissed(f"{url}: content_selector {content_selector!r} matches nothing")
        body_from = "selector"
    else:
        content = next((el for sel in CMS_CONTENT for el in doc.cssselect(sel)
                        if len(_norm(el.text_content())) >= 20), None)
        body_from = "cms"
    if content is not None:
        prune(content)
        raw_text = block_text(content)
    else:
        body_from = "trafilatura"
        body = doc.find("body")
        prune(body if body is not None else doc)
        extracted = trafilatura.bare_extraction(doc, url=url, with_metadata=False,
                                                include_comments=False, include_tables=True,
                                                config=_TRAFILATURA)
        raw_text = getattr(extracted, "text", None) or ""
    text = _clean_lines(raw_text, title)
    if not text:
        raise BadInput(f"{url}: no article text found")
    return Article(title=title or text.split("\n", 1)[0][:80], text=text, published=published,
                   date_from=date_from, author=author, body_from=body_from)
