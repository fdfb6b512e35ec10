"""Tests of pipeline/heat.py: the heat formula and the level table."""

from __future__ import annotations

import math

import pytest

from yuqing.config import Config, EventLevelConfig
from yuqing.pipeline.heat import (
    LevelInputs,
    death_level,
    event_level,
    item_heat,
    media_weights,
)


def test_item_heat_formula() -> None:
    assert item_heat(1.0, None, None, None) == 1.0
    expected = 1.5 * (1 + math.log1p(100) + 0.5 * math.log1p(10) + 0.2 * math.log1p(1000))
    assert item_heat(1.5, 100, 10, 1000) == pytest.approx(expected)


def test_media_weight_overrides() -> None:
    weights = media_weights({"news": 3.0})
    assert weights["news"] == 3.0 and weights["gov"] == 2.0


def test_default_levels() -> None:
    table = Config().events.levels
    big = LevelInputs(heat=3000, size=500, negative=300, sensitive=2, media_types=4)
    assert event_level(big, table) == "I"
    # same event but positive: not I or II (negative share), but III needs 0.3 too
    assert event_level(LevelInputs(3000, 500, 100, 0, 4), table) == "IV"
    assert event_level(LevelInputs(600, 60, 30, 0, 2), table) == "II"
    assert event_level(LevelInputs(150, 12, 4, 0, 1), table) == "III"
    assert event_level(LevelInputs(5, 1, 1, 0, 1), table) == "IV"


def test_office_table_order_does_not_matter() -> None:
    table = [
        EventLevelConfig(level="III", min_size=2),
        EventLevelConfig(level="I", min_sensitive=1),
    ]
    assert event_level(LevelInputs(0, 3, 0, 1, 1), table) == "I"
    assert event_level(LevelInputs(0, 3, 0, 0, 1), table) == "III"


def test_unknown_level_in_config_is_refused() -> None:
    with pytest.raises(ValueError, match="I, II or III"):
        Config.model_validate({"events": {"levels": [{"level": "V"}]}})


@pytest.mark.parametrize(("deaths", "level"), [
    (0, None), (1, "IV"), (2, "IV"), (3, "III"), (9, "III"), (10, "II"), (29, "II"),
    (30, "I"), (300, "I"),
])
def test_death_level_follows_the_national_grading(deaths: int, level: str | None) -> None:
    assert death_level(deaths) == level


def test_event_level_is_the_graver_of_the_table_and_the_deaths() -> None:
    table = Config().events.levels
    small = LevelInputs(5, 1, 1, 0, 1)
    assert event_level(small, table) == "IV"
    assert event_level(LevelInputs(5, 1, 1, 0, 1, deaths=4), table) == "III"
    assert event_level(LevelInputs(5, 1, 1, 0, 1, deaths=12), table) == "II"
    # a heavy wave of posts keeps its graver table level when few died
    big = LevelInputs(3000, 500, 300, 2, 4, deaths=1)
    assert event_level(big, table) == event_level(LevelInputs(3000, 500, 300, 2, 4), table)
