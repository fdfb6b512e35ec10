"""Tests of yuqing.pipeline.schemes (monitoring-scheme matching)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.config import SchemeConfig
from yuqing.domain import BadInput, Item
from yuqing.pipeline.schemes import (
    SchemeMatcher,
    first_respelled,
    spoken_names,
    tells_of_elsewhere,
)

NOW = datetime(2024, 3, 5, tzinfo=UTC)


def make_item(text: str, source: str = "weibo") -> Item:
    return Item(key=f"{source}:{text}", source=source, text=text, match_text=text,
                offsets=list(range(len(text))), published_at=NOW, fetched_at=NOW)


SCHOOL = SchemeConfig(
    name="school",
    region_words=["河东区", "河东"],
    subject_words=["学校", "中学"],
    event_words=["食物中毒", "霸凌"],
    exclusion_words=["演练"],
)
HOSPITAL = SchemeConfig(name="hospital", expression="(医院 OR 卫生院) AND (纠纷 OR 医闹) NOT 招聘")
POLICE = SchemeConfig(name="police", subject_words=["派出所"], sources=["gov-forum"])


@pytest.fixture
def matcher() -> SchemeMatcher:
    return SchemeMatcher([SCHOOL, HOSPITAL, POLICE])


@pytest.mark.parametrize(("text", "source", "expected"), [
    ("河东区某中学发生食物中毒", "weibo", ["school"]),
    ("某中学发生食物中毒", "weibo", []),                 # no region word
    ("河东区某中学举行运动会", "weibo", []),             # no event word
    ("河东区中学开展食物中毒应急演练", "weibo", []),     # exclusion word
    ("县医院发生医疗纠纷", "weibo", ["hospital"]),
    ("县医院纠纷科招聘", "weibo", []),
    ("派出所民警救人", "weibo", []),                     # not a designated source
    ("派出所民警救人", "gov-forum", ["police"]),
    ("河东中学霸凌，卫生院医闹，派出所出警", "gov-forum", ["school", "hospital", "police"]),
])
def test_rule(matcher: SchemeMatcher, text: str, source: str, expected: list[str]) -> None:
    assert matcher.match(text, source) == expected


def test_words_and_expression_combine_with_or() -> None:
    scheme = SchemeConfig(name="s", subject_words=["地铁"], exclusion_words=["广告"],
                          expression="公交 AND 事故")
    m = SchemeMatcher([scheme])
    assert m.match("地铁广告", "x") == []
    assert m.match("地铁广告和公交事故", "x") == ["s"]   # the expression alone decides
    assert m.match("地铁故障", "x") == ["s"]


def test_overlapping_words_are_all_found() -> None:
    m = SchemeMatcher([SchemeConfig(name="a", subject_words=["知识产权局"]),
                       SchemeConfig(name="b", subject_words=["产权"], event_words=["知识"])])
    assert m.present("国家知识产权局") == {"知识产权局", "产权", "知识"}
    assert m.match("国家知识产权局", "x") == ["a", "b"]


def test_words_are_normalised() -> None:
    m = SchemeMatcher([SchemeConfig(name="c", subject_words=["COVID"], expression="Vaccine")],
                      normalize=str.lower)
    assert m.match("covid cases", "x") == ["c"] and m.match("vaccine", "x") == ["c"]


def test_bad_schemes_are_named() -> None:
    with pytest.raises(BadInput, match="scheme 'x': syntax error at position 4"):
        SchemeMatcher([SchemeConfig(name="x", expression="a OR")])
    with pytest.raises(BadInput, match="scheme 'y': needs subject words or an expression"):
        SchemeMatcher([SchemeConfig(name="y", region_words=["北京"])])


def test_stage_fills_schemes_of_live_items(matcher: SchemeMatcher) -> None:
    items = [make_item("县医院医闹"), make_item("县医院医闹"), make_item("天气晴")]
    items[1].rejected = "duplicate"
    matcher.process(items)
    assert matcher.name == "schemes"
    assert [it.schemes for it in items] == [["hospital"], [], []]
    assert SchemeMatcher([]).match("任何", "x") == []


def test_a_region_source_needs_no_region_word() -> None:
    local = SchemeConfig(name="local", region_words=["青山"], subject_words=["县医院"],
                         region_sources=["青山论坛"])
    matcher = SchemeMatcher([local])
    assert matcher.match("县医院急诊昨晚打起来了", "青山论坛") == ["local"]
    assert matcher.match("县医院急诊昨晚打起来了", "weibo") == []
    assert matcher.match("青山县医院急诊昨晚打起来了", "weibo") == ["local"]
    assert matcher.match("昨晚打起来了", "青山论坛") == []  # the subject words still count


def test_the_title_counts_with_the_text(matcher: SchemeMatcher) -> None:
    item = make_item("昨日午餐后多名学生出现呕吐，疑似食物中毒，已送医。")
    matcher.process([item])
    assert item.schemes == []  # the body alone names no region and no school
    item.title = "河东区第一中学通报"
    matcher.process([item])
    assert item.schemes == ["school"]


COUNTY = SchemeConfig(name="county hospital", region_words=["青山县", "青山"],
                      subject_words=["医院", "一中"])


@pytest.mark.parametrize(("text", "expected"), [
    ("县医院检验科把我的化验单弄丢了", ["county hospital"]),     # a bare 县: the writer's county
    ("昨天在县医院排了一上午队", ["county hospital"]),
    ("今晚县医院急诊有人闹事", ["county hospital"]),           # 晚 is no place name
    ("县疾控中心说医院没有床位了", ["county hospital"]),       # a body ending in 中心 or 局
    ("白河县疾控中心说医院没有床位了", []),
    ("白河县医院的医生态度很差", []),                           # another county's hospital
    ("临江县的村民说县医院不给报销", []),                       # another county named
    ("青山县的朋友说县一中放假了", ["county hospital"]),
    ("某医院的医生态度很差", []),                               # no region at all
])
def test_a_county_scheme_takes_its_bare_county_bodies(text: str, expected: list[str]) -> None:
    assert SchemeMatcher([COUNTY]).match(text, "weibo") == expected


def test_a_bare_county_needs_a_county_among_the_region_words() -> None:
    town = SchemeConfig(name="town", region_words=["青山"], subject_words=["医院"])
    assert SchemeMatcher([town]).match("县医院检验科把我的化验单弄丢了", "weibo") == []


def test_a_matched_post_takes_the_office_reading_of_its_subject() -> None:
    """A post about a body the office answers for (it matched a scheme) is read by the
    office model: a negative mood or figure of speech about no failing is neutral, a calm
    request about a failing is negative; an unmatched post keeps the general reading."""
    from yuqing.pipeline.office import shipped_office_model

    office = shipped_office_model()
    scheme = SchemeConfig(name="county", expression="东林县 OR 河口镇")
    matcher = SchemeMatcher([scheme], office=office)
    figure = make_item("东林县下了一整天雨，在家追剧追到崩溃哈哈")
    request = make_item("您好，想反映一下东林县二中门口早晚没有交警疏导，"
                        "孩子过马路很危险，能否安排一下？")
    elsewhere = make_item("西山县二中门口早晚没有交警疏导，孩子过马路很危险，能否安排一下？")
    figure.emotion = figure.sentiment = "negative"
    request.emotion = request.sentiment = "positive"
    elsewhere.emotion = elsewhere.sentiment = "positive"
    matcher.process([figure, request, elsewhere])
    assert figure.schemes == ["county"] and figure.sentiment == "neutral"
    assert request.sentiment == "negative"
    assert elsewhere.schemes == [] and elsewhere.sentiment == "positive"
    # without the sentiment stage (no emotion) the scheme stage leaves the reading alone
    bare = make_item("东林县下了一整天雨，在家追剧追到崩溃哈哈")
    matcher.process([bare])
    assert bare.schemes == ["county"] and bare.sentiment is None
    # an incident the office model reads as nothing to tell (a rescue that ended well) is
    # dropped for a matched post; a fire with people trapped stays
    found = make_item("河口镇那个走丢的小女孩找到了，人好好的，谢谢大家帮忙转发")
    fire = make_item("河口镇一居民楼起火，三人被困，消防正在救援")
    for item in (found, fire):
        item.incident = {"category": "社会安全事件", "type": "失踪", "confidence": 0.9,
                         "cues": [], "casualties": {}}
    matcher.process([found, fire])
    assert found.incident is None and fire.incident is not None


@pytest.mark.parametrize(("text", "elsewhere"), [
    ("白河县昨晚一家化工厂爆炸，我们在青山城关镇都听到了响声", True),
    ("邻县下了冰雹，我们青山这边只刮了点风", True),
    ("临江市高速上连环追尾，回青山的朋友绕道", True),
    ("白河县的货车在柳溪镇撞了人", False),          # our region in the first clause
    ("今晚县医院急诊有家属拎着菜刀追着医生跑", False),  # a bare 县 body is no other county
    ("理解县医院的辛苦，但青山县人民医院的走廊太冷了", False),
    ("菜市场的鱼不新鲜，柳溪镇的摊主说是白河县运来的", False),
    ("qs县环城东路 一死一伤", False),                # the county by its initials
])
def test_a_post_about_another_county_is_told_apart(text: str, elsewhere: bool) -> None:
    assert tells_of_elsewhere(text, {"青山县", "青山", "柳溪镇", "城关镇"}) is elsewhere


def test_a_happening_elsewhere_is_no_incident_nor_negative_for_the_office() -> None:
    from yuqing.pipeline.office import shipped_office_model

    matcher = SchemeMatcher([SchemeConfig(name="county", expression="青山 OR 柳溪镇")],
                            office=shipped_office_model())
    there = make_item("白河县昨晚一家化工厂爆炸，死了两个人，我们在青山都听到了")
    here = make_item("柳溪镇昨晚一家化工厂爆炸，死了两个人")
    for item in (there, here):
        item.emotion = item.sentiment = "negative"
        item.incident = {"category": "事故灾难", "type": "爆炸", "confidence": 0.9,
                         "cues": ["爆炸"], "casualties": {"deaths": 2}}
    matcher.process([there, here])
    assert there.schemes == ["county"] and there.incident is None
    assert there.sentiment == "neutral"
    assert here.incident is not None and here.sentiment == "negative"


TOWNS = SchemeConfig(name="towns", region_words=["龙潭镇", "柳溪", "朝阳区"],
                     subject_words=["水库", "派出所", "一中", "医院"])
GOVERNMENT = SchemeConfig(name="government", expression="青山 OR 石门乡")


@pytest.mark.parametrize(("text", "expected"), [
    ("龙潭水库淹死个娃", ["towns"]),                    # 龙潭镇 said without its 镇
    ("lx镇派出所有个协警打人了", ["towns"]),            # pinyin initials of 柳溪
    ("LX镇派出所", ["towns"]),
    ("helix镇派出所", []),                              # initials inside a longer word
    ("lx派出所", []),                                   # initials without a suffix after
    ("朝阳医院门口", []),                               # 朝阳 is an ordinary word
    ("三十年河东三十年河西", []),                       # not before a place's part
    ("朝阳区医院门口", ["towns"]),
])
def test_a_place_is_heard_by_its_spoken_names(text: str, expected: list[str]) -> None:
    assert SchemeMatcher([TOWNS]).match(text, "weibo") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("石门水库又放水了", ["government"]),               # an expression's place word too
    ("qs一中门口有人打架", ["government"]),
    ("sm乡的路修好了", ["government"]),
    ("sm是什么意思", []),
    ("Q山一小有个老师打学生", ["government"]),           # the first character by its initial
    ("听说qing山县教育局的一把手被带走了", ["government"]),
    ("sh门乡的路修好了", ["government"]),
    ("FAQ山寨版", []),                                  # inside a longer word
    ("4S门店保养被坑", []),                             # after a digit: a car dealer
    ("石门采石场又放炮了", []),                         # a short form only before a place's parts
    ("青S山脉", []),                                    # only the first character is respelled
])
def test_an_expression_scheme_hears_its_places_by_their_spoken_names(
        text: str, expected: list[str]) -> None:
    assert SchemeMatcher([GOVERNMENT]).match(text, "weibo") == expected


def test_spoken_names_drop_only_an_administrative_suffix() -> None:
    assert spoken_names("龙潭镇") == ("龙潭",) and spoken_names("东城街道") == ("东城",)
    assert spoken_names("青山") == () and spoken_names("和县") == ()   # nothing left to say
    assert spoken_names("中山市") == ()                                 # an ordinary word


def test_a_name_is_respelled_by_its_first_character_only() -> None:
    assert first_respelled("石门") == ["s门", "sh门", "shi门"]
    assert first_respelled("青山") == ["q山", "qing山"]
    assert first_respelled("青山县人民医院") == [] and first_respelled("Beijing") == []
