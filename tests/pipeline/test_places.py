"""Tests of yuqing.pipeline.places (the lean gazetteer matcher) and places_build (its data)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.domain import Item
from yuqing.pipeline.base import StageUnavailable
from yuqing.pipeline.places import PlaceMatcher, default_gazetteer_path, read_gazetteer
from yuqing.pipeline.places_build import build_rows

NOW = datetime(2024, 3, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def matcher() -> PlaceMatcher:
    return PlaceMatcher()


def test_short_and_full_names_are_normalised_to_full_names(matcher: PlaceMatcher) -> None:
    assert matcher.find("广东省深圳市南山区出了事").places == ["广东省", "深圳市", "南山区"]
    assert matcher.find("吉林长春出差").places == ["吉林省", "长春市"]
    assert matcher.find("浙江西湖区").places == ["浙江省", "杭州市", "西湖区"]
    assert matcher.find("恩施一所学校").places == ["湖北省", "恩施土家族苗族自治州"]
    assert matcher.find("重庆渝中区").places == ["重庆市", "渝中区"]


def test_shared_district_names_need_their_city_or_province(matcher: PlaceMatcher) -> None:
    bare = matcher.find("河东区今天停水")
    assert bare.places == [] and bare.ambiguous == ["河东区"]
    assert matcher.find("天津河东区停水").places == ["天津市", "河东区"]
    assert matcher.find("临沂市河东区停水").places == ["山东省", "临沂市", "河东区"]


def test_words_that_only_look_like_places_are_not_places(matcher: PlaceMatcher) -> None:
    assert matcher.find("南京路步行街").places == []
    assert matcher.find("北京时间8点").places == []
    assert matcher.find("他担任县长多年").places == []
    assert matcher.find("买了一个哈密瓜").places == []
    assert matcher.find("城区交通拥堵").places == []
    assert matcher.find("安徽和县").places == ["安徽省", "马鞍山市", "和县"]


def test_stage_fills_places_and_spans_in_the_original_text(matcher: PlaceMatcher) -> None:
    text = "我在  杭州西湖區"
    item = Item(key="k", source="t", text=text, match_text="我在 杭州西湖区",
                offsets=[0, 1, 2, 4, 5, 6, 7, 8], published_at=NOW, fetched_at=NOW)
    matcher.process([item])
    assert item.places == ["浙江省", "杭州市", "西湖区"]
    spans = [(m["name"], m["start"], m["end"]) for m in item.place_detail["mentions"]]
    assert spans == [("杭州市", 4, 6), ("西湖区", 6, 9)]
    assert text[4:6] == "杭州" and text[6:9] == "西湖區"


def test_missing_gazetteer_is_stage_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StageUnavailable, match="absent.tsv"):
        read_gazetteer(tmp_path / "absent.tsv")


def test_build_rows_levels_parents_aliases_and_placeholders() -> None:
    text = ("adcode,name,longitude,latitude\n110000000000,北京市,0,0\n110100000000,市辖区,0,0\n"
            "110105000000,朝阳区,0,0\n222400000000,延边朝鲜族自治州,0,0\n220000000000,吉林省,0,0\n"
            "220100000000,长春市,0,0\n220102000000,城区,0,0\n")
    rows = {r[0]: r for r in build_rows(text, ("朝鲜族",))}
    assert rows["110105"] == ("110105", "district", "朝阳区", "110000", "")
    assert rows["222400"][4] == "延边" and rows["220000"][4] == "吉林"
    assert "110100" not in rows and "220102" not in rows


def test_shipped_gazetteer_is_what_cpca_builds(tmp_path: Path) -> None:
    pytest.importorskip("cpca")
    from yuqing.pipeline.places_build import write_gazetteer

    places, forms = read_gazetteer(default_gazetteer_path())
    assert len(places) > 3000 and forms["杭州"] == ["330100"]
    rebuilt = tmp_path / "gazetteer.tsv"
    assert write_gazetteer(rebuilt) == len(places)
    assert rebuilt.read_text(encoding="utf-8") == default_gazetteer_path().read_text(
        encoding="utf-8"
    )


def test_agrees_with_cpca_on_unambiguous_full_addresses(matcher: PlaceMatcher) -> None:
    cpca = pytest.importorskip("cpca")
    texts = ["广东省深圳市南山区科技园", "浙江省杭州市西湖区文三路", "四川省成都市武侯区",
             "湖北省武汉市江汉区", "江苏省南京市鼓楼区", "北京市海淀区中关村"]
    frame = cpca.transform(texts)
    for text, (_, row) in zip(texts, frame.iterrows(), strict=True):
        expected = [row["省"], row["市"], row["区"]]
        got = matcher.find(text).places
        assert [p for p in expected if p != "市辖区"] == got, text
