"""Tests of cases/petitions.py: masking, identity hashes, levels, repeat matching."""

from __future__ import annotations

import hashlib

import pytest

from yuqing.cases import petitions as pet
from yuqing.domain import BadInput

KEY = "a deployment secret"


def text(pid: int, subject: str, accused: str = "", ident: str = "") -> pet.PetitionText:
    return pet.PetitionText(pid, pid * 10, frozenset(ident.split()), pet.bigrams(subject),
                            pet.bigrams(accused))


def test_contact_is_masked() -> None:
    contact = pet.Contact(
        "张三丰", "+86 138-1234-5678", "110101199001011234", "北京市东城区某街道1号"
    )
    assert pet.masked_contact(contact) == "张** 138****5678 110101********1234 北京市东城区…"
    assert pet.masked_contact(pet.Contact(name="李")) == "李"
    assert pet.masked_contact(pet.Contact()) == ""


def test_identity_shares_any_hash() -> None:
    a = pet.identity_hash(pet.Contact("王伟", "13800001111", "ID123"), KEY)
    b = pet.identity_hash(pet.Contact("王伟", "+86 138 0000 1111"), KEY)
    c = pet.identity_hash(pet.Contact("王伟", None, "id123"), KEY)
    assert a and b and c
    assert set(a.split()) & set(b.split()) and set(a.split()) & set(c.split())
    assert not set(b.split()) & set(c.split())
    # a name alone identifies no one
    assert pet.identity_hash(pet.Contact(name="王伟"), KEY) is None
    assert "13800001111" not in a and "ID123" not in a
    # keyed: another deployment's key gives other hashes, and the unkeyed hash of the
    # phone number (what anyone can compute) is not among them
    other = pet.identity_hash(pet.Contact("王伟", "13800001111", "ID123"), "another key")
    assert other and not set(a.split()) & set(other.split())
    plain = hashlib.sha256(b"phone:13800001111").hexdigest()[:24]
    assert plain not in a.split()


@pytest.mark.parametrize(("unit", "level"), [
    ("城关镇人民政府", "township"), ("幸福村村民委员会", "township"),
    ("锦绣家园物业服务有限公司", "county"),  # 家园 has no administrative word: county default
    ("河西区住房和城乡建设局", "county"), ("东山市第一中学", "city"),
    ("省交通运输厅", "province"), ("国家信访局", "national"), ("东山市东城区人民政府", "county"),
    ("阳光小区物业", "township"), (None, "county"),
])
def test_level_of_the_accused(unit: str | None, level: str) -> None:
    assert pet.infer_level(unit) == level


def test_configured_level_wins() -> None:
    assert pet.infer_level("城关镇人民政府", {"城关镇人民政府": "county"}) == "county"


def test_cross_level_means_skipping_a_level() -> None:
    assert not pet.is_cross_level("county", "township")      # the level directly above
    assert pet.is_cross_level("city", "township")
    assert not pet.is_cross_level("township", "county")
    assert pet.is_cross_level("national", "city")
    with pytest.raises(BadInput, match="addressed level 'ward'"):
        pet.check_level("ward", "addressed level")


def test_repeat_by_the_same_petitioner_reworded() -> None:
    earlier = [
        text(1, "城关镇政府拖欠我修村道的工程款三十八万元，多次催要无果", "城关镇政府", "h1"),
        text(2, "幸福村低保评定不公平，有车有房的人吃低保", "幸福村委会", "h2"),
    ]
    new = text(3, "再次反映：城关镇欠我修路的三十八万工程款一直不付", "城关镇人民政府", "h1 h9")
    match = pet.find_repeat(new, earlier)
    assert match is not None and (match.petition_id, match.case_id) == (1, 10)
    assert match.reason == "same petitioner"


def test_same_accused_different_matter_is_not_a_repeat() -> None:
    earlier = [
        text(1, "城关镇政府拖欠我修村道的工程款三十八万元，多次催要无果", "城关镇政府", "h1"),
        text(2, "东山市化工园区夜间偷排废气，居民咳嗽", "市生态环境局", "h5"),
    ]
    new = text(3, "城关镇整治环境推平了我家菜地，没有任何补偿", "城关镇政府", "h7")
    assert pet.find_repeat(new, earlier) is None


def test_another_petitioner_same_matter() -> None:
    earlier = [
        text(1, "南湖县城南菜市场电子秤作弊，买两斤肉只有一斤六两", "南湖县市场监督管理局", "h1"),
        text(2, "河西区建设路烧烤摊营业到凌晨三点，油烟噪音扰民", "河西区城市管理局", "h2"),
    ]
    new = text(3, "城南菜市场有人用作弊电子秤，买肉少了四两", "县市场监管局")
    match = pet.find_repeat(new, earlier)
    assert match is not None and match.petition_id == 1
    assert match.reason == "same matter, same accused"


def test_accused_compared_without_the_generic_unit_kind() -> None:
    assert (
        pet.overlap(pet.accused_bigrams("城关镇政府"), pet.accused_bigrams("城关镇人民政府")) == 1.0
    )
    assert pet.overlap(pet.accused_bigrams("区教育局"), pet.accused_bigrams("县教育局")) < (
        pet.SAME_ACCUSED_SIMILARITY)
    assert pet.accused_bigrams("锦绣家园物业服务有限公司") == pet.bigrams("锦绣家园物业服务")
