"""Monitoring-scheme (监测方案) matching: which schemes each item belongs to.

Rule (SchemeConfig, issue text): an item matches a scheme when its
normalised text contains a region word (if any are set) AND a subject word
AND an event word (if any are set) AND no exclusion word, OR when the
scheme's expression is true. A scheme with an expression and no subject
words is decided by the expression alone. Designated sources (non-empty
``sources``) restrict a scheme to items whose ``source`` is one of them; an
item of one of the scheme's ``region_sources`` (a local forum) needs no region
word. A scheme whose region words name a county (a word ending in 县: 青山县) also
takes the county's own way of speaking as its region: an institution named by a bare
县 (县医院, 县一中, 县政府, 县城: :func:`bare_county_words`) in a post that names no
other county, since people of a county say 县医院 for their own hospital.

A place of a scheme (its region words, or the words of an expression-only scheme) is
also heard by the names locals give it, before what a place has (a road, a reservoir, a
school, a village: ``_AFTER_PLACE``, so that 和平精英 or 山东城市 name no place): without its
administrative suffix (:func:`spoken_names`: 龙潭镇 → 龙潭水库, 城关镇 → 城关一小) and with
its first character written in pinyin or by its initial, as posts that dodge a filter
write a place (:func:`first_respelled`: ``Q山一小``, ``qing山县``); and by the pinyin
initials of that short form before a suffix or a school's number (``lx镇``, ``qs一中``).
A spelling in letters never follows a letter or a digit (``4S门店`` is a car dealer).

All words of all schemes are found in one pass with ONE Aho-Corasick
automaton (ahocorasick-rs, standard semantics, overlapping matches); each
scheme is then evaluated on the set of words present.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass

import ahocorasick_rs as acrs
from pypinyin import Style, lazy_pinyin

from yuqing.config import SchemeConfig
from yuqing.domain import BadInput, Item
from yuqing.pipeline.base import BaseStage, live
from yuqing.pipeline.expr import Node, named_words, parse
from yuqing.pipeline.office import OfficeModel
from yuqing.pipeline.places_build import COMMON_WORDS
from yuqing.pipeline.polarity import subject_reading

#: a place name with the administrative suffix its spoken form drops (龙潭镇, 青山县, 东城街道)
_PLACE_SUFFIX = re.compile(r"([\u4e00-\u9fff]{2,})(?:省|市|县|区|镇|乡|街道)")
#: a name whose pinyin initials locals write for it: two to four Chinese characters (青山 → qs)
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
#: where pinyin initials stand for a place: right before a division suffix or a school's
#: number (lx镇, qs一中, QS二小), and not inside a longer run of letters or digits
_AFTER_INITIALS = r"(?=[省市县区镇乡]|[一二三四五六七八九十][中小])"
#: where a place's short form or respelled name stands for it: right before what a place
#: has (a road, a reservoir, a school, a village, its people: 龙潭水库, 城关一小, Q山县), so
#: that 和平精英, 三十年河东, 山东城市 or 新华社 name no place
_AFTER_PLACE = (r"(?=[县区镇乡村]|[一二三四五六七八九十][中小]|路|街|大道|大街|桥|河|湖|溪|江|水库|"
                r"山上|社区|小区|公园|广场|市场|农贸|菜场|车站|码头|工业园|园区|景区|医院|卫生院|"
                r"卫生室|中学|小学|幼儿园|学校|派出所|政府|十字|老街|新街|[东西南北]门|商场|超市|百货|"
                r"大楼|酒店|宾馆|饭店|网吧|这边|那边|这里|那里|一带|"
                r"人(?![民员]))")

#: words that are no place name before 县 or 市 (在县医院, 今晚县医院, 理解县医院的辛苦)
_NOT_A_NAME = ("在去到的和跟从是了们咱送往回进来说个这那把被给向对找及与谢夸骂问让叫请帮用以于由经"
               "为等比像当着过连都也就还又才望我你他她爸妈住晚天")
#: a bare 县 before a county body: at the start of a clause, or after a word that is no
#: place name (在县医院, 去县城, 县一中的, 今晚县医院); 白河县医院 has a place name before its 县;
#: a body is a school, a hospital, the government, a court, or a name ending in 局, 中心 or 大队
#: (县医保局, 县政务服务中心, 县消防大队)
_BARE_COUNTY = re.compile(
    rf"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[{_NOT_A_NAME}]))"
    r"县(?=人民医院|中医院|医院|妇幼|[一二三四五六七八九十]中|中学|小学|幼儿园|职高|政府|[委里城]|"
    r"法院|检察院|交警|[\u4e00-\u9fff]{1,4}?(?:局|中心|大队))"
)
#: a county named: two characters and 县 (白河县; the bare 县 of 在县城 is not one)
_COUNTY = re.compile(r"[\u4e00-\u9fff]{2}县")
#: another county or city named as one (白河县那边, 临江市, 邻县) in Chinese characters (qs县 is
#: the writer's own county by its initials), not a bare 县 body (县医院, 县城) nor 市场/市民
_ELSEWHERE = re.compile(
    rf"(?:(?![{_NOT_A_NAME}])[\u4e00-\u9fff]){{2}}(?:县(?!城|里|委|人民医院|中医院|医院|妇幼|[一二三四五六七八九十]中|"
    r"中学|小学|幼儿园|职高|政府|公安局|教育局|卫健局|人社局|交警|法院|检察院)|市(?!场|民|区|面|值|里))"
    r"|邻县|隔壁县|邻省|外省|外县"
)
_CLAUSE_END = re.compile(r"[，。！？；,.!?;\n]")


def bare_county_words(text: str, counties: Set[str]) -> bool:
    """Return True when ``text`` names a county body with a bare 县 (县医院, 县一中,
    县政府, 县城, 县里 …; not 白河县医院) and names no county but those of ``counties``
    (the scheme's region words that end in 县): then it speaks of the writer's own
    county, which is one of a county-scoped scheme's."""
    bare = {m.start() for m in _BARE_COUNTY.finditer(text)}
    return bool(bare) and all(
        m.end() - 1 in bare or m.group() in counties for m in _COUNTY.finditer(text))


def tells_of_elsewhere(text: str, places: Set[str]) -> bool:
    """Return True when the first clause of ``text`` names another county or city (白河县那边,
    临江市, 邻县) and none of ``places`` (a scheme's region words, or its expression's words):
    the post tells of something elsewhere and names the scheme's region later only in passing
    (白河县昨晚化工厂爆炸，我们在青山都听到了). On the whole-alert splits: 44 of the 72 posts
    about another county, none of the 1,495 others."""
    first = _CLAUSE_END.split(text, 1)[0]
    return (any(not any(p in m.group() for p in places) for m in _ELSEWHERE.finditer(first))
            and not any(p in first for p in places))


def spoken_names(place: str) -> tuple[str, ...]:
    """Return the short form of the place name ``place`` (``龙潭镇`` → ``("龙潭",)``), or
    ``()`` when it has no administrative suffix (省 市 县 区 镇 乡 街道), the rest is under two
    characters, or the rest is an ordinary word (places_build.COMMON_WORDS: 朝阳, 中山)."""
    found = _PLACE_SUFFIX.fullmatch(place)
    if found is None or found[1] in COMMON_WORDS:
        return ()
    return (found[1],)


def _initials(name: str) -> str:
    """Return the lower-case pinyin initials of ``name`` (龙潭 → lt)."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def first_respelled(name: str) -> list[str]:
    """Return ``name`` (2–4 Chinese characters, else ``[]``) with its first character
    written in lower-case pinyin or by its initial (青山 → q山, qing山; 石门 → s门, sh门,
    shi门), the way a post that dodges a filter writes a place (B京, Q山)."""
    if not _HAN_NAME.fullmatch(name):
        return []
    spoken = lazy_pinyin(name[0], style=Style.NORMAL)[0].lower()
    if not spoken.isascii() or not spoken.isalpha():
        return []
    heads = dict.fromkeys((spoken[0], spoken[:2] if spoken[:2] in ("zh", "ch", "sh") else "",
                           spoken))
    return [head + name[1:] for head in heads if head]


def _named_places(scheme: CompiledScheme) -> set[str]:
    """Return the places of ``scheme`` that may be heard by their spoken names: its region
    words, else the words of an expression that only names (expr.named_words: 青山 OR 城关镇;
    not the subject or NOT words of a mixed expression)."""
    if scheme.regions:
        return set(scheme.regions)
    return named_words(scheme.expression) if scheme.expression is not None else set()


def _alternatives(forms: Iterable[str]) -> str:
    """Return a regex alternation of ``forms``, longest first (``(?!)`` when none)."""
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) or "(?!)"


def _word_set(words: Iterable[str], normalize: Callable[[str], str]) -> frozenset[str]:
    return frozenset(w for w in (normalize(x).strip() for x in words) if w)


@dataclass(frozen=True)
class CompiledScheme:
    """A scheme ready to evaluate: normalised word sets and the parsed expression."""

    name: str
    regions: frozenset[str]
    subjects: frozenset[str]
    events: frozenset[str]
    exclusions: frozenset[str]
    expression: Node | None
    sources: frozenset[str]
    region_sources: frozenset[str] = frozenset()
    #: the region words that name a county (end in 县), for :func:`bare_county_words`
    counties: frozenset[str] = frozenset()
    #: the words that place a post in this scheme's area: its region words, else its
    #: expression's words (a scheme such as ``青山 OR 城关镇`` is a region); for
    #: :func:`tells_of_elsewhere`
    places: frozenset[str] = frozenset()

    @classmethod
    def build(cls, scheme: SchemeConfig, normalize: Callable[[str], str]) -> CompiledScheme:
        """Normalise the words and parse the expression of ``scheme``.

        Raises BadInput naming the scheme for a syntax error, or when it has
        neither subject words nor an expression (it could never match).
        """
        expression = None
        if scheme.expression and scheme.expression.strip():
            expression = parse(scheme.expression, normalize, name=f"scheme {scheme.name!r}")
        subjects = _word_set(scheme.subject_words, normalize)
        regions = _word_set(scheme.region_words, normalize)
        if not subjects and expression is None:
            raise BadInput(f"scheme {scheme.name!r}: needs subject words or an expression")
        return cls(
            name=scheme.name,
            regions=regions,
            subjects=subjects,
            events=_word_set(scheme.event_words, normalize),
            exclusions=_word_set(scheme.exclusion_words, normalize),
            expression=expression,
            sources=frozenset(scheme.sources),
            region_sources=frozenset(scheme.region_sources),
            counties=frozenset(w for w in regions if len(w) > 2 and w.endswith("县")),
            places=regions if regions or expression is None else frozenset(expression.words()),
        )

    def words(self) -> set[str]:
        """Return every word this scheme looks for."""
        found = set(self.regions | self.subjects | self.events | self.exclusions)
        return found | (self.expression.words() if self.expression is not None else set())

    def matches(self, present: Set[str], source: str, text: str = "") -> bool:
        """Return whether an item from ``source`` whose text holds ``present`` words matches;
        ``text`` is read only for a bare 县 (:func:`bare_county_words`)."""
        if self.sources and source not in self.sources:
            return False
        if self.expression is not None and self.expression.evaluate(present):
            return True
        return bool(
            self.subjects
            and not self.subjects.isdisjoint(present)
            and (not self.regions or source in self.region_sources
                 or not self.regions.isdisjoint(present)
                 or (bool(self.counties) and bare_county_words(text, self.counties)))
            and (not self.events or not self.events.isdisjoint(present))
            and self.exclusions.isdisjoint(present)
        )


class SchemeMatcher(BaseStage):
    """Stage ``schemes``: fills ``item.schemes`` with the names of matching schemes.

    ``normalize`` is the normalisation that produced ``match_text`` (identity
    in tests). Raises BadInput at construction for a bad scheme (see
    :meth:`CompiledScheme.build`).
    """

    name = "schemes"

    def __init__(
        self, schemes: list[SchemeConfig], normalize: Callable[[str], str] = lambda s: s,
        office: OfficeModel | None = None,
    ) -> None:
        self.schemes = [CompiledScheme.build(s, normalize) for s in schemes]
        self.office = office
        self._normalize = normalize
        self._words = sorted(set().union(*(s.words() for s in self.schemes)))
        self._automaton = acrs.AhoCorasick(self._words) if self._words else None
        #: the places each spoken form stands for (lower case): initials (lt → 龙潭镇), and
        #: short forms and names with their first character respelled (龙潭, q山 → 青山)
        initials: dict[str, set[str]] = {}
        names: dict[str, set[str]] = {}
        for place in {p for s in self.schemes for p in _named_places(s)}:
            short = spoken_names(place)
            for name in short:
                names.setdefault(name, set()).add(place)
            for name in short or (place,):
                if _HAN_NAME.fullmatch(name):
                    initials.setdefault(_initials(name), set()).add(place)
                for spelled in first_respelled(name):
                    names.setdefault(spelled, set()).add(place)
        self._spoken = {k: frozenset(v) for k, v in (initials | names).items()}
        self._spoken_re = (re.compile(
            rf"(?<![a-z0-9])(?:(?:{_alternatives(initials)}){_AFTER_INITIALS}"
            rf"|(?:{_alternatives(names)}){_AFTER_PLACE})", re.IGNORECASE)
            if self._spoken else None)

    def present(self, text: str) -> set[str]:
        """Return the scheme words that occur in ``text`` (overlaps included), a place also
        when one of its spoken names does (:func:`spoken_names`, pinyin initials,
        :func:`first_respelled`)."""
        words = self._words
        found = {words[i] for i, _, _ in self._automaton.find_matches_as_indexes(
            text, overlapping=True)} if self._automaton is not None else set()
        if self._spoken_re is not None:
            for m in self._spoken_re.finditer(text):
                found |= self._spoken[m[0].lower()]
        return found

    def match(self, text: str, source: str) -> list[str]:
        """Return the names of the schemes matching ``text`` from ``source``, in config order."""
        return [s.name for s in self.matching(text, source)]

    def matching(self, text: str, source: str) -> list[CompiledScheme]:
        """Return the schemes matching ``text`` from ``source``, in config order."""
        present = self.present(text)
        return [s for s in self.schemes if s.matches(present, source, text)]

    def process(self, items: list[Item]) -> None:
        """Set ``item.schemes`` for every live item, matched on its title and text together
        (a site article or feed entry often names the place or subject in its title only)."""
        for item in live(items):
            text = (f"{self._normalize(item.title)}\n{item.match_text}" if item.title
                    else item.match_text)
            matched = self.matching(text, item.source)
            item.schemes = [s.name for s in matched]
            if matched and self.office is not None:
                subject_reading(item, self.office, elsewhere=all(
                    s.places and tells_of_elsewhere(text, s.places) for s in matched))
