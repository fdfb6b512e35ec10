"""Tests of pipeline/event_boilerplate.py and its use by the events stage: an account's
signature, header, hashtag or 来源 line never merges different happenings (issue 19)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from event_items import NORMALIZER, T0

from yuqing.analytics.event_eval import cluster
from yuqing.config import EventsConfig
from yuqing.domain import Item, RawItem
from yuqing.pipeline.event_boilerplate import AccountBoilerplate
from yuqing.pipeline.event_terms import term_runs

FIXTURE = Path(__file__).parents[1] / "fixtures" / "events" / "one_account_incidents.tsv"
POSTS = [tuple(line.split("\t")) for line in FIXTURE.read_text(encoding="utf-8").splitlines()
         if line and not line.startswith("#")]
INCIDENTS = len({label for label, _ in POSTS})

SIGNED: dict[str, Callable[[str], str]] = {
    "closing words": lambda t: t + "，大家注意安全",
    "header": lambda t: "【青山发布】" + t,
    "hashtag": lambda t: "#青山县# " + t,
    "source line": lambda t: t + "\n来源：青山发布",
    "place name": lambda t: "青山县" + t,
    "all of them": lambda t: "【青山发布】#青山县# " + t + "，大家注意安全。\n来源：青山发布",
    "work order": lambda t: (f"工单编号QS{zlib.crc32(t.encode()) % 10**8:08d}-"
                             f"{len(t) % 10**4:04d}。来电人反映：{t}"),
}


def posts(sign: Callable[[str], str], author: str | None = "青山发布") -> list[Item]:
    """The fixture's posts, ``sign``-ed, by ``author``, 20 minutes apart."""
    return [NORMALIZER.to_item(RawItem(
        source="hand", id=str(i), text=sign(text), fetched_at=T0, media_type="weibo",
        author=author, published_at=T0 + timedelta(minutes=20 * i)))
        for i, (_, text) in enumerate(POSTS)]


def events_of(items: list[Item]) -> list[str]:
    """The event ids the stage gives ``items`` (dedup, then events, default settings)."""
    return cluster(items, EventsConfig())


def test_the_fixture_holds_many_incidents_and_retellings() -> None:
    assert INCIDENTS >= 20 and len(POSTS) > INCIDENTS
    plain = events_of(posts(lambda t: t))
    assert len(set(plain)) >= 0.9 * INCIDENTS


@pytest.mark.parametrize("author", ["青山发布", None])
@pytest.mark.parametrize("kind", list(SIGNED))
def test_a_signature_does_not_merge_different_incidents(kind: str, author: str | None) -> None:
    plain = len(set(events_of(posts(lambda t: t, author))))
    signed = events_of(posts(SIGNED[kind], author))
    assert len(set(signed)) >= 0.9 * plain
    labels = [label for label, _ in POSTS]
    first = {label: signed[labels.index(label)] for label in labels}
    retold = range(INCIDENTS, len(POSTS))  # the fixture's retellings follow the 30 incidents
    assert [signed[i] for i in retold] == [first[labels[i]] for i in retold]


def test_other_accounts_retelling_one_incident_still_join_it() -> None:
    items = posts(SIGNED["closing words"])[:INCIDENTS]
    items.append(NORMALIZER.to_item(RawItem(
        source="hand", id="other", text="城关镇那家五金店昨晚失火，消防员半小时扑灭明火，货物烧毁",
        fetched_at=T0, media_type="weibo", author="路人甲",
        published_at=T0 + timedelta(hours=12))))
    events = events_of(items)
    assert events[-1] == events[0]
    assert len(set(events)) == INCIDENTS


def runs(text: str) -> list[str]:
    """The term runs of ``text`` as the stage sees them."""
    return term_runs(NORMALIZER.to_item(RawItem(
        source="s", id="1", text=text, fetched_at=T0, published_at=T0)).match_text)


def test_shared_beginning_and_end_are_boilerplate_the_middle_is_not() -> None:
    plate = AccountBoilerplate()
    assert plate.terms("a", runs("【青山发布】城关镇五金店起火，大家注意安全")) == set()
    found = plate.terms("a", runs("【青山发布】国道货车与面包车相撞！大家注意安全"))
    assert {"青山", "发布", "大家", "注意", "安全"} <= found
    assert not found & {"国道", "货车", "相撞"}
    assert plate.terms("b", runs("【青山发布】国道货车与面包车相撞！大家注意安全")) == set()


def test_a_running_number_is_part_of_the_header_it_opens() -> None:
    plate = AccountBoilerplate()
    plate.terms("hotline", runs("工单编号QS20261212-0388。来电人反映：柳溪大桥路灯坏了两周"))
    found = plate.terms("hotline", runs("工单编号QS20261213-0521。来电人反映：KTV里被三人殴打"))
    assert {"工单", "编号", "来电", "反映"} <= found and not found & {"殴打", "ktv"}
    assert plate.terms("hotline", runs("12345热线：城关镇停水一天")) == set()


def test_a_copy_takes_nothing_from_its_original() -> None:
    plate = AccountBoilerplate()
    plate.terms("a", runs("城关镇五金店昨晚起火，消防员半小时扑灭"))
    assert plate.terms("a", runs("城关镇五金店昨晚起火，消防员半小时扑灭！！")) == set()
