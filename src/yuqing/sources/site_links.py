"""The article links of a website's list pages, and list pages that are not lists.

:func:`article_links` reads the list pages of one source and returns the links
to articles, in page and document order, each once (by its canonical URL,
pipeline/urls.py, the key the source remembers as seen):

- Links resolve against ``<base href>`` (relative ones too) and the page URL;
  ``javascript:``, ``mailto:``, ``#...`` and links to files (``.pdf``, ``.doc``,
  images, archives) are skipped, as are links to another host unless it is in
  ``allow_hosts`` (``www.`` aside), and links back to a list page.
- 大汉 (Hanweb) list pages hold their rows in ``<script type="text/xml">``
  ``<record><![CDATA[...]]></record>``, which browsers render through
  JavaScript: the records are read as part of the page.
- Navigation, headers, footers, breadcrumbs, pagers and share bars are not
  articles: links inside ``nav``/``header``/``footer`` elements or elements whose
  class or id names one (:data:`CHROME`), and links whose text is a pager or
  "more" word (``更多``, ``下一页``, ``尾页``) are dropped; with two list pages or
  more, a URL on every one of them is page furniture and dropped too.
- What is left is an article when ``link_pattern`` (a regex searched in the
  absolute URL) matches, or, without a pattern, when the URL looks like an
  article (:data:`ARTICLE_URL`: TRS ``t20240305_1001``, 大汉 ``/art/2024/3/5/art_``,
  dates or long ids in the path, ``content_123``, ``show-123``, ``?id=123``) and
  its text has ``MIN_TITLE`` characters, or when its text reads like a
  headline (``MIN_HEADLINE`` characters with Chinese in it) and the URL is not
  a column or index page. With ``link_selector`` (CSS) only the links inside
  (or being) the selected elements are read, and each is an article.

Each link carries the date the list shows next to it (in its row: the
nearest ``li``/``tr``/``dd``/``p``/``div`` holding at most two links), used when
the article page gives none. At most :data:`MAX_ANCHORS` anchors are read
per page, so a page of endless calendar links stays bounded; the source then
fetches at most ``max_new_per_poll`` new articles per poll.

:func:`list_page_problem` tells a login wall, a captcha or an error page
served with status 200 from a list page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from cssselect import SelectorError

from yuqing.domain import BadInput
from yuqing.pipeline.urls import canonical_url
from yuqing.sources.site_extract import DATE_TEXT, parse_html

#: anchors read per list page at most
MAX_ANCHORS = 2000
#: characters of link text an article-like URL needs (calendar days "5" are not articles)
MIN_TITLE = 4
#: characters of link text that make a headline on their own (with Chinese in it)
MIN_HEADLINE = 10

ARTICLE_URL = re.compile(
    r"t20\d{6}_\d+"                                   # TRS: t20240305_1001.html
    r"|/art/20\d{2}/\d{1,2}/\d{1,2}/art_"             # 大汉: /art/2024/3/5/art_1229_1.html
    r"|/20\d{2}[-/]?(?:0[1-9]|1[0-2])(?:[-/]?\d{2})?/"  # /2024/0302/, /202403/, /2024-03/05/
    r"|/20\d{2}/\d{1,2}/\d{1,2}/"                     # /2024/3/5/
    r"|/info/\d+/\d+\.s?html?"                        # VSB/博达: /info/1011/2345.htm
    r"|(?:content|show|detail|article|view|read|news|info|page)[-_]?\d{2,}"  # content_123, show-12
    r"|/c\d+-\d+\.s?html?"                            # /c1001-20240302001.html
    r"|[?&](?:id|aid|newsid|articleid|contentid|infoid|docid|wbnewsid)=\d+"
    r"|/\d{5,}\.s?html?$",                            # /1234567.html
    re.IGNORECASE)
#: URLs of columns, indexes and list pages (not articles, whatever their text)
_INDEX_URL = re.compile(r"(?:^|/)(?:index|default|list|more)(?:[_-]\d+)?\.\w+$|/col/col\d+/"
                        r"|/$|[?&](?:page|pageno|pagenum)=", re.IGNORECASE)
_FILE_URL = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|wps|et|zip|rar|7z|jpe?g|png|gif|bmp|mp4|"
                       r"mp3|apk|exe|txt|xml|rss|css|js)$", re.IGNORECASE)
#: class/id names of page furniture: whole names, a furniture word with an optional prefix
#: and suffix (``main-nav``, ``footer_wrap``); never ``page`` or ``main`` alone, which wrap
#: whole pages
CHROME = re.compile(
    r"^(?:(?:main|sub|top|site|g)?[-_]?(?:nav|navbar|menu|header|footer|foot|topbar|top-bar|"
    r"crumbs?|breadcrumbs?|position|location|dqwz|share|bdsharebuttonbox|pager|pages|"
    r"pagination|p_pages|copyright|bottom)(?:[-_]?(?:bar|box|wrap|in|inner|links?|main|area))?)$",
    re.IGNORECASE)
_PAGER_TEXT = re.compile(r"^(?:更多|查看更多|more|上一页|下一页|上页|下页|首页|尾页|末页|返回|"
                         r"打印|关闭|分享|登录|注册|\d{1,3}|[<>«»]+)\W*$", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DATASTORE = re.compile(r"<script[^>]*type=[\"']text/xml[\"'][^>]*>(.*?)</script>",
                        re.IGNORECASE | re.DOTALL)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_ROW_TAGS = frozenset({"li", "tr", "dd", "dt", "p", "div", "table", "ul", "dl"})
_DATE = re.compile(DATE_TEXT)

_LOGIN = re.compile(r"用户登录|请登录|登录后|统一身份认证|用户名|账号登录|密\s*码")
_CAPTCHA = re.compile(r"验证码|captcha|人机验证|安全验证|滑动验证|请完成验证|访问验证|"
                      r"访问过于频繁|请求过于频繁", re.IGNORECASE)
_ERROR = re.compile(r"\b(?:404|403|500|502|503)\b|页面不存在|找不到|无法找到|访问出错|出错了|"
                    r"系统维护|维护中|服务器错误|not found|forbidden|访问被拒绝|拒绝访问|"
                    r"非法请求|防火墙|\bWAF\b|安全狗", re.IGNORECASE)
#: visible characters under which a page with a login/captcha/error word is that page
_WALL_MAX_TEXT = 600
#: visible characters under which any page is too empty to be a list page
_EMPTY_TEXT = 40


@dataclass(frozen=True)
class Link:
    """An article link: absolute ``url``, its canonical ``key`` (pipeline/urls.py), the
    link ``text`` (the ``title`` attribute when the text is cut) and the ``list_date``
    shown next to it (a string, or None)."""

    url: str
    key: str
    text: str
    list_date: str | None


@dataclass(frozen=True)
class _Anchor:
    link: Link
    chrome: bool


def _norm(text: str) -> str:
    return " ".join(text.replace("\u3000", " ").replace("\xa0", " ").split())


def _host(url: str) -> str:
    """Lower-case host of ``url`` without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def with_records(html: str) -> str:
    """Return ``html`` with 大汉 datastore records (module doc) put in place of their
    ``<script type="text/xml">`` block."""
    def expand(m: re.Match[str]) -> str:
        records = _RECORD.findall(m.group(1))
        return f"<div class=\"datastore\">{''.join(records)}</div>" if records else m.group(0)
    return _DATASTORE.sub(expand, html)


