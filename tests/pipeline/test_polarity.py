"""Tests of yuqing.pipeline.polarity (the office polarity) and its use by the sentiment stage.

The complaint fixture (tests/fixtures/sentiment/complaints.csv) is hand-written by us: posts
that complain about or accuse the subject, and posts that only mention complaints (how-to,
hotlines, bans, statistics) or are plain news and praise.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.domain import Item
from yuqing.pipeline.polarity import (
    complaint_cues,
    cue_readings,
    frame,
    office_polarity,
    own_mood_only,
)
from yuqing.pipeline.sentiment import SentimentModel, SentimentStage
from yuqing.pipeline.textnorm import normalize_text

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sentiment" / "complaints.csv"
NOW = datetime(2024, 3, 5, tzinfo=UTC)


def read_fixture() -> list[tuple[str, str]]:
    with FIXTURE.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return [(row["text"], row["kind"]) for row in csv.DictReader(lines)]


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


def make_item(text: str) -> Item:
    match = normalize_text(text)[0]
    return Item(key=f"t:{text}", source="t", text=text, match_text=match,
                offsets=list(range(len(match))), published_at=NOW, fetched_at=NOW)


def test_fixture_is_large_enough_and_hand_written() -> None:
    rows = read_fixture()
    assert FIXTURE.read_text(encoding="utf-8").startswith("# hand-written by us")
    kinds = [k for _, k in rows]
    assert len(rows) >= 40 and kinds.count("complaint") >= 20 and kinds.count("other") >= 15


@pytest.mark.parametrize("text", [
    "家长投诉青山县一中违规收取补课费，要求退费。",
    "河口镇拆迁补偿款拖欠三年，村民到镇政府讨说法，情绪激动。",
    "学校食堂饭菜发霉变质，多名学生腹痛",
])
def test_issue_examples_are_negative_for_the_office(model: SentimentModel, text: str) -> None:
    item = make_item(text)
    SentimentStage(model).process([item])
    assert item.sentiment == "negative" and item.is_negative
    assert item.emotion in {"negative", "neutral", "positive"}


def test_emotion_is_kept_beside_the_polarity(model: SentimentModel) -> None:
    item = make_item("家长投诉青山县一中违规收取补课费，要求退费。")
    SentimentStage(model).process([item])
    assert item.emotion == "neutral"  # the writer's tone is calm; the office reads a complaint


def test_every_complaint_of_the_fixture_is_negative(model: SentimentModel) -> None:
    items = [make_item(t) for t, kind in read_fixture() if kind == "complaint"]
    SentimentStage(model).process(items)
    missed = [it.text for it in items if it.sentiment != "negative"]
    assert len(missed) <= 0.05 * len(items), missed


def test_no_non_complaint_of_the_fixture_is_negative(model: SentimentModel) -> None:
    items = [make_item(t) for t, kind in read_fixture() if kind == "other"]
    SentimentStage(model).process(items)
    assert [it.text for it in items if it.sentiment == "negative"] == []


@pytest.mark.parametrize(("text", "reading"), [
    ("如何投诉物业？", "advice"),
    ("投诉渠道已开通", "advice"),
    ("欢迎群众举报", "advice"),
    ("本月投诉量下降两成", "advice"),
    ("本校从未乱收费", "denied"),
    ("严禁学校违规收费", "denied"),
    ("投诉电话是多少？", "complaint"),
    ("我要投诉", "complaint"),
    ("可是物业乱收费", "complaint"),
    ("他们直接拖欠工资", "complaint"),
    ("市民可通过小程序投诉", "advice"),
    ("演练模拟二十人受伤", "denied"),
    ("到最后不了了之", "complaint"),
    ("一波接着一波，到最后不了了之", "complaint"),
    ("电机运转平稳，噪音很小", "denied"),           # a quality said to be slight
    ("如果她总是心不在焉，敷衍了事，那就算了", "denied"),  # a supposition governs its sentence
    ("如果不交钱怎么办。老师就敷衍了事", "complaint"),     # ... not the next sentence
])
def test_cue_readings_tell_complaints_from_advice_and_denials(text: str, reading: str) -> None:
    assert [r for _, r in cue_readings(text)] == [reading]


def test_pattern_cues_and_false_friends() -> None:
    assert complaint_cues("护士态度特别差") == ["态度特别差"]
    assert complaint_cues("十几名学生呕吐送医") == ["十几名学生呕吐送医"]
    assert complaint_cues("骑兵不作为主力使用") == []
    assert complaint_cues("街道办就是不作为") == ["不作为"]


def test_office_polarity_rules() -> None:
    assert office_polarity("positive", "幼儿园克扣伙食费") == "negative"
    assert office_polarity("negative", "如何投诉物业？") == "neutral"
    # a denial keeps the writer's reading: there is nowhere to complain is still a grievance
    assert office_polarity("negative", "打电话过去，居然没有投诉的地方") == "negative"
    assert office_polarity("positive", "新开的图书馆环境很好") == "positive"


@pytest.mark.parametrize("text", [
    "举报镇卫生院院长虚报医保费用",
    "局长的儿子撞伤环卫工，至今没有道歉也没有赔偿",
    "一名老师用教鞭体罚学生",
    "谁验收的？桥面才一年就裂了",
    "幼儿园入园要交赞助费，这合理吗？",
    "办事窗口的人扇了老人一个耳光",
    "在青菜里吃出一只虫子",
    "书记被纪委带走了",
    "打了三次电话没人接",
    "镇里让每个干部卖二十张门票，卖不完的扣奖金",  # coercion as a condition
    "不交资料费的孩子就不让进教室",
    "业主们要求彻查这笔维修基金的去向",  # a demand that someone answers for it
    "想问问卫生院能不能把药品价格公示一下",  # a request to disclose
    "网传东林县自来水有异味，求官方回应",  # a claim the writer asks to have checked
    "听说河口镇小学要停办了，是真的吗？",
    "几十个车主约好周五一起去4S店讨个说法",  # a gathering
    "病房的监控拍到有人偷拍病人",
])
def test_accusations_without_the_old_cue_words_are_complaints(text: str) -> None:
    assert office_polarity("neutral", text) == "negative", cue_readings(text)


@pytest.mark.parametrize("text", [
    "严禁体罚学生",
    "如何识别孩子是否遭受校园欺凌？",
    "陪没人接的孩子等家长",
    "平台征集瞒报漏报的渎职行为线索",
])
def test_accusation_words_in_a_ban_a_how_to_or_a_call_for_tips_are_not(text: str) -> None:
    assert complaint_cues(text) == []


def test_the_negative_reading_of_a_redress_word_as_a_service_alone_is_cleared() -> None:
    assert office_polarity("negative", "如何投诉物业？") == "neutral"
    # an accusation named in a call for tips keeps the writer's reading
    assert office_polarity("negative", "政府向人民征集瞒报漏报的渎职行为") == "negative"


@pytest.mark.parametrize(("text", "mood"), [
    ("在县医院陪护我妈第五天了，好累，好想好好睡一觉。", True),
    ("毕业了，要离开二中了，舍不得同学们。", True),
    ("一中今年的高考成绩简直炸了！", True),
    ("好累，好想好好睡一觉。", False),  # no institution: the writer's reading stays
    ("在医院排了一上午的队，累死了，再也不想来了。", False),  # the wait is the complaint
    ("学校又停电了，真不爽，想炸了学校", False),  # anger is aimed
    ("县医院为什么不给我妈加床？心情好差", False),
    ("青山一中的分数线一出来，家长群就炸锅了", True),
    ("柳溪镇的荷花节停车场都挤爆了", True),  # a named town is a public body too
    ("#某地确诊病例# [伤心] 恳请政府公布行程", False),  # an emoticon code is no mood
])
def test_the_writers_own_mood_near_an_institution_is_not_negative_for_it(
        text: str, mood: bool) -> None:
    assert own_mood_only(text) is mood
    assert office_polarity("negative", text) == ("neutral" if mood else "negative")


def test_frame_reads_the_clause_of_any_phrase() -> None:
    text = "欢迎广大群众监督举报违纪违法问题"
    assert frame(text, text.index("违纪"), text.index("违纪") + 2) == "advice"
    text = "县长严重违纪"
    assert frame(text, 4, 6) is None
