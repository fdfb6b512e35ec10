"""Tests of yuqing.sources.rss against a real local HTTP server."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime

from feedserver import ETAG, LAST_MODIFIED, FeedServer
from pageserver import running_page_server
from poll_helpers import poll_once

from yuqing.config import SourceConfig
from yuqing.sources.base import FetchResult, FetchState
from yuqing.sources.rss import RssSource, decode_feed, parse_feed, repair_feed_text

AT = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def _source(url: str, **opts: object) -> RssSource:
    cfg = SourceConfig(name="gov", kind="rss", url=url, media_type="gov",
                       timezone="Asia/Shanghai", **opts)
    return RssSource(cfg)


def _poll(url: str, state: FetchState | None = None, **opts: object) -> FetchResult:
    return poll_once(_source(url, **opts), state, now=lambda: AT)


def test_normal_feed_fields_and_raw_dates(feed_server: FeedServer) -> None:
    result = _poll(feed_server.url("/normal"))
    assert result.status == "ok" and result.error is None
    first, second = result.items
    assert (first.id, first.guid, first.url) == (None, "gov-0001", "http://gov.example.cn/n/1.html")
    assert first.title == "关于春季防火的通告"
    assert "<b>防火</b>" in first.text  # HTML kept for the normaliser
    assert first.published_at == "2024/3/5 8:15:00"  # raw, F1
    assert second.published_at == "2024年3月5日 08:15"
    assert first.author == "市应急局"
    assert (first.source, first.media_type, first.tz, first.fetched_at) == (
        "gov", "gov", "Asia/Shanghai", AT)
    assert first.origin.endswith("/normal#1")


def test_atom_feed_uses_content_and_updated(feed_server: FeedServer) -> None:
    result = _poll(feed_server.url("/atom"))
    (item,) = result.items
    assert (item.id, item.guid) == (None, "urn:example:forum:77")
    assert item.url == "http://forum.example.cn/t/77"
    assert "今天早上停水" in item.text
    assert item.published_at == "2024-03-05T08:15:00+08:00"
    assert item.author == "张三"


def test_conditional_get_sends_validators_and_handles_304(feed_server: FeedServer) -> None:
    first = _poll(feed_server.url("/etag"))
    assert first.status == "ok" and len(first.items) == 2
    assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
    state = first.next_state(FetchState())
    second = _poll(feed_server.url("/etag"), state)
    assert second.status == "not_modified" and second.items == []
    headers = feed_server.requests[-1][1]
    assert headers["If-None-Match"] == ETAG
    assert headers["If-Modified-Since"] == LAST_MODIFIED
    assert second.next_state(state).etag == ETAG


def test_http_500_is_failed_naming_url(feed_server: FeedServer) -> None:
    result = _poll(feed_server.url("/500"))
    assert result.status == "failed" and result.items == []
    assert result.error == f"{feed_server.url('/500')}: HTTP 500"


def test_slow_server_times_out_as_failed(feed_server: FeedServer) -> None:
    result = _poll(feed_server.url("/slow"), timeout=0.3)
    assert result.status == "failed"
    assert result.error == f"{feed_server.url('/slow')}: timeout after 0.3 s"


def test_connection_refused_is_failed() -> None:
    result = _poll("http://127.0.0.1:9/feed", timeout=1)
    assert result.status == "failed" and "127.0.0.1:9" in (result.error or "")


def test_http_200_garbage_is_failed_not_a_feed(feed_server: FeedServer) -> None:
    result = _poll(feed_server.url("/garbage"))
    assert result.status == "failed"
    assert "not a feed" in (result.error or "")


def test_bad_encoding_is_recovered_and_degraded(feed_server: FeedServer) -> None:
    result = _poll(feed_server.url("/bad-encoding"))
    assert result.status == "degraded"
    assert [i.title for i in result.items] == ["关于春季防火的通告", "道路施工公告"]
    assert "gb18030" in (result.error or "")


def test_headers_option_is_sent(feed_server: FeedServer) -> None:
    assert len(_poll(feed_server.url("/normal"), headers={"X-Test": "1"}).items) == 2
    sent = feed_server.requests[-1][1]
    assert sent["X-Test"] == "1" and sent["User-Agent"].startswith("yuqing/")


def test_feed_cut_at_the_size_cap_is_degraded_and_named() -> None:
    items = "".join(f"<item><title>第{n}条</title><link>http://x.example.cn/{n}</link>"
                    f"<description>{'长' * 2000}</description></item>" for n in range(3000))
    feed = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}'
    with running_page_server() as server:
        server.add("/big.xml", feed + "</channel></rss>")
        result = _poll(server.url("/big.xml"))
    assert result.status == "degraded"
    assert (result.error or "").startswith(f"{server.url('/big.xml')}: feed cut at 5242880 bytes")
    assert 0 < len(result.items) < 3000


def test_decode_feed_order() -> None:
    assert decode_feed("<a>中</a>".encode("gb18030")) == ("<a>中</a>", [])
    text, problems = decode_feed('<?xml version="1.0" encoding="ascii"?><a>中</a>'.encode())
    assert text.endswith("<a>中</a>")
    assert problems == ["declared charset ascii does not fit the bytes; decoded as utf-8"]
    text, problems = decode_feed(b"<a>\xff\xfe\xff</a>"[:-1] + b"\x80\x80</a>")
    assert problems == ["undecodable bytes replaced"] and "\ufffd" in text


def test_a_bom_then_bytes_not_of_its_encoding_are_named_not_silently_replaced() -> None:
    text, problems = decode_feed(codecs.BOM_UTF8 + b"<a>\xff</a>")
    assert "\ufffd" in text
    assert problems == ["not utf-8-sig after its byte-order mark: undecodable bytes replaced"]
    assert decode_feed(codecs.BOM_UTF8 + "<a>中</a>".encode()) == ("<a>中</a>", [])


def test_an_empty_body_is_not_a_feed() -> None:
    parsed = parse_feed(b"", source="s", tz="Asia/Shanghai", media_type="news", origin="mem")
    assert parsed.status == "failed" and (parsed.error or "").startswith("mem: not a feed")


def test_repair_keeps_valid_refs_and_cdata() -> None:
    text, problems = repair_feed_text(
        "<a>&#65;&amp;&#0;&nbsp;&bogus;<![CDATA[&ldquo;]]> & </a>")
    assert text == "<a>&#65;&amp;&#160;&amp;bogus;<![CDATA[&ldquo;]]> &amp; </a>"
    assert len(problems) == 3


def test_entry_without_link_or_id_is_kept_under_a_derived_guid() -> None:
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>no link</title></item>"
            b"<item><title>ok</title><link>http://x.example.cn/1</link></item></channel></rss>")
    parsed = parse_feed(feed, source="s", tz="Asia/Shanghai", media_type="news", origin="mem")
    assert [i.title for i in parsed.items] == ["no link", "ok"]
    assert parsed.status == "ok" and parsed.rejected == []
    assert parsed.items[0].flags == ["derived_guid"] and parsed.items[1].flags == []
    assert parsed.items[1].text == "ok"  # headline-only entry: text falls back to title