def parse_page(html: str) -> lxml.html.HtmlElement:
    """Return the lxml document of ``html`` with its 大汉 records (site_extract.parse_html);
    raises BadInput for an empty document."""
    return parse_html(with_records(html))


def _in_chrome(el: lxml.html.HtmlElement) -> bool:
    """True when ``el`` sits in page furniture (module doc)."""
    for anc in el.iterancestors():
        if anc.tag in ("nav", "header", "footer"):
            return True
        names = (anc.get("class") or "").split() + (anc.get("id") or "").split()
        if any(CHROME.match(n) for n in names):
            return True
    return False


def _list_date(a: lxml.html.HtmlElement) -> str | None:
    """The date in ``a``'s row (module doc), or None."""
    for anc in a.iterancestors():
        if anc.tag not in _ROW_TAGS:
            continue
        if len(anc.xpath(".//a")) > 2:
            return None
        m = _DATE.search(anc.text_content())
        if m:
            return m.group(0)
    return None


def _anchors(doc: lxml.html.HtmlElement, page_url: str,
             selector: str | None) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """Yield (anchor, absolute URL without fragment) of the page, at most MAX_ANCHORS; a
    ``href`` that is no URL is skipped (a ``<base href>`` that is none is ignored)."""
    base_el = doc.find(".//base[@href]")
    base = page_url
    if base_el is not None:
        base = _joined(page_url, base_el.get("href", "").strip()) or page_url
    if selector:
        try:
            roots = doc.cssselect(selector)
        except SelectorError as exc:
            raise BadInput(f"link_selector {selector!r} is not a CSS selector: {exc}") from None
        anchors = [a for r in roots for a in ([r] if r.tag == "a" else r.iter("a"))]
    else:
        anchors = list(doc.iter("a"))
    for a in anchors[:MAX_ANCHORS]:
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#") or ":" in href.split("/", 1)[0] and not (
                href.lower().startswith(("http:", "https:"))):
            continue
        url = _joined(base, href)
        parts = urlsplit(url) if url else None
        if parts is not None and parts.scheme in ("http", "https") and parts.hostname:
            yield a, urlunsplit(parts._replace(fragment=""))


