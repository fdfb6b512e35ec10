"""Builders of items and alerts shared by the alert tests (imported as a module)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from yuqing.domain import Alert, Item, TermHit

NOW = datetime(2024, 3, 5, 0, 15, tzinfo=UTC)


GAS_TEXT = "某小区燃气泄漏无人处理，居民十分愤怒，物业电话一直打不通"


def make_item(key: str = "weibo:1", *, text: str = GAS_TEXT,
              schemes: tuple[str, ...] = ("燃气安全",), sentiment: str | None = "negative",
              score: float | None = 0.93, terms: tuple[TermHit, ...] = (), **kw: Any) -> Item:
    """Return an analysed Item (published 2024-03-05 08:15 Beijing time)."""
    return Item(key=key, source="weibo", text=text, match_text=text,
                offsets=list(range(len(text))), published_at=NOW, fetched_at=NOW,
                media_type="weibo", url=f"https://weibo.com/{key.split(':')[-1]}",
                sentiment=sentiment, sentiment_score=score, sensitive_terms=list(terms),
                schemes=list(schemes), **kw)


def make_alert(n: int = 1, channels: tuple[str, ...] = ("console",)) -> Alert:
    """Return a Chinese alert number ``n`` sent to ``channels``."""
    return Alert(rule="燃气", dedup_key=f"燃气:weibo:{n}",
                 title=f"【舆情预警】燃气安全：负面 — 第{n}条",
                 body=f"来源：weibo（weibo）\n摘要：燃气泄漏无人处理{n}", item_keys=[f"weibo:{n}"],
                 created_at=NOW, level="III", channels=list(channels))


Tries = list[tuple[str, str, int, list[str | None]]]


def outbox_history(store: Any) -> dict[str, Tries]:
    """Return ``{dedup_key: [(channel, status, attempts, [outcome of each try])]}`` of the
    outbox of ``store`` (a yuqing Store)."""
    from yuqing.store import alerts as outbox

    with store.read() as conn:
        rows = outbox.alert_history(conn, 1000)
    return {r["dedup_key"]: [(d["channel"], d["status"], d["attempts"],
                              [t["outcome"] for t in d["tries"]]) for d in r["deliveries"]]
            for r in rows}
