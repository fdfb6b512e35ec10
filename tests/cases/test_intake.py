"""Tests of cases/intake.py on both backends: petitions open or join cases, repeats and
cross-level complaints are flagged, contacts stay protected, online items get linked."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from yuqing.cases import petitions as pet
from yuqing.cases.deadlines import parse_time
from yuqing.cases.evaluate import _contact, _intake, read_labelled, unit_chain
from yuqing.cases.inputs import PetitionInput
from yuqing.cases.intake import PETITIONER_KEY, REPEAT_WINDOW_DAYS, add_petition, reveal_contact
from yuqing.cases.service import CaseService
from yuqing.cases.units import units_under
from yuqing.config import Config, parse_config
from yuqing.domain import BadInput, Contact
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.sources.records import raw_from_record
from yuqing.store import Store
from yuqing.store.shared_secrets import shared_secret

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "petitions"

UNITS = {"cases": {"units": [{"name": "县信访局", "level": "county", "parent": "市信访局"},
                             {"name": "邻县信访局", "level": "county", "parent": "市信访局"},
                             {"name": "市信访局", "level": "city"}]}}
WHO = {"actor": "李值班", "role": "handler"}
ZHANG = Contact("张三", "13812345678", None, "城关镇东街5号")


@pytest.fixture
def svc(store: Store) -> CaseService:
    return CaseService(store, parse_config(UNITS))


def petition(subject: str, unit: str = "县信访局", contact: Contact = ZHANG,
             **kw: object) -> PetitionInput:
    return PetitionInput(channel=str(kw.pop("channel", "letter")), subject=subject, unit=unit,
                         accused=str(kw.pop("accused", "城关镇人民政府")),
                         contact=contact.as_row(), **kw)  # type: ignore[arg-type]


def take_in(svc: CaseService, p: PetitionInput) -> dict[str, Any]:
    """Take ``p`` in as WHO; return the intake's JSON form (as the API answers)."""
    return add_petition(svc, p, **WHO).to_json()


def test_first_petition_opens_a_case_and_a_reworded_repeat_joins_it(svc: CaseService) -> None:
    first = take_in(svc, petition("城关镇政府拖欠我修村道的工程款三十八万元，多次催要无果"))
    assert first["new_case"] and first["repeat_of"] is None
    assert (first["addressed_level"], first["responsible_level"]) == ("county", "township")
    assert first["cross_level"] is False
    other = take_in(svc, petition("幸福村低保评定不公平，有车有房的人吃低保",
                                       accused="幸福村村民委员会",
                                       contact=Contact("李四", "13900000000")))
    assert other["new_case"] and other["case_id"] != first["case_id"]
    again = take_in(svc, petition("再次反映：城关镇欠我修路的三十八万工程款一直不付",
                                       channel="wechat",
                                       contact=Contact("张三", "+86 138 1234 5678")))
    assert (again["new_case"], again["case_id"], again["repeat_of"]) == (
        False, first["case_id"], first["petition_id"])
    assert again["repeat_reason"] == "same petitioner" and again["cross_level"] is False
    case = svc.show(first["case_id"])
    assert case["origin"] == "petition" and case["channel"] == "letter"
    assert [p["id"] for p in case["petitions"]] == [first["petition_id"], again["petition_id"]]
    assert [e["action"] for e in case["log"]] == ["open", "petition", "petition"]
    assert case["log"][-1]["data"] == {"petition_id": again["petition_id"], "repeat": True,
                                       "cross_level": False}


