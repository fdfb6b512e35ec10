"""Tests of pipeline/event_subject.py and its use by the events stage: the office's own
name never merges its different happenings (issue 19)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from event_items import NORMALIZER, T0

from yuqing.config import Config, EventsConfig, SchemeConfig
from yuqing.domain import Item, RawItem
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.event_subject import SubjectWords
from yuqing.pipeline.events import EventClusterer

FIXTURE = Path(__file__).parents[1] / "fixtures" / "events" / "one_hospital_incidents.tsv"
POSTS = [tuple(line.split("\t")) for line in FIXTURE.read_text(encoding="utf-8").splitlines()
         if line and not line.startswith("#")]
LABELS = [label for label, _, _ in POSTS]
HAPPENINGS = len(set(LABELS))
HOSPITAL = SchemeConfig(name="县人民医院", region_words=["青山县", "青山"],
                        subject_words=["县人民医院", "人民医院", "县医院"])


def posts() -> list[Item]:
    """The fixture's posts, each by its own author, 15 minutes apart."""
    return [NORMALIZER.to_item(RawItem(
        source="hand", id=str(i), text=text, fetched_at=T0, media_type="weibo",
        author=author, published_at=T0 + timedelta(minutes=15 * i)))
        for i, (_, author, text) in enumerate(POSTS)]


def events_of(stage: EventClusterer) -> list[str]:
    """The event ids ``stage`` gives the fixture's posts (dedup first, one batch)."""
    items = posts()
    Deduplicator().process(items)
    stage.process(items)
    return [it.event_id or "" for it in items]


def test_the_fixture_holds_many_happenings_and_retellings() -> None:
    assert HAPPENINGS >= 20 and len(POSTS) > HAPPENINGS
    assert all("青山县人民医院" in text for _, _, text in POSTS)


def test_the_hospital_name_alone_merges_them_without_the_offices_subject() -> None:
    # the failure this module exists for: one event (one alert) for most happenings
    assert len(set(events_of(EventClusterer()))) < HAPPENINGS / 2


def test_the_offices_subject_words_never_merge_different_happenings() -> None:
    config = Config(schemes=[HOSPITAL])
    got = events_of(EventClusterer.from_config(config))
    first = {label: got[LABELS.index(label)] for label in LABELS}
    assert len(set(got[:HAPPENINGS])) == HAPPENINGS
    retold = range(HAPPENINGS, len(POSTS))  # the fixture's retellings follow
    assert [got[i] for i in retold] == [first[LABELS[i]] for i in retold]


def test_subject_words_are_found_leftmost_longest_in_match_form() -> None:
    words = SubjectWords.of_schemes([SchemeConfig(
        name="s", region_words=["青山", "青山縣"], subject_words=["人民醫院"])])
    assert words.words == ["人民医院", "青山", "青山县"]
    assert words.strip("青山县人民医院配电房起火") == "  配电房起火"
    assert words.strip("城关镇五金店起火") == "城关镇五金店起火"
    assert SubjectWords(()).strip("青山县人民医院") == "青山县人民医院"


def test_the_same_subject_words_give_the_same_events_in_a_resumed_process() -> None:
    # the terms of an item depend on its text and the config only: a second stage built
    # from the same config decides alike (the scale-out workers rely on it)
    config = Config(schemes=[HOSPITAL], events=EventsConfig())
    assert events_of(EventClusterer.from_config(config)) == events_of(
        EventClusterer.from_config(config))


def test_an_expression_that_only_names_gives_its_words_and_one_character_is_too_short() -> None:
    named = SchemeConfig(name="hospital", expression="青山县人民医院 OR (县医院 OR 县人医)")
    mixed = SchemeConfig(name="fires", expression="县医院 AND (火灾 OR 起火)")
    short = SchemeConfig(name="short", region_words=["县", " "], subject_words=["院", "急诊"])
    assert SubjectWords.of_schemes([named]).words == ["县人医", "县医院", "青山县人民医院"]
    assert SubjectWords.of_schemes([mixed]).words == []   # 火灾 tells what happened
    assert SubjectWords.of_schemes([short]).words == ["急诊"]
    broken = SchemeConfig(name="broken", expression="(县医院", subject_words=["急诊"])
    assert SubjectWords.of_schemes([broken]).words == ["急诊"]


def test_an_expression_scheme_keeps_the_happenings_apart_too() -> None:
    config = Config(schemes=[SchemeConfig(name="hospital", expression="青山县人民医院 OR 县医院")])
    assert len(set(events_of(EventClusterer.from_config(config)))) >= HAPPENINGS
