"""docs/FIELD_CASES.md F9 Negation: `我今天不高兴` negative; `我今天不难过`, `这家店的服务不差`,
`我一点也不后悔`, `这个产品不是不好` not negative -- with the shipped sentiment model."""

from __future__ import annotations

import pytest

from yuqing.pipeline.sentiment import SentimentModel
from yuqing.pipeline.textnorm import normalize_text


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


def _label(model: SentimentModel, text: str) -> str:
    return model.predict([normalize_text(text)[0]])[0][0]


def test_plain_negated_positive_is_negative(model: SentimentModel) -> None:
    assert _label(model, "我今天不高兴") == "negative"


@pytest.mark.parametrize(
    "text", ["我今天不难过", "这家店的服务不差", "我一点也不后悔", "这个产品不是不好"]
)
def test_negated_negative_and_double_negation_are_not_negative(
    model: SentimentModel, text: str
) -> None:
    assert _label(model, text) != "negative"