def test_a_parent_units_repeat_opens_its_own_case_linked_to_the_childs(
        svc: CaseService) -> None:
    first = take_in(svc, petition("城关镇政府拖欠我修村道的工程款三十八万元，多次催要无果"))
    up = take_in(svc, petition("再次反映：城关镇欠我修路的三十八万工程款一直不付，县里不管",
                               unit="市信访局", contact=Contact("张三", "+86 138 1234 5678")))
    assert up["new_case"] and up["case_id"] != first["case_id"]
    assert up["repeat_of"] == first["petition_id"] and up["repeat_reason"] == "same petitioner"
    assert up["cross_level"] is True
    city = svc.show(up["case_id"])
    assert city["owner_unit"] == "市信访局"
    assert ("case", str(first["case_id"])) in {(x["kind"], x["ref"]) for x in city["links"]}
    county = svc.show(first["case_id"])  # the county's case shows nothing of the city's
    assert [p["id"] for p in county["petitions"]] == [first["petition_id"]]
    assert "县里不管" not in str(county)


def test_a_repeat_is_never_matched_with_a_sibling_or_parent_units_petition(
        svc: CaseService) -> None:
    subject = "城关镇政府拖欠我修村道的工程款三十八万元，多次催要无果"
    city = take_in(svc, petition(subject, unit="市信访局"))
    county = take_in(svc, petition(subject))  # the county does not read the city's case
    sibling = take_in(svc, petition(subject, unit="邻县信访局"))  # nor a sibling the county's
    for got in (county, sibling):
        assert got["new_case"] and got["repeat_of"] is None and got["repeat_reason"] is None
    assert len({city["case_id"], county["case_id"], sibling["case_id"]}) == 3
    again = take_in(svc, petition(subject))
    assert (again["case_id"], again["repeat_of"]) == (county["case_id"], county["petition_id"])


def test_repeat_of_a_merged_case_joins_the_surviving_case(svc: CaseService) -> None:
    first = take_in(svc, petition("城关镇政府拖欠我修村道的工程款三十八万元"))
    keep = svc.open_case("城关镇欠款", actor="李值班", role="handler", unit="县信访局")
    svc.move(first["case_id"], "merged", note="同一事项", merge_into=keep, **WHO)
    again = take_in(svc, petition("城关镇修路工程款三十八万还是没有给"))
    assert again["case_id"] == keep and again["repeat_of"] == first["petition_id"]


def test_contact_is_masked_and_reading_it_is_logged(svc: CaseService) -> None:
    got = take_in(svc, petition("城关镇政府拖欠工程款"))
    assert got["contact"] == "张* 138****5678 城关镇东街5…"
    listed = svc.show(got["case_id"])["petitions"][0]
    assert "13812345678" not in str(listed) and listed["contact_masked"] == got["contact"]
    with pytest.raises(BadInput, match="why the contact is needed"):
        reveal_contact(svc, got["petition_id"], reason="", **WHO)
    with pytest.raises(BadInput, match="role 'monitor' may not"):
        reveal_contact(svc, got["petition_id"], actor="x", role="monitor", reason="回访")
    full = reveal_contact(svc, got["petition_id"], reason="电话回访", **WHO)
    assert full.petition_id == got["petition_id"]
    assert (full.contact.name, full.contact.phone) == ("张三", "13812345678")
    entry = svc.show(got["case_id"])["log"][-1]
    assert (entry["action"], entry["actor"], entry["note"]) == (
        "contact_access",
        "李值班",
        "电话回访",
    )
    assert entry["data"] == {"petition_id": got["petition_id"]}
    with pytest.raises(BadInput, match="petition 99: no such petition"):
        reveal_contact(svc, 99, reason="x", **WHO)


def test_petition_is_linked_to_online_items_about_the_matter(store: Store,
                                                             svc: CaseService) -> None:
    texts = {"a": "城关镇人民政府拖欠修路工程款三十八万元，包工头讨薪无门",
             "b": "城关镇人民政府举办春季招聘会，提供岗位三百个",
             "c": "幸福村鱼塘承包费过低引发村民不满"}
    raws = [raw_from_record({"id": k, "text": t, "published_at": "2024-03-01T08:00:00+08:00"},
                            source="weibo", tz="Asia/Shanghai", media_type="weibo",
                            origin="test", fetched_at=datetime(2024, 3, 1, tzinfo=UTC))
            for k, t in texts.items()]
    Pipeline(Config(), store, registries=load_registries(), alerts_enabled=False).process(raws)
    got = take_in(svc, petition("城关镇政府拖欠我修村道的工程款三十八万元，多次催要无果"))
    assert got["linked_items"] == ["weibo:a"]
    links = {(x["kind"], x["ref"]) for x in svc.show(got["case_id"])["links"]}
    assert ("item", "weibo:a") in links and ("petition", str(got["petition_id"])) in links


