"""Stage ``places``: provinces, cities and districts named in a text, as full official names.

A lean matcher over the shipped gazetteer (``data/places/gazetteer.tsv``,
derived from cpca's division table by :mod:`yuqing.pipeline.places_build`):
one ahocorasick-rs automaton, leftmost-longest, over every full name and
short form. cpca itself builds a pandas DataFrame per call (about 0.3 s
for a short text here), far too slow for the pipeline.

Resolution, per text:

* a province or prefecture-level city is found by its full name or its
  short form (杭州 -> 杭州市); when a short form names both a province and a
  city (吉林, 海南) the province wins, as in cpca;
* a district or county is found by its full name only (cpca's rule); a
  district name shared by several places (河东区: 天津市 and 临沂市) is kept
  only when the text also names one of their provinces or cities, otherwise
  it is reported as ambiguous and NOT placed (MEASURED.md: cpca picks one
  silently); the candidate under the most specific named division wins
  (南京市鼓楼区: the city beats 江苏省, which also holds 徐州's 鼓楼区); the
  same holds for two-character names (和县 in 和县委, 任县 in 担任县, 东区):
  they count only next to a named province or city;
* a short form directly followed by a street or institution word (南京路,
  中山大学, 北京时间) is not a place mention;
* each placed mention contributes its province, city and district full
  names; ``item.places`` lists them once each, in order of first mention.

``item.place_detail`` keeps the detail (domain.PlaceDetail): ``{"mentions": [{"name",
"level", "adcode", "start", "end"}], "ambiguous": [surface forms]}`` with
spans in the original text.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import ahocorasick_rs as acrs

from yuqing.domain import Item, PlaceDetail, PlaceMention
from yuqing.pipeline.base import BaseStage, StageUnavailable, live

LEVEL_RANK = {"province": 0, "city": 1, "district": 2}
#: characters that, right after a short form, show it is part of another name
NOT_A_PLACE_AFTER = ("路", "街", "大道", "大街", "大学", "时间", "银行", "商报", "晚报", "日报",
                     "卫视", "队", "国安", "人和", "烤鸭", "瓜", "头")


@dataclass(frozen=True, slots=True)
class Place:
    """One division: 6-digit ``adcode``, ``level`` (province/city/district), full ``name``,
    ``parent`` adcode ("" for a province)."""

    adcode: str
    level: str
    name: str
    parent: str


@dataclass(slots=True)
class PlaceResult:
    """What one text names: ``places`` (full names, first-mention order), ``mentions``
    (placed hits with spans into the searched text) and ``ambiguous`` surface forms."""

    places: list[str] = field(default_factory=list)
    mentions: list[PlaceMention] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def default_gazetteer_path() -> Path:
    """Return the path of the shipped gazetteer TSV inside the package."""
    return Path(str(resources.files("yuqing") / "data" / "places" / "gazetteer.tsv"))


def read_gazetteer(path: Path) -> tuple[dict[str, Place], dict[str, list[str]]]:
    """Return ``(places by adcode, adcodes by surface form)`` from a gazetteer TSV.

    Raises StageUnavailable naming the file when it is missing or lacks the
    header ``adcode level name parent aliases``.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise StageUnavailable(f"places: gazetteer {path} not found") from exc
    reader = csv.DictReader((ln for ln in lines if not ln.startswith("#")), delimiter="\t")
    if reader.fieldnames is None or "adcode" not in reader.fieldnames:
        raise StageUnavailable(f"places: {path} has no 'adcode' header")
    places: dict[str, Place] = {}
    forms: dict[str, list[str]] = {}
    for row in reader:
        place = Place(row["adcode"], row["level"], row["name"], row["parent"] or "")
        places[place.adcode] = place
        for form in [place.name, *filter(None, (row["aliases"] or "").split(","))]:
            forms.setdefault(form, []).append(place.adcode)
    return places, forms


class PlaceMatcher(BaseStage):
    """Stage ``places``: fills ``item.places`` and ``item.place_detail`` (see module doc).

    Built once from a gazetteer TSV (default: the shipped one); raises
    StageUnavailable when it is missing.
    """

    name = "places"

    def __init__(self, gazetteer: Path | None = None) -> None:
        self.places, forms = read_gazetteer(gazetteer or default_gazetteer_path())
        self._forms = list(forms)
        self._codes = [sorted(forms[f], key=lambda c: LEVEL_RANK[self.places[c].level])
                       for f in self._forms]
        self._full = [any(self.places[c].name == f for c in codes)
                      for f, codes in zip(self._forms, self._codes, strict=True)]
        self._ac = acrs.AhoCorasick(self._forms, matchkind=acrs.MatchKind.LeftmostLongest)

    def lineage(self, adcode: str) -> list[Place]:
        """Return the place and its ancestors, province first."""
        chain: list[Place] = []
        code = adcode
        while code:
            place = self.places[code]
            chain.append(place)
            code = place.parent
        return chain[::-1]

    def find(self, text: str) -> PlaceResult:
        """Return the places named in ``text`` (spans index ``text``)."""
        hits = [(i, s, e) for i, s, e in self._ac.find_matches_as_indexes(text)
                if self._full[i] or not text.startswith(NOT_A_PLACE_AFTER, e)]
        if not hits:
            return PlaceResult()
        named = {c for i, _, _ in hits for c in self._codes[i] if len(self._codes[i]) == 1
                 or self.places[c].level != "district"}
        result = PlaceResult()
        for i, start, end in hits:
            code = self._pick(self._codes[i], named)
            if code is None:
                result.ambiguous.append(self._forms[i])
                continue
            place = self.places[code]
            result.mentions.append({"name": place.name, "level": place.level, "adcode": code,
                                    "start": start, "end": end})
            for p in self.lineage(code):
                if p.name not in result.places:
                    result.places.append(p.name)
        return result

    def _pick(self, codes: list[str], named: set[str]) -> str | None:
        """Choose among the divisions a surface form may mean; None when ambiguous."""
        first = self.places[codes[0]]
        if first.level != "district" or (len(codes) == 1 and len(first.name) > 2):
            return codes[0]
        depth = {c: max((LEVEL_RANK[p.level] + 1 for p in self.lineage(c)[:-1]
                         if p.adcode in named), default=0) for c in codes}
        best = max(depth.values())
        backed = [c for c in codes if depth[c] == best]
        return backed[0] if best and len(backed) == 1 else None

    def process(self, items: list[Item]) -> None:
        """Set ``places`` (and ``place_detail`` when anything was found) on live items."""
        for item in live(items):
            found = self.find(item.match_text)
            item.places = found.places
            if found.mentions or found.ambiguous:
                for m in found.mentions:
                    m["start"], m["end"] = item.original_span(m["start"], m["end"])
                item.place_detail = PlaceDetail(mentions=found.mentions,
                                                ambiguous=found.ambiguous)
