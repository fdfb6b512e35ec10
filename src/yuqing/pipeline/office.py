"""Office polarity model: P(a post is negative for the office), whatever the writer's tone.

An office must be told when something happened (harm, danger, a failure) or when someone
complains about it or accuses it, however calmly that is said: 消防通道被杂物堵死 or
新生儿被烫伤 have no complaint word and a calm writer. It need not be told of the writer's
own mood, a game or a dream, or a rescue told as good news, however negative their words.
The cue rules of :mod:`yuqing.pipeline.polarity` catch the complaints their authors
thought of; this model reads the rest.

A logistic regression over binary features (:func:`features`: character 2-3-grams of the
post's own words and a few word groups, ``MARKS``) trained by
:mod:`yuqing.pipeline.office_train` on public-affairs posts we wrote (the shipped
``data/office/office_train.csv`` and ``data/sentiment/public_affairs_train.csv``, and the
train half of ``tests/fixtures/incidents/incidents.csv``), shipped as JSON weights in
``data/models/office.json``; no pickle. Figures: README ("How good is the analysis?").
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from yuqing.pipeline.base import StageUnavailable
from yuqing.pipeline.polarity import PLACE
from yuqing.pipeline.sentiment_text import own_words, split_emoticons

MODEL_FILE = "office.json"
NGRAMS = (2, 3)  # 5-fold CV F1 with 1-3-grams 0.911, 2-3: 0.905; fewer misses on the alert splits
#: n-grams are taken within runs of letters and digits: punctuation is a writer's habit
_RUNS = re.compile(r"\w+")
#: word groups that generalise beyond the n-grams of a small training set (our words)
MARKS: dict[str, re.Pattern[str]] = {name: re.compile(pattern) for name, pattern in (
    ("good_end", r"平安|无大碍|脱险|获救|救起|救回|康复|(?:已经?|顺利|治愈|痊愈)出院|出院了|"
                 r"转危为安|无人受伤|没有人受伤|"
                 r"无人员伤亡|成功(?:救|抢救|营救|转移|找到|处置)|找到了|已找到|点赞|好样的|"
                 r"一点事(?:都|也)没有|人好好的|安然无恙|毫发无[伤损]"),
    ("mood", r"累|困|紧张|想哭|哭了|眼泪|泪|难过|伤心|舍不得|心里|心情|郁闷|失眠|睡不着|"
             r"焦虑|忐忑|崩溃|崩了|怀疑人生|想家|激动|感动|害怕|吓"),
    ("play", r"游戏|玩|梦|剧|电影|小说|动画|副本|关卡|队友|剧本杀|大结局|特效"),
    ("history", r"年前|那年|当年|小时候|老照片|周年|记得|县志|记载|回忆"),
    ("advice", r"如何|怎么办|怎样|提醒|注意|预防|防范|教你|小贴士|科普"),
    ("drill", r"演练|演习|模拟|培训"),
    ("denial", r"辟谣|谣言|不实|不属实|系伪造|与本[县镇市区]无关"),
    ("money", r"[0-9一二三四五六七八九十百千万两]+(?:元|块|万)|收费|收了|交了|费"),
    ("no_receipt", r"(?:没有|没|不开|不给|拿不出)[^，。！？；]{0,4}"
                   r"(?:发票|收据|票据|票|明细)|白条"),
    ("harm", r"受伤|烫伤|烧伤|摔|骨折|呕吐|腹泻|中毒|死亡|身亡|没了|抢救|送医|住院|缝|"
             r"裂缝|开裂|塌|漏|渗|倒|砸"),
    ("request", r"能不能|能否|希望|恳请|麻烦|请问|想问|想知道|拜托|建议|可不可以|可否"),
    ("rumour", r"小道消息|传言|传闻|据说|听说|网传|网上传|有人说|内部消息|在传|知情人|"
               r"(?:亲戚|朋友|同事)(?:说|讲|透露)"),
    ("question", r"请问|有人知道|有没有人知道|多少钱|几号|哪天|几点|在哪[里儿]?(?:买|办|交|挂)"),
)}
#: the marks of posts that are not about the office (:meth:`OfficeModel.aside`)
ASIDE = ("mood", "play", "history", "good_end")


def features(text: str) -> set[str]:
    """Return the binary features of ``text`` (already normalised, as ``item.match_text``):
    character n-grams (``NGRAMS``) within the runs of letters and digits of its own words
    (text before ``//@``), place names (``polarity.PLACE``) left out (the places our training posts
    happen to name weigh nothing either way), and
    ``"mark:<name>"`` for each of ``MARKS`` found (shared by training and use)."""
    text = own_words(text)
    out: set[str] = set()
    for run in _RUNS.findall(PLACE.sub(" ", text)):
        out.update(run[i:i + n] for n in NGRAMS for i in range(len(run) - n + 1))
    for name, pattern in MARKS.items():
        if pattern.search(text):
            out.add(f"mark:{name}")
    return out


@dataclass(frozen=True)
class OfficeModel:
    """The shipped weights: ``weights`` (feature -> weight) and ``bias``; ``negative`` and
    ``not_negative`` are the probability thresholds the office polarity uses, and
    ``subject_negative``, ``subject_not_negative`` and ``subject_not_incident`` those for a
    post that matched one of the office's monitoring schemes
    (:func:`~yuqing.pipeline.polarity.subject_reading`) (chosen on the whole-alert splits, see
    :mod:`yuqing.pipeline.office_train`)."""

    weights: dict[str, float]
    bias: float
    negative: float
    not_negative: float
    subject_negative: float
    subject_not_negative: float
    subject_not_incident: float

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> OfficeModel:
        """Return the model of an ``office.json`` document (pipeline/office_train.py)."""
        thresholds = doc["thresholds"]
        return cls(doc["weights"], float(doc["bias"]), float(thresholds["negative"]),
                   float(thresholds["not_negative"]), float(thresholds["subject_negative"]),
                   float(thresholds["subject_not_negative"]),
                   float(thresholds["subject_not_incident"]))

    @classmethod
    def load(cls, path: Path | str | None = None) -> OfficeModel:
        """Load ``path`` (None: the shipped ``data/models/office.json``); raises
        StageUnavailable naming the file when it is missing or not a model document."""
        where = (Path(path) if path is not None
                 else Path(str(resources.files("yuqing") / "data" / "models" / MODEL_FILE)))
        try:
            return cls.from_json(json.loads(where.read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise StageUnavailable(f"sentiment: office model file {where} not found") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise StageUnavailable(f"sentiment: {where} is not an office model ({exc})") from exc

    def aside(self, text: str) -> bool:
        """Return True when the words of ``text`` (emoticon codes left out: ``[泪]`` is a
        reaction, not a mood of the writer's own) have a mark of words that are not about
        the office: the writer's mood, play (games, dreams, films), history or a good end."""
        own = split_emoticons(text)[0]
        return any(MARKS[name].search(own) for name in ASIDE)

    def probability(self, text: str) -> float:
        """Return P(``text`` is negative for the office), 0..1."""
        weights = self.weights
        z = self.bias + sum([weights.get(f, 0.0) for f in features(text)])
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


@functools.cache
def shipped_office_model() -> OfficeModel:
    """Return the shipped model (``data/models/office.json``), loaded once per process and
    shared by the sentiment and schemes stages; raises StageUnavailable as
    :meth:`OfficeModel.load`."""
    return OfficeModel.load()