def test_bad_intake_is_named(svc: CaseService) -> None:
    with pytest.raises(BadInput, match="channel 'fax'"):
        take_in(svc, petition("x", channel="fax"))
    with pytest.raises(BadInput, match="unit '乡信访办' is not configured"):
        take_in(svc, petition("x", unit="乡信访办"))
    with pytest.raises(BadInput, match="subject is empty"):
        take_in(svc, petition("  "))
    with pytest.raises(BadInput, match="receiving unit '乡信访办' is not configured"):
        take_in(svc, petition("x", unit="乡信访办", addressed_level="township"))
    with pytest.raises(BadInput, match="addressed level 'ward'"):
        take_in(svc, petition("x", addressed_level="ward"))
    assert svc.list() == []


def test_without_units_the_level_must_be_given(store: Store) -> None:
    bare = CaseService(store, Config())
    with pytest.raises(BadInput, match="give the level it was addressed to"):
        take_in(bare, petition("城关镇拖欠工程款", unit="某信访局"))
    got = take_in(bare, petition("城关镇拖欠工程款", unit="某信访局",
                                      addressed_level="province"))
    assert got["cross_level"] is True and got["new_case"] is True


def _owner(store: Store, known: dict[int, str], case_id: int) -> str:
    """Return the unit owning case ``case_id`` (remembered in ``known``)."""
    if case_id not in known:
        case = store.cases.get(case_id)
        assert case is not None
        known[case_id] = case.owner_unit
    return known[case_id]


def test_the_repeat_index_decides_as_reading_every_petition_of_the_year(store: Store) -> None:
    """Every labelled petition of tests/fixtures/petitions gets the repeat (petition and
    score) that ``find_repeat`` gives against all the petitions in its reach, weighted
    by the IDF over every petition stored (intake's weights): the bounded candidates
    (the rarest bigrams' recent petitions, the same petitioner's) lose no decision
    there. The first of them is stored before the index (indexed by the next intake)."""
    rows = read_labelled(FIXTURES / "petitions.jsonl")
    svc = CaseService(store, unit_chain(rows))
    key = shared_secret(store, PETITIONER_KEY)
    first = _intake(svc, rows[0]).petition
    # a copy of it stored without its index, as a petition stored before the index existed
    unindexed = store.petitions.insert(
        {k: v for k, v in asdict(first).items() if k != "id"}, Contact())
    assert [r["id"] for r in store.petitions.unindexed()] == [unindexed]
    repeats = 0
    owner: dict[int, str] = {}
    for row in rows[1:]:
        received = parse_time(row["received_at"], svc.tz)
        reach = units_under(svc.config.cases.units, store, row["unit"])
        stored = store.petitions.find()
        earlier = [pet.petition_text(vars(p)) for p in stored
                   if p.received_at >= received - timedelta(days=REPEAT_WINDOW_DAYS)
                   and _owner(store, owner, p.case_id) in reach]
        new = pet.PetitionText(0, 0, frozenset(
            (pet.identity_hash(Contact(**_contact(row)), key) or "").split()),
            pet.bigrams(row["subject"]), pet.accused_bigrams(row.get("accused")))
        want = pet.find_repeat(new, earlier,
                               pet.idf_weights([pet.bigrams(p.subject) for p in stored]))
        got = _intake(svc, row).petition
        assert (got.repeat_of, got.repeat_score) == (
            (want.petition_id, want.score) if want else (None, None)), row["subject"]
        repeats += want is not None
    assert store.petitions.unindexed() == [] and repeats > 50
