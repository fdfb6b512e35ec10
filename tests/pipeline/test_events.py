"""Tests of pipeline/events.py: the online event clustering stage (in memory)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from event_items import FIRE, NOISE, T0, WATER, make

from yuqing.config import EventsConfig
from yuqing.domain import Item
from yuqing.pipeline import events
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import EventClusterer, event_id_for


def run(items: list[Item], stage: EventClusterer | None = None) -> EventClusterer:
    """Dedup then cluster ``items`` as one batch."""
    stage = stage or EventClusterer()
    Deduplicator().process(items)
    stage.process(items)
    return stage


def test_paraphrases_in_both_scripts_join_one_event_and_noise_stays_apart() -> None:
    texts = FIRE + WATER + NOISE
    items = [make(i, t, i * 10) for i, t in enumerate(texts)]
    stage = run(items)
    fire = {it.event_id for it in items[:3]}
    water = {it.event_id for it in items[3:5]}
    assert len(fire) == 1 and len(water) == 1 and fire != water
    assert items[0].event_id == event_id_for("w:0")
    assert len({it.event_id for it in items}) == 4
    assert stage.opened == 4


def test_repost_with_other_words_joins_its_parents_event() -> None:
    items = [make(1, FIRE[0]), make(2, "太可怕了，大家注意安全", 5, parent_id="1"),
             make(3, NOISE[0], 6)]
    run(items)
    assert items[1].event_id == items[0].event_id != items[2].event_id


def test_reposts_of_a_parent_not_collected_share_an_event_and_the_late_parent_joins() -> None:
    stage = EventClusterer()
    first = [make(2, "转发微博", 5, parent_id="99"), make(3, "顶", 6, parent_id="99")]
    run(first, stage)
    assert first[0].event_id == first[1].event_id
    parent = [make(99, WATER[0], 1)]
    run(parent, stage)
    assert parent[0].event_id == first[0].event_id


def test_weibo_url_in_text_links_to_the_status() -> None:
    items = [make("5012345678901234", "原帖：某路段塌陷"),
             make(7, "大家看这个 https://weibo.com/1234567890/O5banBlCi", 3)]
    run(items)
    assert items[1].event_id == items[0].event_id


def test_short_exact_copies_do_not_link_unrelated_threads() -> None:
    items = [make(1, "顶"), make(2, "顶", 60)]
    run(items)
    assert items[1].duplicate_of == "w:1"  # dedup sees the copy ...
    assert items[1].event_id != items[0].event_id  # ... but "顶" is no event


def test_similar_text_after_the_window_opens_a_new_event() -> None:
    stage = EventClusterer(EventsConfig(window_hours=24))
    old = [make(1, FIRE[0]), make(2, NOISE[1], 60 * 24 * 5)]
    stage.process(old)
    late = [make(3, FIRE[2], 60 * 24 * 5 + 1)]
    stage.process(late)
    assert late[0].event_id != old[0].event_id
    assert stage.opened == 1


def test_update_keeps_its_event_without_counting_twice() -> None:
    stage = EventClusterer()
    first = [make(1, FIRE[0])]
    stage.process(first)
    again = make(1, FIRE[0] + "（更新）", 30)
    again.is_update = True
    stage.process([again])
    assert again.event_id == first[0].event_id
    assert stage.events[first[0].event_id or ""].size == 1 and stage.opened == 0


def test_event_state_counts_title_heat_and_origin() -> None:
    items = [make(i, t, 10 * i, reposts=10 * i) for i, t in enumerate(FIRE)]
    items[1].sentiment = "negative"
    stage = run(items)
    event = stage.events[items[0].event_id or ""]
    assert event.size == 3 and event.origin_key == "w:0"
    assert event.first_at == T0 and event.last_at == T0 + timedelta(minutes=20)
    assert event.counts["sentiment"] == {"none": 2, "negative": 1}
    assert event.counts["media"] == {"weibo": 3}
    assert event.first_by_media == {"weibo": T0.isoformat()}
    assert event.heat > 3.0  # three weibo posts with reposts
    assert event.title in FIRE  # a real post, not a keyword list
    assert event.level == "IV"


def test_items_of_a_spiking_event_are_marked_for_the_alert_rules() -> None:
    stage = EventClusterer()
    quiet = [make(i, FIRE[0], -60 * 11 + 60 * i) for i in range(6)]  # hourly, 11 to 6 h before
    stage.process(quiet)
    assert not any(it.spike for it in quiet)
    burst = [make(100 + i, FIRE[0], 5 + i) for i in range(12)]  # 12 in the newest hour
    stage.process(burst)
    assert {it.event_id for it in burst} == {quiet[0].event_id}
    assert all(it.spike is True for it in burst)
    calm = [make(200, NOISE[1], 30)]
    stage.process(calm)
    assert calm[0].spike is False


def test_an_item_without_a_readable_date_does_not_close_open_events() -> None:
    stage = EventClusterer(EventsConfig(window_hours=24))
    first = [make(1, FIRE[0])]
    stage.process(first)
    undated = make(2, NOISE[0], 60 * 24 * 30)  # stored at its fetch time, a month later
    undated.flags.append("date_unparsed")
    stage.process([undated])
    later = [make(3, FIRE[2], 60)]
    stage.process(later)
    assert later[0].event_id == first[0].event_id


def test_a_back_filled_stream_clusters_across_batches_after_a_newer_item() -> None:
    stage = EventClusterer(EventsConfig(window_hours=24))
    stage.process([make("today", NOISE[0], 60 * 24 * 365)])  # a year after the back-fill
    first, second = [make(1, FIRE[0])], [make(2, FIRE[2], 30)]
    stage.process(first)
    stage.process(second)  # a later batch of the same old stream
    assert second[0].event_id == first[0].event_id
    # a newer batch still closes the old events as before
    stage.process([make("today2", NOISE[1], 60 * 24 * 365 + 1)])
    late = [make(3, FIRE[1], 60)]
    stage.process(late)
    assert late[0].event_id != first[0].event_id


def test_a_shared_phrase_alone_does_not_make_one_event() -> None:
    # the second post shares only 太快/快了 with the first: cosine high, matter different
    items = [make(0, "今天真的太快了"), make(1, "太快了", 5)]
    run(items)
    assert items[0].event_id != items[1].event_id
    paraphrase = [make(2, "南湖市多个小区自来水有刺鼻异味"), make(3, "南湖市自来水有异味", 5)]
    run(paraphrase)
    assert paraphrase[0].event_id == paraphrase[1].event_id


# A long post quoting the first words of an event under a paragraph of its own: its own
# words are in no earlier item, so they only dilute its cosine (rule 3 scores seen terms).
COMMENTARY = ("看完心里久久不能平静，想起小时候跟着爷爷坐绿皮火车去外婆家，窗外稻田金黄，"
              "那时候谁能想到如今城市交通如此发达，可越发达越要把安全放在第一位啊，"
              "希望相关部门认真彻查原因，给市民一个交代，也祝愿每位通勤族平平安安回家。"
              "我每天早上七点出门，挤两趟公交再换乘，单程将近一个半钟头，早就习惯了人挤人，"
              "却从没认真想过万一遇到意外该往哪里跑。今晚打算把应急逃生知识从头学一遍，"
              "顺便提醒家里老人孩子：看到烟雾先捂住口鼻，低头弯腰沿指示牌撤离，千万别回头拿东西。"
              "城市管理者也请多多听取普通群众的声音，把隐患消灭在萌芽状态")


def test_a_long_post_with_its_own_commentary_joins_the_event_it_quotes() -> None:
    for threshold, joins in ((0.1, True), (0.999, False)):
        items = [make(1, FIRE[0]), make(2, NOISE[0], 1), make(3, WATER[0], 2),
                 make(4, FIRE[0][:10] + "。" + COMMENTARY, 30)]
        run(items, EventClusterer(EventsConfig(threshold=threshold)))
        assert (items[3].event_id == items[0].event_id) is joins, threshold
        assert len({it.event_id for it in items[:3]}) == 3


def test_a_strong_match_may_share_one_term_fewer_but_never_below_the_threshold() -> None:
    for threshold, joins in ((0.1, True), (0.999, False)):
        items = [
            make(1, FIRE[0]),
            make(2, NOISE[0], 1),
            make(3, WATER[0], 2),
            make(4, "兰州好像封城了", 3),
            make(5, NOISE[1], 4),
            make(
                6,
                "兰州已经封城了！因为机场口岸出现疫情，现在全市不进不出，高速路口劝返外地车辆",
                60,
            ),
        ]
        run(items, EventClusterer(EventsConfig(threshold=threshold)))
        # shared with the headline: 兰州, 封城, 城了 (one fewer than MIN_SHARED)
        assert (items[5].event_id == items[3].event_id) is joins, threshold


def _incident(category: str, deaths: int) -> dict[str, object]:
    return {"category": category, "type": "火灾", "confidence": 0.9, "cues": ["火灾"],
            "casualties": {"deaths": deaths, "injured": 0, "missing": 0}}


def test_deaths_reported_by_members_raise_the_event_level() -> None:
    items = [make(i, t, 10 * i) for i, t in enumerate(FIRE)]
    items[0].incident = _incident("事故灾难", 1)
    items[2].incident = _incident("事故灾难", 4)
    stage = run(items)
    event = stage.events[items[0].event_id or ""]
    assert event.counts["incident"] == {"火灾": 2}
    assert event.counts["deaths"] == {"事故灾难": 4}
    assert event.level == "III"  # 3-9 deaths: 较大 (the table alone gives IV)


def test_deaths_of_a_social_incident_are_not_graded_as_an_accident() -> None:
    items = [make(i, t, 10 * i) for i, t in enumerate(FIRE)]
    items[0].incident = _incident("社会安全事件", 12)
    stage = run(items)
    assert stage.events[items[0].event_id or ""].level == "IV"


# One rumour told by many (the same long text with words of each teller's own), then a
# short post repeating only what one teller added: close to that member, far from the
# event's average (its centroid keeps the words most members share).
SHIPS = "传言说邻国的十艘医疗船已经开进港口，每艘船上有一千张病床，相当于一座方舱医院"
TELLERS = ["，吓人", "，真的假的", "。如果不是这次疫情，谁能想到人家还有这样的家底", "，转发",
           "，看看就好", "，等官方消息"]


def test_a_short_retelling_close_to_one_member_joins_its_event(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for members, joins in ((events.MEMBERS, True), (0, False)):
        monkeypatch.setattr(events, "MEMBERS", members)
        items = [make(i, SHIPS + tail, i) for i, tail in enumerate(TELLERS)]
        items += [make(10 + i, t, 10 + i) for i, t in enumerate(NOISE)]
        items.append(make(20, "如果不是这次疫情，谁能想到人家还有这样的家底", 30))
        run(items)
        assert len({it.event_id for it in items[:6]}) == 1
        assert (items[-1].event_id == items[0].event_id) is joins, members


def test_incidents_of_other_categories_in_one_county_never_share_an_event() -> None:
    """A trial's county site and export: an accident at the school gate, a food poisoning
    at its canteen (the pupils taken to the county hospital) and an assault at that
    hospital chained into one event through the place and institution names, and the
    assault's alert was lost. Each is its own event; a retelling still joins its own."""
    from yuqing.pipeline.incidents import IncidentStage

    texts = [
        "青山县第一中学门口发生交通事故，一名学生受伤",
        "青山县第一中学食堂食物中毒事件情况通报。12月6日晚，青山县第一中学部分学生在食堂"
        "就餐后出现呕吐、腹痛等症状，共有23名学生被送往青山县人民医院救治，目前均无生命危险。",
        "青山县人民医院发生一起医闹事件，警方已介入调查。12月7日13时许，青山县人民医院急诊科"
        "发生一起医闹事件，一名患者家属因不满治疗结果殴打值班医生，致一名医生受伤。",
        "青山县第一中学23名学生在食堂就餐后呕吐腹痛，疑似食物中毒，已送青山县人民医院救治",
    ]
    items = [make(i, t, i * 30) for i, t in enumerate(texts)]
    IncidentStage.shipped().process(items)
    assert all(it.incident for it in items)
    run(items)
    accident, poisoning, assault, retelling = (it.event_id for it in items)
    assert len({accident, poisoning, assault}) == 3
    assert retelling == poisoning


