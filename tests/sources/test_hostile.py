"""Property-based tests (hypothesis) of the importers and parsers of untrusted input.

sources/files.py with sources/csv_decode.py and sources/records.py (CSV, JSON Lines,
JSON), sources/rss.py ``parse_feed``, and the site readers sources/decode.py,
sources/site_links.py and sources/site_extract.py. The properties: nothing but
BadInput (or the documented Undecodable) is raised, whatever the bytes; one bad line
never loses the good rows around it; decoding never stores U+FFFD (the replacement
character) unless the input held that very character. Settings in
tests/support/hostile.py (derandomized: the same cases every run).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hostile import FIELD_TEXT, HOSTILE, hostile_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from yuqing.domain import BadInput, RawItem
from yuqing.exchange import clean_string
from yuqing.sources.decode import Undecodable, decode_html
from yuqing.sources.files import read_items
from yuqing.sources.records import raw_from_record
from yuqing.sources.rss import parse_feed
from yuqing.sources.site_extract import extract_article
from yuqing.sources.site_links import article_links, list_page_problem, page_anchors

FETCHED = datetime(2024, 3, 5, tzinfo=UTC)
REPLACEMENT = "\ufffd"


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    """A folder the examples of one module write their files in (overwritten each time)."""
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def read_all(path: Path) -> tuple[list[RawItem], list[BadInput]]:
    """Return the items and refusals of ``path``; a whole-file BadInput is one refusal.
    Anything else raised fails the test."""
    items: list[RawItem] = []
    bad: list[BadInput] = []
    try:
        for got in read_items(path, source="t", fetched_at=FETCHED):
            (bad if isinstance(got, BadInput) else items).append(got)  # type: ignore[arg-type]
    except BadInput as exc:
        bad.append(exc)
    return items, bad


def replacement_made(text: str, data: bytes) -> bool:
    """True when ``text`` holds U+FFFD that ``data`` did not hold, in UTF-8, GB18030 or
    UTF-16 (a strict decoder yields it only for the character itself)."""
    if REPLACEMENT not in text:
        return False
    return not any(REPLACEMENT.encode(enc) in data
                   for enc in ("utf-8", "gb18030", "utf-16-le", "utf-16-be"))


def stored(text: str) -> str:
    """Return ``text`` as an item holds it (exchange.field_string: blank text is "")."""
    cleaned = clean_string(text)
    return cleaned if cleaned.strip() else ""


def csv_rows(texts: list[str]) -> list[bytes]:
    """Return the UTF-8 CSV lines (header first) of rows ``g0, g1, ...`` with ``texts``."""
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF: a field holding CR or LF is quoted
    writer.writerow(["id", "text"])
    rows = [out.getvalue().encode()]
    for i, text in enumerate(texts):
        out.seek(0)
        out.truncate()
        writer.writerow([f"g{i}", text])
        rows.append(out.getvalue().encode())
    return rows


# ----- CSV -------------------------------------------------------------------------------


@settings(HOSTILE, max_examples=300)
@given(body=hostile_bytes(24) | st.binary(max_size=300))
def test_a_csv_file_of_any_bytes_gives_items_and_refusals_only(folder: Path, body: bytes) -> None:
    path = folder / "any.csv"
    path.write_bytes(b"id,text\n" + body)
    items, _ = read_all(path)
    for item in items:
        assert not replacement_made(item.text, body), item.text


@settings(HOSTILE, max_examples=300)
@given(texts=st.lists(FIELD_TEXT, min_size=1, max_size=6), bad=hostile_bytes(newlines=False),
       at=st.integers(min_value=0, max_value=6))
def test_one_bad_csv_line_never_loses_the_other_rows(folder: Path, texts: list[str], bad: bytes,
                                                      at: int) -> None:
    header, *rows = csv_rows(texts)
    at = min(at, len(rows))
    path = folder / "one-bad.csv"
    path.write_bytes(b"".join([header, *rows[:at], bad + b"\n", *rows[at:]]))
    items, refused = read_all(path)
    got = {i.id: i.text for i in items}
    for i, text in enumerate(texts):
        assert got.get(f"g{i}") == stored(text), (i, [str(r) for r in refused])


# ----- JSON Lines and JSON ---------------------------------------------------------------


@settings(HOSTILE, max_examples=200)
@given(texts=st.lists(FIELD_TEXT, min_size=1, max_size=6), bad=hostile_bytes(newlines=False),
       at=st.integers(min_value=0, max_value=6))
def test_one_bad_jsonl_line_never_loses_the_other_records(folder: Path, texts: list[str],
                                                          bad: bytes, at: int) -> None:
    lines = [json.dumps({"id": f"g{i}", "text": t}, ensure_ascii=False).encode() + b"\n"
             for i, t in enumerate(texts)]
    at = min(at, len(lines))
    path = folder / "one-bad.jsonl"
    path.write_bytes(b"".join([*lines[:at], bad + b"\n", *lines[at:]]))
    items, _ = read_all(path)
    got = {i.id: i.text for i in items}
    for i, text in enumerate(texts):
        assert got.get(f"g{i}") == stored(text), i


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | FIELD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FIELD_TEXT, inner, max_size=3),
    max_leaves=8)
RECORD_KEYS = st.sampled_from(["id", "url", "text", "title", "published_at", "reposts",
                               "comments", "likes", "source", "media_type", "author",
                               "parent_id", "guid", "other"])


@settings(HOSTILE, max_examples=400)
@given(record=st.dictionaries(RECORD_KEYS, JSON_VALUE, max_size=8))
def test_any_json_record_is_an_item_or_a_refusal(record: dict[str, Any]) -> None:
    try:
        item = raw_from_record(record, source="t", tz="Asia/Shanghai", media_type="other",
                               origin="x:1", fetched_at=FETCHED)
    except BadInput as exc:
        assert str(exc).startswith("x:1: ")
        return
    assert item.id is not None or item.url is not None
    for count in (item.reposts, item.comments, item.likes):
        assert count is None or count >= 0


@settings(HOSTILE, max_examples=150)
@given(body=hostile_bytes(24) | st.binary(max_size=300))
def test_a_json_file_of_any_bytes_gives_items_and_refusals_only(folder: Path,
                                                                body: bytes) -> None:
    for name in ("any.json", "any.jsonl"):
        path = folder / name
        path.write_bytes(body)
        read_all(path)


# ----- RSS and Atom ----------------------------------------------------------------------


def feed(entries: list[bytes]) -> bytes:
    """An RSS 2.0 document holding ``entries`` (raw bytes of each <item>'s description)."""
    items = b"".join(b"<item><title>t%d</title><link>http://example.cn/a/%d</link>"
                     b"<description>%s</description></item>" % (i, i, e)
                     for i, e in enumerate(entries))
    return (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            b"<title>f</title>" + items + b"</channel></rss>")


def parse(data: bytes) -> Any:
    return parse_feed(data, source="f", tz="Asia/Shanghai", media_type="news",
                      origin="feed.xml", fetched_at=FETCHED)


BOMS = st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])


