"""Tests of yuqing.pipeline.incidents (and its trainer): numbers, casualties, the
detector on reports and hard negatives, the held-out quality, and the stage."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.domain import INCIDENT_CATEGORIES, Item
from yuqing.pipeline.incidents import (
    TYPES,
    CueLexicon,
    IncidentDetector,
    IncidentStage,
    parse_casualties,
    parse_number,
)
from yuqing.pipeline.incidents_train import evaluate, office_posts, read_incident_csv, train

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "incidents" / "incidents.csv"


@pytest.fixture(scope="module")
def detector() -> IncidentDetector:
    return IncidentDetector.shipped()


@pytest.mark.parametrize(("text", "value"), [
    ("7", 7), ("12", 12), ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20),
    ("二十三", 23), ("一百零五", 105), ("两百", 200), ("三千四百", 3400), ("一万三千", 13000),
    ("二〇", 20),
])
def test_parse_number(text: str, value: int) -> None:
    assert parse_number(text) == value


def test_parse_number_refuses_words() -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number("多名")


@pytest.mark.parametrize(("text", "deaths", "injured", "missing"), [
    ("中巴车侧翻，事故造成3死7伤。", 3, 7, 0),
    ("发生持刀伤人事件，两名学生受伤，嫌疑人被控制", 0, 2, 0),
    ("两车相撞，致1人死亡", 1, 0, 0),
    ("山体滑坡造成2人遇难，1人失联", 2, 0, 1),
    ("客车坠崖，造成十二人死亡、20余人受伤", 12, 20, 0),
    ("仓库爆炸，死亡2人，受伤4人", 2, 4, 0),
    ("两死一伤", 2, 1, 0),
    ("一名骑车女子当场死亡", 1, 0, 0),
    ("厂房起火，多人受伤送医", 0, 2, 0),
    ("过火面积800平方米，暂无人员伤亡", 0, 0, 0),
    ("井下14人被困，救援正在进行", 0, 0, 0),
    # a number of days, years, ages or months counts no people
    ("产科一名新生儿出生后第二天死亡", 1, 0, 0),
    ("一名3岁男童溺亡", 1, 0, 0),
    ("护工三个月没发工资，二十多人受伤", 0, 20, 0),
    ("5个人受伤，两个小时后送医", 0, 5, 0),
    ("两车相撞，一名40多岁司机身亡", 1, 0, 0),      # an age, even with 多
    ("30余岁男子死亡", 1, 0, 0),
    ("第12人受伤", 0, 1, 0), ("第二十人受伤", 0, 1, 0),  # an ordinal, read whole
    ("2小时后死亡", 1, 0, 0), ("身中3刀死亡", 1, 0, 0),
    ("初二学生死亡", 1, 0, 0), ("高三学生受伤", 0, 1, 0),  # a school grade
    ("120急救车送医", 0, 1, 0),                     # the emergency line
    ("1.5万人受伤", 0, 1, 0),                       # a decimal is not read from its tail
    ("没有人受伤", 0, 0, 0), ("老人死亡", 1, 0, 0),
    ("死亡人数升至274人", 274, 0, 0), ("那场火灾死了200人", 200, 0, 0),
    ("3天后2人死亡", 2, 0, 0),
    ("2人死亡3人受伤", 2, 3, 0), ("致1人死亡3人受伤", 1, 3, 0),  # each number to its own word
    ("暂无人员死亡", 0, 0, 0), ("未造成人员受伤", 0, 0, 0), ("无一人死亡", 0, 0, 0),
    ("50%死亡率", 0, 0, 0),                          # a percentage
])
def test_parse_casualties(text: str, deaths: int, injured: int, missing: int) -> None:
    assert parse_casualties(text) == {"deaths": deaths, "injured": injured, "missing": missing}


@pytest.mark.parametrize(("text", "category", "kind"), [
    ("青山县一中门口发生持刀伤人事件，两名学生受伤，嫌疑人已被警方控制。", "社会安全事件",
     "持刀伤人"),
    ("学校食堂饭菜发霉变质，多名学生腹痛，家长要求学校给说法。", "公共卫生事件", None),
    ("某县化工厂发生爆炸，现场浓烟滚滚，多人受伤送医。", "事故灾难", "爆炸"),
    ("凌晨柳河镇发生4.2级地震，不少居民跑到楼下，有房屋出现裂缝。", "自然灾害", "地震"),
    ("环城东路 一死一伤 唉", "事故灾难", None),      # a toll said alone
])
def test_reports_are_incidents(detector: IncidentDetector, text: str, category: str,
                               kind: str | None) -> None:
    found = detector.detect(text)
    assert found is not None, text
    assert found["category"] == category
    if kind:
        assert found["type"] == kind
    assert found["type"] is None or TYPES[found["type"]] == category
    assert 0.5 <= found["confidence"] <= 1.0 and found["cues"]


@pytest.mark.parametrize("text", [
    "夏天如何预防食物中毒？剩菜要冷藏，野生蘑菇别乱吃。",
    "县一中今天开展消防疏散演练，两千名师生三分钟内撤到操场。",
    "今天是地震纪念日，愿逝者安息。",
    "这部灾难片的爆炸场面太震撼了，电影院的座椅都在抖。",
    "热搜炸了，评论区都沸腾了，这真是爆炸性新闻。",
    "【停水通知】因管网改造，人民路片区明天8:00至18:00停水，请提前储水。",
])
def test_hard_negatives_are_not_incidents(detector: IncidentDetector, text: str) -> None:
    assert detector.detect(text) is None


def test_a_post_without_a_cue_is_not_an_incident(detector: IncidentDetector) -> None:
    assert detector.detect("今天天气真好，带孩子去公园放风筝。") is None


def test_the_labelled_set_is_as_described() -> None:
    rows = read_incident_csv(FIXTURE)
    assert len(rows) >= 500 and len({r.text for r in rows}) == len(rows)
    hard = [r for r in rows if not r.label and r.kind != "other"]
    assert len(hard) >= 150
    assert {"advice", "drill", "history", "fiction", "metaphor", "notice"} <= {r.kind for r in hard}
    for split in ("train", "test"):
        half = [r for r in rows if r.split == split]
        assert set(Counter(r.category for r in half if r.label)) == set(INCIDENT_CATEGORIES)
        assert any(not r.label for r in half)
    assert all(TYPES[r.type] == r.category for r in rows if r.label)


def test_held_out_quality_beats_the_lexicon(detector: IncidentDetector) -> None:
    test = [r for r in read_incident_csv(FIXTURE) if r.split == "test"]
    ours = evaluate(detector, test)
    lexicon = evaluate(IncidentDetector.shipped(baseline=True), test)
    assert ours["f1"] >= 0.92 and ours["category_accuracy"] >= 0.90
    assert ours["precision"] > lexicon["precision"] + 0.2


def test_training_on_the_train_half_gives_a_model_as_good() -> None:
    rows = read_incident_csv(FIXTURE)
    base = IncidentDetector.shipped(baseline=True)
    doc = train(rows, base, office_posts())
    from yuqing.pipeline.incidents import LinearModel

    retrained = IncidentDetector(base.lexicon, LinearModel.from_json(doc))
    assert evaluate(retrained, [r for r in rows if r.split == "test"])["f1"] >= 0.92
    shipped = json.loads((Path(__file__).resolve().parents[2] / "src" / "yuqing" / "data" /
                          "models" / "incidents" / "model.json").read_text(encoding="utf-8"))
    assert doc["happening"].keys() == shipped["happening"].keys()
    assert doc["bias"] == pytest.approx(shipped["bias"], abs=1e-3)


def test_office_posts_teach_the_happening_model_only() -> None:
    posts = office_posts()
    kinds = Counter(r.kind for r in posts)
    assert kinds["incident"] >= 200 and kinds["fiction"] >= 50 and kinds["drill"] >= 50
    assert "rescue" not in kinds and "complaint" not in kinds and "other_county" not in kinds
    assert all(r.split == "train" and not r.category for r in posts)
    assert all(r.label == (r.kind == "incident") for r in posts)


@pytest.mark.parametrize(("text", "cue"), [
    ("县医院急诊有人yi闹，砸了护士站", "医闹"),
    ("一中高二有人qing生了", "轻生"),
    ("有个老师tiao楼了，学校不让说", "跳楼"),
])
def test_cues_are_found_in_evasive_spellings(detector: IncidentDetector, text: str,
                                             cue: str) -> None:
    assert cue in [c for c, _ in detector.cues(text)]
    found = detector.detect(text)
    assert found is not None and cue in found["cues"]


def test_a_report_that_ends_well_is_still_an_incident(detector: IncidentDetector) -> None:
    text = ("县一中部分学生在食堂就餐后出现呕吐、腹痛等症状，共有23名学生被送往县人民医院救治，"
            "目前均无生命危险。")
    found = detector.detect(text)
    assert found is not None and found["category"] == "公共卫生事件"


def test_pollution_is_an_accident_type(detector: IncidentDetector) -> None:
    assert TYPES["环境污染"] == "事故灾难"
    found = detector.detect("镇化工厂又往河里偷排黑水了，下游死鱼漂了一层，臭得人受不了")
    assert found is not None and found["type"] == "环境污染"


def test_lexicon_refuses_an_unknown_type() -> None:
    with pytest.raises(ValueError, match="line 2: unknown type '火山'"):
        CueLexicon.load("起火\t火灾\n喷发\t火山\n")


def _item(key: str, text: str) -> Item:
    now = datetime(2024, 3, 5, tzinfo=UTC)
    return Item(key=key, source="s", text=text, match_text=text, offsets=list(range(len(text))),
                published_at=now, fetched_at=now)


def test_stage_sets_incident_and_counts() -> None:
    stage = IncidentStage.shipped()
    report = _item("a", "白石县一辆渣土车在路口撞倒一名骑车女子，女子当场死亡。")
    tip = _item("b", "开车遇到暴雨积水路段怎么办？水深超过轮胎一半就不要硬闯。")
    refused = _item("c", report.text)
    refused.rejected = "duplicate"
    stage.process([report, tip, refused])
    assert report.incident is not None and report.incident["type"] == "交通事故"
    assert report.incident["casualties"] == {"deaths": 1, "injured": 0, "missing": 0}
    assert tip.incident is None and refused.incident is None
    assert stage.stats() == {"incidents": 1}


def test_a_post_may_start_with_a_hashtag(tmp_path: Path) -> None:
    data = tmp_path / "set.csv"
    data.write_text("# our set\ntext,label,category\n#某县起火# 火很大,1,事故灾难\n",
                    encoding="utf-8")
    [row] = read_incident_csv(data)
    assert row.text == "#某县起火# 火很大" and row.split == "test"


@pytest.mark.parametrize("text", ["县医院发生火灾", "路口发生车祸", "柳河镇发生山体滑坡",
                                  "学校食堂发生食物中毒，家长非常愤怒，要求严惩"])
def test_short_headlines_not_in_the_set_are_reports(detector: IncidentDetector,
                                                    text: str) -> None:
    assert detector.detect(text) is not None
