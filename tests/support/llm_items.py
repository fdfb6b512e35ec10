"""Shared inputs of the [llm] tests: a config with one scheme and one alert rule, the three
hand-written fire posts of event_items.py as raw items, and an answer of the model with
one sentence its cited items support and one they do not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from event_items import FIRE, T0

from yuqing.config import parse_config
from yuqing.domain import RawItem
from yuqing.runtime.context import Context

SUPPORTED = "杭州地铁5号线车厢冒出浓烟，乘客紧急疏散。"
UNSUPPORTED = "市长已引咎辞职并向社会公开道歉。"
ANSWER = f"{SUPPORTED}[1][3]\n{UNSUPPORTED}[2]"
CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "schemes": [{"name": "地铁", "subject_words": ["地铁"]}],
    "alerts": {"rules": [{"name": "全部", "negative": False, "sensitive": False,
                          "channels": ["console"]}],
               "channels": [{"name": "console", "kind": "console"}]},
}


def raws() -> list[RawItem]:
    """The fire posts (weibo, source ``w``, ids 1-3), ten minutes apart from T0."""
    return [RawItem(source="w", id=str(i), text=text, fetched_at=T0, media_type="weibo",
                    published_at=T0 + timedelta(minutes=10 * i))
            for i, text in enumerate(FIRE, 1)]


def llm_context(store_url: str, base_url: str | None) -> Context:
    """A Context over ``store_url`` with CONFIG and, when ``base_url`` is given, ``[llm]``
    pointing there (model ``test-model``)."""
    config = dict(CONFIG)
    if base_url is not None:
        config["llm"] = {"base_url": base_url, "model": "test-model"}
    return Context(config=parse_config(config), database_url=store_url)
