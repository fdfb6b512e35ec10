"""Event heat and level (I-IV): the formula and the configurable level table.

Heat (ours, chosen by hand so that volume dominates and one viral post cannot
outweigh a real wave of posts)::

    heat = sum over the event's items of
           media_weight(media_type) * (1 + ln(1 + reposts) + 0.5 ln(1 + comments)
                                         + 0.2 ln(1 + likes))

A plain post with no counts adds its media weight (1.0 for Weibo); a news
article 1.5, a government notice 2.0 (``DEFAULT_MEDIA_WEIGHTS``, overridable
in ``[events] media_weights``). Logarithms damp the heavy-tailed repost
counts. Heat is additive, so the clustering stage updates it per item.

Level (分级, after the four grades of China's national emergency plans:
I 特别重大, II 重大, III 较大, IV 一般): the first row of ``[[events.levels]]``
in the order I, II, III whose every threshold (heat, size, negative share,
sensitive items, media types) the event meets; otherwise IV. When the event's
members report an accident or a natural disaster (pipeline/incidents.py), the
level is the more severe of that and the national grading by deaths
(:func:`death_level`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from yuqing.config import EventLevelConfig

DEFAULT_MEDIA_WEIGHTS: dict[str, float] = {
    "news": 1.5, "gov": 2.0, "weibo": 1.0, "wechat": 1.2, "video": 1.2, "forum": 0.8,
    "app": 1.0, "other": 0.8,
}
LEVEL_ORDER = ("I", "II", "III", "IV")
LEVEL_NAMES = {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"}
#: (least deaths, level), gravest first: 《生产安全事故报告和调查处理条例》
#: (国务院令第493号, 2007) 第三条: 特别重大 30 or more deaths, 重大 10-29, 较大 3-9, 一般 1-2
DEATH_GRADES = ((30, "I"), (10, "II"), (3, "III"), (1, "IV"))
#: the incident categories the death grading applies to (accidents and disasters)
GRADED_CATEGORIES = ("事故灾难", "自然灾害")


def media_weights(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Return the default media weights updated with ``overrides``."""
    weights = dict(DEFAULT_MEDIA_WEIGHTS)
    weights.update(overrides or {})
    return weights


def item_heat(media_weight: float, reposts: int | None, comments: int | None,
              likes: int | None) -> float:
    """Return one item's contribution to heat (module formula); None counts as 0."""
    return media_weight * (1.0 + math.log1p(max(reposts or 0, 0))
                           + 0.5 * math.log1p(max(comments or 0, 0))
                           + 0.2 * math.log1p(max(likes or 0, 0)))


@dataclass(frozen=True)
class LevelInputs:
    """What the level rule looks at for one event."""

    heat: float
    size: int
    negative: int
    sensitive: int
    media_types: int
    deaths: int = 0

    @property
    def negative_share(self) -> float:
        """Share of the event's items labelled negative (0 for an empty event)."""
        return self.negative / self.size if self.size else 0.0


def death_level(deaths: int) -> str | None:
    """Return the level of an accident or disaster with ``deaths`` deaths by the national
    grading (``DEATH_GRADES``), or None when nobody died."""
    return next((level for least, level in DEATH_GRADES if deaths >= least), None)


def event_level(inputs: LevelInputs, table: list[EventLevelConfig]) -> str:
    """Return ``"I"``..``"IV"``: the more severe of :func:`death_level` of
    ``inputs.deaths`` and the first row of ``table`` (taken in I, II, III order) whose
    every threshold ``inputs`` meets (else ``"IV"``)."""
    by_table = "IV"
    for row in sorted(table, key=lambda r: LEVEL_ORDER.index(r.level)):
        if (inputs.heat >= row.min_heat and inputs.size >= row.min_size
                and inputs.negative_share >= row.min_negative_share
                and inputs.sensitive >= row.min_sensitive
                and inputs.media_types >= row.min_media_types):
            by_table = row.level
            break
    by_deaths = death_level(inputs.deaths)
    return min(by_table, by_deaths or "IV", key=LEVEL_ORDER.index)
