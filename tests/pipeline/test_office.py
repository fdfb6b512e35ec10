"""Tests of yuqing.pipeline.office (the office polarity model) and its training data.

The training posts (src/yuqing/data/office/office_train.csv) are hand-written by us; the
texts below are new, written for these tests.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from yuqing.pipeline.base import StageUnavailable
from yuqing.pipeline.office import OfficeModel, features
from yuqing.pipeline.office_train import train, training_posts
from yuqing.pipeline.polarity import about_public_body, names_body, office_polarity
from yuqing.pipeline.textnorm import normalize_text

REPO = Path(__file__).resolve().parents[2]
TRAIN_CSV = REPO / "src" / "yuqing" / "data" / "office" / "office_train.csv"
SHIPPED = REPO / "src" / "yuqing" / "data" / "models" / "office.json"


@pytest.fixture(scope="module")
def model() -> OfficeModel:
    return OfficeModel.load()


def test_training_posts_are_ours_and_apart_from_the_eval_sets() -> None:
    assert TRAIN_CSV.read_text(encoding="utf-8").startswith("# Hand-written by the Yuqing")
    with TRAIN_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    assert len(rows) >= 400 and {r["label"] for r in rows} == {"0", "1"}
    assert {"fact", "harm", "polite", "rescue", "mood", "game"} <= {r["kind"] for r in rows}
    alerts = REPO / "tests" / "fixtures" / "alerts" / "qingshan_alerts.jsonl"
    held = {json.loads(line)["text"] for line in alerts.read_text(encoding="utf-8").splitlines()}
    with (REPO / "tests" / "fixtures" / "sentiment" / "public_affairs.csv").open(
            encoding="utf-8") as f:
        held |= {r["text"] for r in csv.DictReader(f)}
    assert not held & {r["text"] for r in rows}


def test_the_shipped_model_is_what_training_gives() -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    rebuilt = train(training_posts())
    assert rebuilt["thresholds"] == shipped["thresholds"]
    assert rebuilt["bias"] == pytest.approx(shipped["bias"], abs=1e-3)
    assert rebuilt["weights"].keys() == shipped["weights"].keys()


def test_features_leave_places_and_punctuation_out() -> None:
    a = features("东林县河口镇的学校收费不给收据！！")
    b = features("西山县白沙镇的学校收费不给收据")
    assert a == b and "mark:no_receipt" in a and not any("县" in f for f in a)


@pytest.mark.parametrize("text", [
    "交了八百块资料费，问老师要收据，老师说没有。",
    "镇中学收了每人两百的试卷费，没有开任何票据。",
    "县医院一位护士把婴儿洗澡水放得太烫，孩子脚上起了水泡。",
])
def test_plain_fact_complaints_and_calm_harm_score_high(model: OfficeModel, text: str) -> None:
    assert model.probability(normalize_text(text)[0]) >= 0.5


@pytest.mark.parametrize("text", [
    "今天在县医院陪了我妈一整天，累得话都不想说。",
    "昨晚梦见学校着火了，吓醒以后再也睡不着。",
    "民警把走丢的小女孩送回了家，孩子一点事都没有，点赞！",
])
def test_mood_dreams_and_good_news_score_low(model: OfficeModel, text: str) -> None:
    assert model.probability(normalize_text(text)[0]) < 0.5


def test_office_polarity_with_the_model(model: OfficeModel) -> None:
    fact = normalize_text("东林县二中收了每人两百的试卷费，没有开任何票据。")[0]
    mood = normalize_text("在县医院陪床第三天，晚上睡不着，好累。")[0]
    assert office_polarity("neutral", fact) == "neutral"
    assert office_polarity("neutral", fact, model) == "negative"
    assert office_polarity("negative", mood, model) == "neutral"
    # a post that names no public body keeps the writer's reading
    chat = normalize_text("今天心情很差，什么都不想做。")[0]
    assert not about_public_body(chat)
    assert office_polarity("negative", chat, model) == "negative"
    # nor is a mood near no body in particular cleared by the model (大学, 政府 said of none)
    student = normalize_text("什么时候才不用去学校啊，又失眠了")[0]
    assert about_public_body(student) and not names_body(student)
    assert office_polarity("negative", student, model) == "negative"


@pytest.mark.parametrize(("text", "named"), [
    ("柳溪镇中学的食堂", True), ("我在县医院", True), ("青山一中", True), ("扶轮小学的学生", True),
    ("在农村上学", False), ("大学生活", False), ("政府要重视", False), ("一个小县城", False),
])
def test_names_body_tells_one_body_from_none_in_particular(text: str, named: bool) -> None:
    assert names_body(text) is named


def test_a_missing_or_bad_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StageUnavailable, match="not found"):
        OfficeModel.load(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(StageUnavailable, match="not an office model"):
        OfficeModel.load(bad)