def _joined(base: str, href: str) -> str | None:
    """Return ``href`` resolved against ``base``, or None when it is no URL (``http://[``:
    an unclosed IPv6 host, which urllib refuses)."""
    try:
        joined = urljoin(base, href)
        urlsplit(joined)
    except ValueError:
        return None
    return joined


def page_anchors(html: str, page_url: str, *, selector: str | None = None) -> list[_Anchor]:
    """Return the anchors of one list page as candidate links (module doc); none for an
    empty page. Raises BadInput for a ``selector`` that is not CSS."""
    try:
        doc = parse_page(html)
    except BadInput:
        return []
    out = []
    for a, url in _anchors(doc, page_url, selector):
        text = _norm(a.text_content())
        title = _norm(a.get("title") or "")
        if len(title) > len(text) and (not text or text.rstrip(".…") in title):
            text = title
        try:
            key = canonical_url(url)
        except ValueError:
            continue
        out.append(_Anchor(Link(url, key, text, _list_date(a)),
                           chrome=selector is None and _in_chrome(a)))
    return out


def _is_article(link: Link, pattern: re.Pattern[str] | None) -> bool:
    """The article test of the module doc (no link_selector)."""
    if pattern is not None:
        return bool(pattern.search(link.url))
    path = urlsplit(link.url)
    target = path.path + ("?" + path.query if path.query else "")
    if ARTICLE_URL.search(target) and len(link.text) >= MIN_TITLE:
        return True
    return (len(link.text) >= MIN_HEADLINE and bool(_CJK.search(link.text))
            and not _INDEX_URL.search(target))


@dataclass(frozen=True)
class LinkScan:
    """What the list pages of one poll hold: the article ``links`` and the keys of the
    links on every one of them (``furniture``; empty with one list page)."""

    links: list[Link]
    furniture: frozenset[str]


def article_links(pages: Sequence[tuple[str, str]], *, allow_hosts: frozenset[str] = frozenset(),
                  link_pattern: re.Pattern[str] | None = None,
                  link_selector: str | None = None) -> LinkScan:
    """Return the article links of the list ``pages`` (``(page URL, HTML)`` pairs), in
    order, each key once (rules in the module doc), and the page furniture. Raises
    BadInput for a ``link_selector`` that is not CSS."""
    per_page = [page_anchors(html, url, selector=link_selector) for url, html in pages]
    list_keys = {canonical_url(url) for url, _ in pages}
    hosts = {_host(url) for url, _ in pages} | {h.lower().removeprefix("www.") for h in allow_hosts}
    everywhere: set[str] = set()
    if len(pages) > 1:
        everywhere = set.intersection(*({a.link.key for a in anchors} for anchors in per_page))
    seen: set[str] = set()
    out = []
    for anchors in per_page:
        for anchor in anchors:
            link = anchor.link
            if (link.key in seen or link.key in list_keys or link.key in everywhere
                    or anchor.chrome or _host(link.url) not in hosts
                    or _FILE_URL.search(urlsplit(link.url).path)):
                continue
            if link_selector is None and (_PAGER_TEXT.match(link.text)
                                          or not _is_article(link, link_pattern)):
                continue
            seen.add(link.key)
            out.append(link)
    return LinkScan(out, frozenset(everywhere))


def list_page_problem(html: str, links_found: int | None) -> str | None:
    """Return why ``html`` (a list page answered with status 200) is not a list page: an
    error page, a captcha, a login wall, an empty page; None when it may be one.

    ``links_found`` is how many article links the page gave (None: not looked for
    yet). A title saying 404/页面不存在 is an error page whatever its links (a site's
    404 template keeps its chrome); otherwise a page with article links is a list
    (a login box in a sidebar is no wall), and before links were looked for only a
    short page (``_WALL_MAX_TEXT`` characters) is judged by its words. Never raises.
    """
    try:
        doc = parse_page(html)
    except BadInput:
        return "an empty page (no HTML at all), not the list"
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    text = _norm(doc.text_content())
    title = _norm(doc.findtext(".//title") or "")
    if _ERROR.search(title):
        return f"an error page (title {title!r}), not the list"
    if links_found or (links_found is None and len(text) > _WALL_MAX_TEXT):
        return None
    if _CAPTCHA.search(text):
        return "a captcha page (验证码), not the list"
    if doc.xpath("//input[@type='password']") or _LOGIN.search(text) or _LOGIN.search(title):
        return "a login wall (登录), not the list"
    if _ERROR.search(text[:200]):
        return f"an error page ({text[:60]!r}), not the list"
    if len(text) < _EMPTY_TEXT and links_found == 0:
        return f"an almost empty page ({len(text)} characters of text), not the list"
    return None
