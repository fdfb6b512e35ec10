"""Tests of yuqing.pipeline.handling (handling-class suggestion with cues)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.domain import BadInput, Item
from yuqing.pipeline.handling import HandlingClassifier, read_handling_csv, suggest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "handling" / "handling.csv"
NOW = datetime(2024, 3, 5, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("请问社区医院周末上班吗？", 1),
    ("扩散！！！大家赶紧转给家长群！", 2),
    ("内部消息，那个局长收了开发商好几百万", 3),
    ("建议在学校门口增设一个人行横道", 4),
    ("感谢派出所民警帮我找回钱包", None),
])
def test_suggest_each_class_and_none(text: str, expected: int | None) -> None:
    result = suggest(text)
    assert result.handling_class == expected
    assert 0.0 <= result.confidence <= 1.0


def test_cues_explain_the_suggestion_and_reposts_use_own_words() -> None:
    result = suggest("请问为什么停水三天了？")
    assert result.cues[:2] == ("请问", "为什么") and result.scores[1] >= 4
    assert result.confidence > suggest("为什么？").confidence
    assert suggest("说得好//@用户a1b2c3:扩散！速转！").handling_class is None


def test_stage_sets_class_and_detail() -> None:
    item = Item(key="k", source="t", text="建议延长地铁末班车", match_text="建议延长地铁末班车",
                offsets=list(range(9)), published_at=NOW, fetched_at=NOW)
    HandlingClassifier().process([item])
    assert item.handling_class == 4
    assert item.handling is not None
    assert item.handling["label"] == "建设性意见" and "建议" in item.handling["cues"]


def test_labelled_set_covers_every_class_and_beats_majority() -> None:
    texts, classes, problems = read_handling_csv(FIXTURE)
    assert problems == [] and len(texts) >= 250
    assert {1, 2, 3, 4, None} <= set(classes)
    correct = sum(suggest(t).handling_class == c for t, c in zip(texts, classes, strict=True))
    assert correct / len(texts) >= 0.80
    assert correct / len(texts) > classes.count(None) / len(classes) + 0.3


def test_read_handling_csv_names_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("text,class\n请问,1\n坏,7\n好,none\n", encoding="utf-8")
    texts, classes, problems = read_handling_csv(path)
    assert classes == [1, None] and problems == [f"{path}:3: bad row (class '7')"]
    (tmp_path / "x.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(BadInput, match="text,class"):
        read_handling_csv(tmp_path / "x.csv")
