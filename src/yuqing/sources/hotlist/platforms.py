"""The hot lists Yuqing reads directly: one small adapter per platform, in one table.

Each :class:`Platform` names its public endpoint (overridable per source with
``url``), where the list is in the answer, and the fields of an entry: the title,
the platform's topic id (else the title is the key: shape.title_key), the heat
figure where the platform gives one, the link, and which entries are not topics
(ads, pinned official topics). Rank is the 1-based position among the topics kept.

The shapes were read from two open-source hot-list readers, ourongxing/newsnow
(``server/sources/*.ts``) and imsyy/DailyHotApi (``src/routes/*.ts``); the code is
ours, and tests/fixtures/hotlist holds one recorded-shape answer per platform.

==========  ========================================  ===================================
platform    list (heat field)                         key
==========  ========================================  ===================================
weibo       ``data.realtime`` (``num``); ads skipped  title (``word``)
baidu       page comment ``<!--s-data:{json}-->``,    title (``word``)
            ``data.cards.0.content`` (``hotScore``);
            the pinned ``isTop`` entry skipped
zhihu       ``data`` (``detail_text`` "1524 万热度")  ``target.id``
toutiao     ``data`` (``HotValue``)                   ``ClusterIdStr``
douyin      ``data.word_list`` (``hot_value``)        ``sentence_id``
bilibili    ``list`` (``heat_score``; hot searches)   ``keyword`` (title ``show_name``)
thepaper    ``data.hotNews`` (no heat)                ``contId``
tieba       ``data.bang_topic.topic_list``            ``topic_id``
            (``discuss_num``)
qq-news     ``idlist.0.newslist`` (``hotEvent.        ``id``
            hotScore``); the header card skipped
netease     ``data.list`` (no heat)                   ``docid``
==========  ========================================  ===================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from yuqing.domain import BadInput, HotlistEntry
from yuqing.sources.answers import (
    ShapeError,
    dig,
    items_at,
    load_json,
    parse_heat,
    text_at,
    title_key,
)

Entry = Mapping[str, Any]
#: (entry, key, title) -> the topic's link, or None
Link = Callable[[Entry, str, str], str | None]

_S_DATA = re.compile(rb"<!--s-data:(.*?)-->", re.DOTALL)
_TRAILING_DIGITS = re.compile(r"(\d+)$")


def _never(entry: Entry) -> bool:
    return False


@dataclass(frozen=True)
class Platform:
    """A hot list's adapter: where the topics are in its answer and what each field is.

    ``items`` is the dotted path of the list (digits index lists); ``title``,
    ``key`` (None: the normalised title) and ``heat`` (None: the platform gives
    none) are paths inside one entry; ``skip`` is True for entries that are not
    topics; ``document`` turns the body into the JSON document (``load_json``, or
    the page comment of Baidu's board); ``media_type`` is the items' default.
    """

    name: str
    label: str
    url: str
    media_type: str
    items: str
    title: str
    key: str | None
    heat: str | None
    link: Link
    skip: Callable[[Entry], bool] = _never
    document: Callable[[bytes, str], Any] = load_json

    def parse(self, body: bytes, where: str | None = None) -> list[HotlistEntry]:
        """Return the topics of one answer, by rank (1-based), each key once.

        ``where`` names the list in messages (default: the platform's name). Raises
        ShapeError naming the field when the answer is not in this shape: the list is
        missing or empty, an entry lacks its title, key or heat field, or every entry
        is skipped; nothing is returned from such an answer.
        """
        where = where or self.name
        raw = items_at(self.document(body, where), self.items, where)
        out: list[HotlistEntry] = []
        seen: set[str] = set()
        for i, entry in enumerate(raw):
            at = f"{self.items}[{i}]" if self.items else f"[{i}]"
            if not isinstance(entry, Mapping):
                raise ShapeError(f"{where}: {at} is not an object (got {type(entry).__name__})")
            if self.skip(entry):
                continue
            title = text_at(entry, self.title, where, at)
            key = text_at(entry, self.key, where, at) if self.key else title_key(title)
            if key in seen:
                continue
            seen.add(key)
            heat = parse_heat(dig(entry, self.heat, where, at)) if self.heat else None
            out.append(HotlistEntry(key=key, rank=len(out) + 1, title=title, heat=heat,
                                    url=self.link(entry, key, title)))
        if not out:
            raise ShapeError(f"{where}: none of the {len(raw)} entries of "
                             f"{self.items or 'the answer'} is a topic (all ads or pinned?)")
        return out


def baidu_document(body: bytes, where: str) -> Any:
    """Return the JSON of the ``<!--s-data:{...}-->`` comment of Baidu's board page;
    ShapeError when the comment is missing or is not JSON."""
    found = _S_DATA.search(body)
    if found is None:
        if not body.strip():
            raise ShapeError(f"{where}: the answer is empty")
        raise ShapeError(f"{where}: the page comment <!--s-data:...--> missing")
    try:
        return json.loads(found.group(1))
    except ValueError as exc:
        raise ShapeError(f"{where}: the page comment <!--s-data:...--> is not JSON "
                         f"({exc})") from None


def _get(entry: Entry, *names: str) -> str | None:
    """Return the first non-empty string field of ``names`` in ``entry``."""
    for name in names:
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _weibo_link(entry: Entry, key: str, title: str) -> str:
    return "https://s.weibo.com/weibo?q=" + quote(_get(entry, "word_scheme") or f"#{title}#")


def _zhihu_link(entry: Entry, key: str, title: str) -> str:
    target = entry.get("target")
    api = target.get("url") if isinstance(target, Mapping) else None
    found = _TRAILING_DIGITS.search(str(api or ""))
    return f"https://www.zhihu.com/question/{found.group(1) if found else key}"


def link_from(fmt: str | None, *fields: str) -> Link:
    """A Link: the first of ``fields`` present in the entry, else ``fmt`` with ``{key}``
    and ``{q}`` (the URL-quoted key) filled in (None without ``fmt``)."""
    def link(entry: Entry, key: str, title: str) -> str | None:
        found = _get(entry, *fields)
        if found or fmt is None:
            return found
        return fmt.format(key=key, q=quote(key))
    return link


PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    Platform("weibo", "微博热搜", "https://weibo.com/ajax/side/hotSearch", "weibo",
             items="data.realtime", title="word", key=None, heat="num", link=_weibo_link,
             skip=lambda e: bool(e.get("is_ad"))),
    Platform("baidu", "百度热搜", "https://top.baidu.com/board?tab=realtime", "news",
             items="data.cards.0.content", title="word", key=None, heat="hotScore",
             link=link_from("https://www.baidu.com/s?wd={q}", "url", "rawUrl"),
             skip=lambda e: bool(e.get("isTop")), document=baidu_document),
    Platform("zhihu", "知乎热榜",
             "https://www.zhihu.com/api/v3/feed/topstory/hot-lists/total?limit=50&desktop=true",
             "forum", items="data", title="target.title", key="target.id",
             heat="detail_text", link=_zhihu_link),
    Platform("toutiao", "今日头条热榜",
             "https://www.toutiao.com/hot-event/hot-board/?origin=toutiao_pc", "news",
             items="data", title="Title", key="ClusterIdStr", heat="HotValue",
             link=link_from("https://www.toutiao.com/trending/{key}/")),
    Platform("douyin", "抖音热榜",
             "https://www.douyin.com/aweme/v1/web/hot/search/list/"
             "?device_platform=webapp&aid=6383&channel=channel_pc_web&detail_list=1",
             "video", items="data.word_list", title="word", key="sentence_id",
             heat="hot_value", link=link_from("https://www.douyin.com/hot/{key}")),
    Platform("bilibili", "哔哩哔哩热搜", "https://s.search.bilibili.com/main/hotword?limit=30",
             "video", items="list", title="show_name", key="keyword", heat="heat_score",
             link=link_from("https://search.bilibili.com/all?keyword={q}")),
    Platform("thepaper", "澎湃热榜", "https://cache.thepaper.cn/contentapi/wwwIndex/rightSidebar",
             "news", items="data.hotNews", title="name", key="contId", heat=None,
             link=link_from("https://www.thepaper.cn/newsDetail_forward_{key}")),
    Platform("tieba", "贴吧热议榜", "https://tieba.baidu.com/hottopic/browse/topicList", "forum",
             items="data.bang_topic.topic_list", title="topic_name", key="topic_id",
             heat="discuss_num", link=link_from(None, "topic_url")),
    Platform("qq-news", "腾讯新闻热点榜",
             "https://r.inews.qq.com/gw/event/hot_ranking_list?page_size=50", "news",
             items="idlist.0.newslist", title="title", key="id", heat="hotEvent.hotScore",
             link=link_from("https://new.qq.com/rain/a/{key}"),
             skip=lambda e: not e.get("hotEvent")),
    Platform("netease", "网易新闻热点榜", "https://m.163.com/fe/api/hot/news/flow", "news",
             items="data.list", title="title", key="docid", heat=None,
             link=link_from("https://www.163.com/dy/article/{key}.html", "url")),
)}


def platform(name: str, where: str) -> Platform:
    """Return the adapter of ``name``; raises BadInput naming ``where`` and the known ones."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise BadInput(f"{where}: unknown hot-list platform {name!r} "
                         f"(known: {', '.join(PLATFORMS)})") from None