@settings(HOSTILE, max_examples=300)
@given(data=hostile_bytes(30) | st.binary(max_size=400)
       | st.tuples(BOMS, hostile_bytes(8)).map(lambda bb: bb[0] + feed([bb[1], b"ok"])))
def test_any_bytes_parse_as_a_feed_or_fail_without_raising(data: bytes) -> None:
    parsed = parse(data)
    assert parsed.status in ("ok", "degraded", "failed")
    if parsed.status == "failed":
        assert parsed.items == [] and parsed.error
    for item in parsed.items:
        if replacement_made(item.text, data):
            assert parsed.status == "degraded" and "replaced" in (parsed.error or "")


WILD_ENTITY = st.sampled_from([b"&", b"&nbsp;", b"&ldquo;", b"&#1114112;", b"&#0;", b"&#x1;",
                               b"&amp;", b"&unknown;", b"AT&T", b"\xe4\xb8\xad",
                               "\u4e2d".encode("gb18030"), b"\xff", b"x"])


@settings(HOSTILE, max_examples=200)
@given(n=st.integers(min_value=1, max_value=5), at=st.integers(min_value=0, max_value=4),
       bad=st.lists(WILD_ENTITY, min_size=1, max_size=6).map(b"".join))
def test_one_entry_with_a_wild_entity_never_loses_the_others(n: int, at: int,
                                                             bad: bytes) -> None:
    entries = [b"plain %d" % i for i in range(n)]
    entries.insert(min(at, n), bad)
    parsed = parse(feed(entries))
    assert parsed.status != "failed", parsed.error
    links = {item.url for item in parsed.items}
    assert links == {f"http://example.cn/a/{i}" for i in range(n + 1)}


# ----- websites: decoding, list pages, article pages -------------------------------------


HTML_PIECES = st.sampled_from([
    "<html>", "<head>", "<title>", "</title>", "<meta charset=gbk>", "<base href=\"x:\">",
    "<base href=\"http://[\">", "<body>", "<div class=\"content\">", "</div>", "<a href=\"",
    "\">", "</a>", "<a href=\"http://[::1\">", "<a href=\"//\">", "<a href=\"http://a.cn:99999/\">",
    "<a href=\"/news/t20240305_1.html\">", "<a href='javascript:x'>", "<li>", "2024-03-05",
    "<nav>", "<script>", "</script>", "<![CDATA[", "]]>", "<p>", "发布时间：", "来源：",
    "县政府召开常务会议研究部署工作", "<record>", "<script type=\"text/xml\">", "&nbsp;",
    "\u3000", "\x00", "\x0b", "\ud7ff", "<", ">", " ", "\n",
])
HTML = st.lists(HTML_PIECES | FIELD_TEXT, max_size=25).map("".join)


@settings(HOSTILE, max_examples=300)
@given(data=hostile_bytes(30) | st.binary(max_size=300),
       charset=st.none() | st.sampled_from(["gbk", "utf-8", "big5", "nonsense", "utf-16"]))
def test_page_bytes_decode_strictly_or_are_refused(data: bytes, charset: str | None) -> None:
    try:
        decoded = decode_html(data, "http://a.cn/", http_charset=charset)
    except Undecodable as exc:
        assert str(exc).startswith("http://a.cn/: ")
        return
    assert not replacement_made(decoded.text, data)


@settings(HOSTILE, max_examples=250)
@given(html=HTML, url=st.sampled_from(["http://a.cn/list/", "https://www.a.cn/x/index.html"]))
def test_list_pages_of_any_markup_give_links_or_a_named_problem(html: str, url: str) -> None:
    for anchor in page_anchors(html, url):
        assert anchor.link.url.startswith(("http://", "https://"))
    scan = article_links([(url, html), ("http://a.cn/list/2.html", "<a href='/x'>x</a>")])
    assert all(link.key for link in scan.links)
    problem = list_page_problem(html, None)
    assert problem is None or isinstance(problem, str)


@settings(HOSTILE, max_examples=120)
@given(html=HTML)
def test_article_pages_of_any_markup_give_an_article_or_a_refusal(html: str) -> None:
    try:
        article = extract_article(html, "http://a.cn/news/t20240305_1.html")
    except BadInput as exc:
        assert str(exc).startswith("http://a.cn/news/t20240305_1.html: ")
        return
    assert article.text.strip()
    assert REPLACEMENT not in article.text or REPLACEMENT in html

