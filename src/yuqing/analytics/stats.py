"""Analytics over a time range and an optional scheme, for the web app, briefings and
`yuqing stats`.

Each function takes a Store and a :class:`~yuqing.store.analytics.Scope` and
returns plain JSON-able data. Times in results are local ISO strings in the
office's time zone (``tz``, an IANA name). SQL lives in store/analytics.py (read
through ``store.reports``);
this module rolls UTC hours up into local hours or days and fills empty
buckets with zeros so charts show quiet hours.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.store import Store
from yuqing.store.analytics import GroupColumn, Scope

Bucket = Literal["hour", "day"]
SENTIMENT_KEYS = ("negative", "neutral", "positive", "none")
#: most range texts segmented for keywords (sampled evenly) and background texts
KEYWORD_SAMPLE = 10_000
BACKGROUND_SAMPLE = 5_000

#: province-level divisions of China (GB/T 2260), short names
PROVINCES = frozenset((
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门",
))
_PROVINCE_SUFFIXES = (
    "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市",
)


def province_name(place: str) -> str | None:
    """Return the short province name when ``place`` names a province-level division
    (``广东省`` -> ``广东``, ``北京市`` -> ``北京``), else None."""
    for suffix in _PROVINCE_SUFFIXES:
        if place.endswith(suffix) and place[: -len(suffix)] in PROVINCES:
            return place[: -len(suffix)]
    return place if place in PROVINCES else None


def _bucket_start(utc_hour: str, zone: ZoneInfo, bucket: Bucket) -> datetime:
    """Return the local start of the bucket holding UTC hour ``YYYY-MM-DD HH``."""
    local = datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(zone)
    local = local.replace(minute=0, second=0, microsecond=0)
    return local.replace(hour=0) if bucket == "day" else local


def bucket_starts(scope: Scope, tz: str, bucket: Bucket) -> list[datetime]:
    """Return every local bucket start from the bucket of ``scope.since`` up to ``scope.until``."""
    zone = ZoneInfo(tz)
    first = _bucket_start(scope.since.astimezone(UTC).strftime("%Y-%m-%d %H"), zone, bucket)
    starts = []
    t = first
    while t < scope.until:
        starts.append(t)
        nxt = (t + timedelta(days=1) if bucket == "day" else t + timedelta(hours=1))
        # re-derive through UTC so DST changes never repeat or skip a bucket
        t = _bucket_start(nxt.astimezone(UTC).strftime("%Y-%m-%d %H"), zone, bucket)
    return starts


def sentiment_series(store: Store, scope: Scope, tz: str = "Asia/Shanghai",
                     bucket: Bucket = "hour") -> list[dict[str, Any]]:
    """Return volume and sentiment per local hour or day, empty buckets included.

    Shape: ``[{"t": local ISO start, "count": n, "negative": n, "neutral": n,
    "positive": n, "none": n}]``, oldest first.
    """
    rows = store.reports.hourly_sentiment(scope)
    zone = ZoneInfo(tz)
    sums: dict[datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SENTIMENT_KEYS, 0))
    for hour, sentiment, n in rows:
        sums[_bucket_start(hour, zone, bucket)][sentiment or "none"] += n
    out = []
    for start in bucket_starts(scope, tz, bucket):
        counts = sums.get(start, dict.fromkeys(SENTIMENT_KEYS, 0))
        out.append({"t": start.isoformat(), "count": sum(counts.values()), **counts})
    return out


def overview(store: Store, scope: Scope) -> dict[str, Any]:
    """Return the headline figures of ``scope``.

    Shape: ``{"items", "negative", "negative_share" (0-1, 4 places; 0.0 when
    no items), "sensitive", "duplicates", "engagement"}``.
    """
    doc: dict[str, Any] = store.reports.totals(scope)
    doc["negative_share"] = round(doc["negative"] / doc["items"], 4) if doc["items"] else 0.0
    return doc


def distribution(store: Store, scope: Scope, column: GroupColumn,
                 limit: int | None = None) -> list[dict[str, Any]]:
    """Return ``[{"name", "count", "engagement"}]`` per value of ``column`` (media_type,
    source, author, sentiment), most items first."""
    rows = store.reports.counts_by(scope, column, limit)
    return [{"name": v, "count": c, "engagement": e} for v, c, e in rows]


def geography(store: Store, scope: Scope, limit: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Return ``{"provinces": [{"name", "count"}], "cities": [...]}`` from ``item.places``.

    Province-level names (GB/T 2260, with or without 省/市/自治区) are
    provinces under their short name; every other place is a city. Both
    lists are empty until a stage fills ``places``.
    """
    rows = store.reports.place_counts(scope)
    provinces: dict[str, int] = defaultdict(int)
    cities: dict[str, int] = defaultdict(int)
    for place, n in rows:
        short = province_name(place)
        if short is None:
            cities[place] += n
        else:
            provinces[short] += n

    def ranked(counts: dict[str, int]) -> list[dict[str, Any]]:
        best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [{"name": k, "count": v} for k, v in best]

    return {"provinces": ranked(provinces), "cities": ranked(cities)}


def top_accounts(store: Store, scope: Scope, limit: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Return ``{"authors": [...], "sources": [...]}``, each ``[{"name", "count",
    "engagement"}]``, most items first."""
    return {"authors": distribution(store, scope, "author", limit),
            "sources": distribution(store, scope, "source", limit)}


def keywords(store: Store, scope: Scope, k: int = 20,
             extractor: KeywordExtractor | None = None) -> list[dict[str, Any]]:
    """Return the ``k`` best keywords of ``scope`` against the whole store
    (see analytics/keywords.py): ``[{"word", "count", "score"}]``.

    A range of more than KEYWORD_SAMPLE items is sampled evenly (every n-th
    stored row), the background is the newest BACKGROUND_SAMPLE items of the
    store, so the cost stays bounded on large ranges.
    """
    with store.snapshot() as tx:
        n = tx.reports.count_in(scope)
        step = -(-n // KEYWORD_SAMPLE) if n > KEYWORD_SAMPLE else 1
        texts = tx.reports.match_texts(scope, KEYWORD_SAMPLE, step) if n else []
        background = tx.reports.match_texts(None, BACKGROUND_SAMPLE) if texts else []
    return (extractor or KeywordExtractor()).top(texts, background, k)


def range_stats(store: Store, scope: Scope, *, tz: str = "Asia/Shanghai", bucket: Bucket = "hour",
                top: int = 10, n_keywords: int = 20,
                extractor: KeywordExtractor | None = None) -> dict[str, Any]:
    """Return every analytic of ``scope`` in one JSON-able document.

    Shape: ``{"since", "until" (local ISO), "scheme", "overview": {...},
    "series": [...], "bucket", "media": [...], "sentiment": [...],
    "geography": {...}, "accounts": {...}, "keywords": [...]}``; see the
    functions above for each part.
    """
    zone = ZoneInfo(tz)
    return {
        "since": scope.since.astimezone(zone).isoformat(),
        "until": scope.until.astimezone(zone).isoformat(), "scheme": scope.scheme,
        "overview": overview(store, scope), "bucket": bucket,
        "series": sentiment_series(store, scope, tz, bucket),
        "media": distribution(store, scope, "media_type"),
        "sentiment": distribution(store, scope, "sentiment"),
        "geography": geography(store, scope, top),
        "accounts": top_accounts(store, scope, top),
        "keywords": keywords(store, scope, n_keywords, extractor),
    }
