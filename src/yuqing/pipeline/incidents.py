"""Stage ``incidents``: recognise reports of a public emergency (突发事件识别).

Each live item gets ``item.incident = {"category", "type", "confidence", "cues",
"casualties"}`` or None. Categories are the four of the national master plan for
public emergencies (国家突发公共事件总体应急预案, State Council, 2006, 1.3):
自然灾害, 事故灾难, 公共卫生事件, 社会安全事件; ``TYPES`` maps our types to them.

How (fast path first, so most posts cost one automaton scan):

1. the type cue lexicon (``data/models/incidents/cues.tsv``, our words) is
   found with ahocorasick-rs in the author's own words (text before ``//@``);
   a post without a cue is not an incident;
2. a linear model (logistic regression trained by pipeline/incidents_train.py
   on the train half of tests/fixtures/incidents/incidents.csv, shipped as
   JSON weights in ``model.json``) over binary features (character 1-2-grams
   and the cue types found) decides happening vs not: it tells a report from
   advice, drills, anniversaries, fiction, metaphor and routine notices;
3. the category is the one most cue types found belong to (the first in the
   text breaks a tie); a post with only generic cues (受伤, 救援 ...) gets the
   category of a second linear model over the same features. The type is the
   first cue in the text whose type is of that category. (The second model
   alone scored 0.90 category accuracy on the test half, the cue vote 0.955:
   the vote decides when it can.)

``casualties`` = ``{"deaths", "injured", "missing"}`` (lower bounds, 0 when none
is said) from :func:`parse_casualties`. Quality: ``yuqing eval incidents``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import ahocorasick_rs as acrs

from yuqing.domain import INCIDENT_CATEGORIES, Item
from yuqing.pipeline.base import BaseStage, StageUnavailable, live
from yuqing.pipeline.evasion import term_variants
from yuqing.pipeline.sentiment_text import own_words

#: the four categories of the 2006 national master plan (1.3 分类分级), in its order
CATEGORIES = INCIDENT_CATEGORIES
#: our incident types -> category (the plan's examples: 事故灾难 covers work-safety,
#: traffic, public-facility and environmental pollution accidents (1.3: 环境污染和生态破坏
#: 事件); 自然灾害 includes forest fires)
TYPES: dict[str, str] = {
    **dict.fromkeys(("火灾", "交通事故", "爆炸", "坍塌", "溺水", "生产安全事故", "踩踏",
                     "燃气泄漏", "设施设备事故", "环境污染"), "事故灾难"),
    **dict.fromkeys(("地震", "洪涝", "地质灾害", "气象灾害", "森林火灾"), "自然灾害"),
    **dict.fromkeys(("食物中毒", "传染病", "动物疫情", "职业中毒", "食品安全"), "公共卫生事件"),
    **dict.fromkeys(("持刀伤人", "群体性事件", "欠薪讨薪", "失踪", "刑事案件"), "社会安全事件"),
}
GENERIC = "-"  # the type of a cue that names a happening but no type
MODEL_PACKAGE = "yuqing.data.models.incidents"
NGRAMS = (1, 2)  # with 1-3-grams: 5-fold CV F1 on the train half 0.956, with 1-2: 0.964

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUMERAL = r"\d零〇一二两三四五六七八九十百千万"  # the characters a number is written with
_NUMBER = r"(\d+|[零〇一二两三四五六七八九十百千万]+)"
_NUM = _NUMBER + r"(?:余|多)?"
_WHO = rf"(?:名|人|位|个|例)?[^{_NUMERAL}，。、；！？,.;!?\s]{{0,6}}?"
_DEATH = r"死亡|身亡|遇难|丧生|罹难|溺亡|坠亡|殉职|死"
_INJURED = r"受轻伤|受重伤|受伤|重伤|轻伤|烧伤|烫伤|砸伤|刺伤|划伤|撞伤|炸伤|中毒|送医|住院|伤"
_MISSING = r"失踪|失联|下落不明"
_KINDS = (("deaths", _DEATH), ("injured", _INJURED), ("missing", _MISSING))
#: a number that counts days, years, floors, ages, hours, stab wounds or grades, or is an
#: ordinal, a decimal or the emergency line (``第二天就死了``, ``第12人``, ``3岁男童溺亡``,
#: ``40多岁司机身亡``, ``三个月``, ``2小时后死亡``, ``身中3刀``, ``初二学生``, ``120急救车``),
#: counts no people; the number is read whole (never from its second digit)
_NOT_PEOPLE = (rf"(?<![{_NUMERAL}第初高.．无])" + _NUMBER
               + rf"(?![{_NUMERAL}.．])(?!(?:余|多)?(?:[天年月日号点时分秒岁层楼次届期周倍成刀]|"
               r"个(?:月|小时|星期|多月)|小时|分钟|急救|救护|指挥|[%％]))(?:余|多)?")
_AFTER = [(kind, re.compile(_NOT_PEOPLE + _WHO + f"(?:{verbs})")) for kind, verbs in _KINDS]
#: the number said after its word (``死亡2人``, ``死了3人``, ``死亡人数升至274人``)
#: (not when the people are those of the next word: 2人死亡3人受伤)
_ANY_KIND = "|".join(verbs for _, verbs in _KINDS)
_BEFORE = [(kind, re.compile(f"(?:{verbs})" + r"(?:了|人数(?:已)?(?:升至|增至|上升至|达到?|为)?)?"
                             + _NUM + rf"(?:名|人|位)(?!{_ANY_KIND})")) for kind, verbs in _KINDS]
#: a denial just before or some words before (无人受伤, 暂无人员死亡, 未造成人员受伤, 无一人死亡)
_DENIED = re.compile(r"(?:无|未|没有?)[^，。；！？,.;!?\s]{0,5}$")
#: said without a number (and not denied), these mean at least one person
_ONE = [("deaths", re.compile(r"当场死亡|死亡(?!率|人数)|身亡|遇难|丧生|溺亡|坠亡|抢救无效")),
        ("injured", re.compile(r"受伤|受轻伤|受重伤|烧伤|砸伤|刺伤|送医")),
        ("missing", re.compile(r"失踪|失联|下落不明"))]
_SOME = re.compile(r"多(?:名|人)")


def parse_number(text: str) -> int:
    """Return the value of Arabic digits or a Chinese numeral (``十二`` 12, ``两百`` 200,
    ``一万三千`` 13000, ``二〇`` 20 digit by digit); raises ValueError for anything else."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        raise ValueError(f"not a number: {text!r}")
    if not any(c in _UNITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _UNITS[c]
            digit = None
    return total + section + (digit or 0)


def parse_casualties(text: str) -> dict[str, int]:
    """Return ``{"deaths", "injured", "missing"}``: the largest number said of each
    (``3死7伤``, ``两名学生受伤``, ``致1人死亡``, ``死亡2人``, ``20余人受伤`` as 20);
    1 when a word like 身亡/受伤/失联 is said without a number, 2 for ``多人受伤``."""
    out = {"deaths": 0, "injured": 0, "missing": 0}
    for patterns in (_AFTER, _BEFORE):
        for kind, pattern in patterns:
            for match in pattern.finditer(text):
                out[kind] = max(out[kind], parse_number(match.group(1)))
    for kind, pattern in _ONE:
        found = next((m for m in pattern.finditer(text)
                      if not _DENIED.search(text, max(0, m.start() - 6), m.start())), None)
        if found and not out[kind]:
            some = _SOME.search(text, max(0, found.start() - 8), found.start())
            out[kind] = 2 if some else 1
    return out


#: word groups that generalise beyond the n-grams of a small training set: a verb of
#: happening, and the marks of the hard negatives (our words)
MARKS: dict[str, re.Pattern[str]] = {name: re.compile(pattern) for name, pattern in (
    ("happened", r"发生|突发|突然|出现|遭遇|暴发|爆发|刚刚|刚才|凌晨|今天|昨天|昨晚|今晨|"
                 r"上午|下午|晚上|目前|已被|已经|正在|送医|抢救|警方|消防"),
    ("advice", r"如何|怎么|怎样|预防|防范|注意|小贴士|科普|知识|指南|教你|提醒|谨防|千万|应该|"
               r"记住|小心|要警惕|必看"),
    ("drill", r"演练|演习|模拟|实战|培训"),
    ("history", r"周年|纪念|回顾|历史|年前|当年|记载|缅怀|回忆|往事|档案|老照片|那场|那次|"
                r"那年|小时候"),
    ("fiction", r"电影|剧|小说|游戏|动画|漫画|梦|影片|上映|导演|演员|特效|关卡|玩|取景|拍摄|"
                r"拍戏|戏份"),
    ("notice", r"通知|公告|会议|检查|排查|宣传|预警|召开|部署|整治|专项|开展|发布|停水|停电"),
)}


def features(text: str, cue_types: list[str]) -> set[str]:
    """Return the binary features of ``text``: its character n-grams (``NGRAMS``),
    ``"type:<t>"``/``"cat:<c>"`` for the cue types found, ``"mark:<name>"`` for each of
    ``MARKS`` found and ``"mark:casualties"`` when a casualty is said (shared by training
    and use)."""
    out = {text[i:i + n] for n in NGRAMS for i in range(len(text) - n + 1)}
    for t in cue_types:
        out.add(f"type:{t}")
        out.add(f"cat:{TYPES.get(t, GENERIC)}")
    for name, pattern in MARKS.items():
        if pattern.search(text):
            out.add(f"mark:{name}")
    if any(parse_casualties(text).values()):
        out.add("mark:casualties")
    return out


@dataclass(frozen=True)
class CueLexicon:
    """The type cue lexicon: ``types`` maps a cue to its type (``GENERIC`` for none)."""

    types: dict[str, str]

    @classmethod
    def load(cls, text: str) -> CueLexicon:
        """Return the lexicon read from ``cue<TAB>type`` lines (``#`` comments); raises
        ValueError naming a line whose type is not in TYPES nor GENERIC."""
        types: dict[str, str] = {}
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cue, _, kind = line.partition("\t")
            if kind not in TYPES and kind != GENERIC:
                raise ValueError(f"cues line {n}: unknown type {kind!r}")
            types[cue] = kind
        return cls(types)

    def spellings(self) -> dict[str, str]:
        """Return ``{spelling: cue}``: each cue and its evasive spellings (a character in
        pinyin or split in two: ``yi闹``, ``tiao楼``, ``qing生``;
        :func:`~yuqing.pipeline.evasion.term_variants`, as for sensitive terms)."""
        out = {variant: cue for cue in self.types for variant in term_variants(cue)}
        out.update({cue: cue for cue in self.types})
        return out



@dataclass(frozen=True)
class LinearModel:
    """The shipped weights: ``happening`` (feature -> weight) with ``bias`` and
    ``threshold`` (probability); ``category`` (feature -> per-class weights, classes
    ``CATEGORIES`` order) with ``category_bias``."""

    happening: dict[str, float]
    bias: float
    threshold: float
    category: dict[str, list[float]]
    category_bias: list[float]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> LinearModel:
        """Return the model of a ``model.json`` document (pipeline/incidents_train.py)."""
        return cls(doc["happening"], float(doc["bias"]), float(doc["threshold"]),
                   doc["category"], [float(b) for b in doc["category_bias"]])

    def probability(self, feats: set[str]) -> float:
        """Return P(the post reports a happening) for the feature set ``feats``."""
        weights = self.happening
        z = self.bias + sum([weights.get(f, 0.0) for f in feats])
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    def best_category(self, feats: set[str]) -> str:
        """Return the category with the highest linear score for ``feats``."""
        scores = list(self.category_bias)
        table = self.category
        for f in feats:
            row = table.get(f)
            if row is not None:
                for i, w in enumerate(row):
                    scores[i] += w
        return CATEGORIES[max(range(len(scores)), key=scores.__getitem__)]


def read_package_text(name: str) -> str:
    """Return the text of a file shipped in ``MODEL_PACKAGE``; raises StageUnavailable
    when it is missing."""
    try:
        return resources.files(MODEL_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise StageUnavailable(f"incidents: shipped file {name} missing") from exc


class IncidentDetector:
    """Finds cues, decides happening vs not and the category (module docstring).
    ``model`` None gives the lexicon-only baseline: any typed cue is an incident."""

    def __init__(self, lexicon: CueLexicon, model: LinearModel | None) -> None:
        self.lexicon = lexicon
        self.model = model
        spellings = lexicon.spellings()
        self._automaton = acrs.AhoCorasick(list(spellings),
                                           matchkind=acrs.MatchKind.LeftmostLongest)
        self._cue_of = list(spellings.values())  # automaton pattern index -> its cue

    @classmethod
    def shipped(cls, *, baseline: bool = False) -> IncidentDetector:
        """Return the detector of the shipped lexicon and model (``baseline``: no model);
        raises StageUnavailable when a shipped file is missing."""
        lexicon = CueLexicon.load(read_package_text("cues.tsv"))
        if baseline:
            return cls(lexicon, None)
        return cls(lexicon, LinearModel.from_json(json.loads(read_package_text("model.json"))))

    def cues(self, text: str) -> list[tuple[str, str]]:
        """Return ``(cue, type)`` for each cue found in ``text`` (in any of its spellings,
        :meth:`CueLexicon.spellings`), in text order."""
        types, cue_of = self.lexicon.types, self._cue_of
        return [(cue_of[i], types[cue_of[i]])
                for i, _, _ in self._automaton.find_matches_as_indexes(text)]

    def detect(self, text: str) -> dict[str, Any] | None:
        """Return the incident detail of ``text`` or None (module docstring)."""
        own = own_words(text)
        found = self.cues(own)
        if not found:
            return None
        typed = [t for _, t in found if t != GENERIC]
        if self.model is None:
            if not typed:
                return None
            confidence, category = 1.0, _vote(typed)
        else:
            feats = features(own, [t for _, t in found])
            confidence = self.model.probability(feats)
            if confidence < self.model.threshold:
                return None
            category = _vote(typed) if typed else self.model.best_category(feats)
        kind = next((t for t in typed if TYPES[t] == category), None)
        return {"category": category, "type": kind, "confidence": round(confidence, 3),
                "cues": list(dict.fromkeys(c for c, _ in found)),
                "casualties": parse_casualties(own)}


def _vote(types: list[str]) -> str:
    """Return the category most of ``types`` belong to (the first in order on a tie)."""
    votes = [TYPES[t] for t in types]
    return max(CATEGORIES, key=lambda c: (votes.count(c), -votes.index(c) if c in votes else -99))


class IncidentStage(BaseStage):
    """Stage ``incidents``: sets ``item.incident`` on every live item; ``stats()`` counts
    the incidents of the last batch."""

    name = "incidents"

    def __init__(self, detector: IncidentDetector) -> None:
        self.detector = detector
        self._found = 0

    @classmethod
    def shipped(cls) -> IncidentStage:
        """Return the stage with the shipped lexicon and model (raises StageUnavailable)."""
        return cls(IncidentDetector.shipped())

    def process(self, items: list[Item]) -> None:
        """Detect an incident in the match text of every live item."""
        found = 0
        for item in live(items):
            item.incident = self.detector.detect(item.match_text)
            found += item.incident is not None
        self._found = found

    def stats(self) -> dict[str, int]:
        """Return ``{"incidents": n}`` for the last batch."""
        return {"incidents": self._found}
