"""Build the shipped gazetteer ``data/places/gazetteer.tsv`` from cpca's division table.

Run ``python -m yuqing.pipeline.places_build`` (needs ``cpca==0.5.5``, MIT,
(c) DQinYuan, https://github.com/DQinYuan/chinese_province_city_area_mapper)
to regenerate it; the pipeline itself reads only the TSV, so cpca (and the
pandas it pulls in) is not needed at run time. Rows: ``adcode`` (6 digits),
``level`` (``province`` / ``city`` / ``district``), ``name`` (full official
name), ``parent`` (adcode of the nearest real parent, empty for provinces)
and ``aliases`` (comma-separated short forms).

Short forms follow cpca's rule: provinces and prefecture-level cities are
also found without their suffix (省, 市, 自治区, 特别行政区, ethnic
autonomous-region suffixes, 自治州/地区/盟 after an ethnic name), districts
and counties only by their full name (cpca: too many collide with words
when shortened). Short forms that are ordinary words or people's names in
posts are dropped (``COMMON_WORDS``), as are cpca's placeholder rows
(市辖区, 县, 省直辖县级行政区划).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from importlib import resources
from pathlib import Path

PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
#: district names that are ordinary words ("urban area", "suburbs", "mining area"): never matched
COMMON_DISTRICTS = frozenset({"城区", "郊区", "矿区"})
#: short forms that are ordinary words, names or other things in posts (大同 "great harmony",
#: 来宾 "guest", 白银 "silver", 长治 in 长治久安, 中山 in 中山路/中山大学, 合作 "cooperation",
#: 安康 "well-being", 朝阳 also Beijing's 朝阳区, 阿里 Alibaba, 玉树 in 玉树临风, 普洱 the tea, ...)
COMMON_WORDS = frozenset({"大同", "来宾", "白银", "长治", "中山", "合作", "安康", "朝阳", "阿里",
                          "和田", "海东", "海北", "海西", "玉树", "山南", "那曲", "白山", "普洱"})
_PROVINCE_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")
_CITY_SUFFIX = re.compile(r"(自治州|地区|盟|市)$")
HEADER = ("adcode", "level", "name", "parent", "aliases")


def _level(adcode: str) -> str:
    if adcode.endswith("0000"):
        return "province"
    return "city" if adcode.endswith("00") else "district"


def _strip_peoples(name: str, peoples: tuple[str, ...]) -> str:
    """Drop trailing ethnic names (延边朝鲜族 -> 延边, 黔东南苗族侗族 -> 黔东南)."""
    stripped = True
    while stripped:
        stripped = False
        for people in peoples:
            for form in (people, people.removesuffix("族")):
                if len(form) > 1 and name.endswith(form) and len(name) - len(form) >= 2:
                    name, stripped = name[: -len(form)], True
                    break
            if stripped:
                break
    return name


def _aliases(name: str, level: str, peoples: tuple[str, ...]) -> list[str]:
    pattern = {"province": _PROVINCE_SUFFIX, "city": _CITY_SUFFIX}.get(level)
    if pattern is None:
        return []
    short = _strip_peoples(pattern.sub("", name), peoples)
    if short == name or len(short) < 2 or short in COMMON_WORDS:
        return []
    return [short]


def build_rows(
    adcodes_csv: str, peoples: tuple[str, ...] = ()
) -> list[tuple[str, str, str, str, str]]:
    """Return gazetteer rows (see module doc) from the text of cpca's ``adcodes.csv``;
    ``peoples`` are ethnic names (cpca's ``56_nations.csv``) stripped from short forms.

    Rows are sorted by adcode, so the output is byte-for-byte reproducible.
    """
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(adcodes_csv)):
        code, name = row["adcode"][:6], row["name"].strip()
        if name and name not in PLACEHOLDERS | COMMON_DISTRICTS:
            names[code] = name
    rows = []
    for code in sorted(names):
        level = _level(code)
        parent = ""
        if level != "province":
            city = code[:4] + "00"
            parent = city if level == "district" and city in names else code[:2] + "0000"
        rows.append(
            (code, level, names[code], parent, ",".join(_aliases(names[code], level, peoples)))
        )
    return rows


def cpca_resource(name: str) -> str:
    """Return the text of cpca's packaged resource ``name``; ImportError when cpca is absent."""
    import cpca  # type: ignore[import-untyped]  # noqa: F401 - only to locate its data

    return (resources.files("cpca") / "resources" / name).read_text(encoding="utf-8")


def write_gazetteer(out: Path) -> int:
    """Write the gazetteer TSV to ``out`` from the installed cpca; return the row count."""
    peoples = tuple(
        sorted(
            {p.strip() for p in cpca_resource("56_nations.csv").split() if p.strip()},
            key=len,
            reverse=True,
        )
    )
    rows = build_rows(cpca_resource("adcodes.csv"), peoples)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Derived from cpca 0.5.5 resources/adcodes.csv (MIT, (c) DQinYuan) by "
                 "yuqing.pipeline.places_build; see NOTICE.\n")
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(
        str(resources.files("yuqing") / "data" / "places" / "gazetteer.tsv"))
    print(f"{write_gazetteer(target)} rows -> {target}")