def test_prepared_text_work_changes_no_decision() -> None:
    """``prepare`` (before the shared-state lock) only computes what ``process`` would:
    the same items decide the same whether all, half or none of their texts were
    prepared, and a repost keeps its chain and root."""
    texts = FIRE + WATER + NOISE + [FIRE[0] + "//@某网友:转发一下", FIRE[1]]

    def decide(prepared: int) -> tuple[list[tuple[str | None, str | None, list[str]]],
                                       dict[str, dict[str, float]]]:
        items = [make(i, t, i * 10) for i, t in enumerate(texts)]
        dedup, stage = Deduplicator(), EventClusterer()
        dedup.prepare(items[:prepared], [])
        stage.prepare(items[:prepared], [])
        dedup.process(items)
        stage.process(items)
        return ([(it.duplicate_of, it.event_id, it.repost_chain) for it in items],
                {e.id: e.centroid for e in stage.events.values()})

    alone = decide(0)
    assert decide(len(texts)) == alone
    assert decide(len(texts) // 2) == alone
    assert alone[0][-2][2] == ["某网友"] and alone[0][-1][0] == "w:1"


def test_the_term_index_holds_exactly_the_open_events_centroid_terms(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A term's events are held as one id, a tuple of ids up to MAX_POSTING, a set beyond,
    and back as events close: always exactly the open events whose centroid has it."""
    monkeypatch.setattr(events, "MAX_POSTING", 3)
    stage = EventClusterer(EventsConfig(window_hours=1))
    places = ["杭州", "成都", "兰州", "广州", "深圳", "武汉", "南京", "西安"]
    things = ["火灾", "暴雨", "塌方", "停电", "爆炸", "冰雹", "停水", "拥堵"]
    kinds: set[type] = set()
    for batch, (minutes, picks) in enumerate(((0, range(6)), (30, range(6, 8)), (80, range(1)))):
        items = [make(f"{batch}-{i}", f"{places[i]}昨天{things[i]}", minutes)
                 for i in picks]
        run(items, stage)
        expected: dict[str, set[str]] = {}
        for event_id in stage._open:
            for term in stage.events[event_id].terms:
                expected.setdefault(term, set()).add(event_id)
        held = {t: {p} if isinstance(p, str) else set(p) for t, p in stage._postings.items()}
        assert held == expected
        kinds |= {type(p) for p in stage._postings.values()}
    assert kinds == {str, tuple, set}
    assert len(stage._open) == 3  # the first batch's events closed: 9 events to 3
    assert isinstance(stage._postings["昨天"], tuple)


def test_a_category_guessed_from_generic_words_does_not_split_a_retelling() -> None:
    """A fight retold with only 推倒 and 很乱 has no typed cue; the category the
    second model guesses for it is no evidence of another happening."""
    items = [make(0, "青山县人民医院急诊科今天下午有患者家属和医生打起来了，一名护士被推倒受伤"),
             make(1, "县医院急诊科家属打医生，护士也被推倒了，现场很乱，青山县人民医院保安半天才来",
                  40)]
    fight = {"category": "社会安全事件", "type": "刑事案件", "confidence": 0.9,
             "cues": ["打起来"], "casualties": {"deaths": 0, "injured": 1, "missing": 0}}
    items[0].incident = fight
    items[1].incident = {**fight, "category": "自然灾害", "type": None, "cues": ["推倒"]}
    run(items)
    assert items[1].event_id == items[0].event_id
    items = [make(0, items[0].text), make(1, items[1].text, 40)]
    items[0].incident = fight
    items[1].incident = {**fight, "category": "事故灾难", "type": "坍塌", "cues": ["倒了"]}
    run(items)
    assert items[1].event_id != items[0].event_id  # a typed report of another category
