"""Stage ``handling``: suggest a handling class for a post, with confidence and cue words.

The four classes of the seed brief (ARCHITECTURE/issue 3):

1. 询问质疑诉求 inquiry, doubt or appeal (asks, questions, complains, wants a fix);
2. 恶意传播炒作 malicious spreading or hype (calls to spread, clickbait, stirring);
3. 捏造诽谤违法 fabrication, defamation or illegal content (unverified "insider"
   claims, accusations of crimes, illegal offers);
4. 建设性意见 constructive suggestion (proposes a concrete improvement).

A transparent cue model, not a trained one: each class has weighted
regular-expression cues (written for Yuqing, in ``CUES``); a post's class
score is the sum of the weights of the distinct cues found in its own words
(text before ``//@``). The best class is suggested when its score reaches
``MIN_SCORE``; otherwise the class is None ("no class fits"). Confidence is
``best / (best + runner_up + 1)``: high when one class clearly dominates.
``item.handling = {"class", "label", "confidence", "cues", "scores"}`` (domain.HandlingDetail).
Accuracy on our labelled set: ``yuqing eval handling-class``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from yuqing.domain import HANDLING_CLASS_LABELS, HandlingDetail, Item
from yuqing.pipeline.base import BaseStage, live
from yuqing.pipeline.labelled import read_labelled_rows
from yuqing.pipeline.sentiment_text import own_words

MIN_SCORE = 2.0
#: (class, weight, pattern) -- weight 2 is enough alone, 1 needs support
CUES: tuple[tuple[int, float, str], ...] = (
    (1, 2.0, r"请问|想问一下|问一下|咨询一下|有没有人管|谁来管|管不管|"
             r"给个说法|讨个说法|给.{0,4}答复"),
    (1, 2.0, r"为什么|为啥|凭什么|怎么回事|什么时候(?:能|才|可以)|何时|到底|难道"),
    (1, 2.0, r"投诉|举报电话|反映(?:了)?(?:多次|好几次|问题)|求助|诉求|维权|申诉|信访"),
    (1, 1.0, r"[？?]|能不能|可不可以|是否|有没有|多久"),
    (1, 1.0, r"没人管|没人回|不回复|踢皮球|推诿|拖了|一直没|迟迟|还没(?:有)?(?:解决|修|处理)"),
    (1, 2.0, r"请(?:相关部门|有关部门|领导|政府|市长|局长)|"
             r"希望(?:相关部门|有关部门|尽快|早日)|尽快(?:解决|处理|修)"),
    (2, 3.0, r"扩散|速转|快转|转起来|求转发|帮忙转|转给更多人|不转不是|转疯了|刷屏"),
    (2, 2.0, r"震惊|惊爆|重磅|炸裂|惊天|内幕|删前|速看|必看|细思极恐|太可怕了吧|曝光[!！]"),
    (2, 2.0, r"带节奏|炒作|引流|蹭热度|水军|控评|上热搜|冲热搜|搞大|闹大"),
    (2, 1.0, r"[!！]{3,}|所有人|全国人民|都来看|大家看看"),
    (3, 3.0, r"造谣|谣言|诽谤|捏造|伪造|假消息|编造"),
    (3, 2.0, r"内部消息|内部人士|知情人(?:士)?透露|据说|听说|小道消息|绝对可靠|我朋友说|我亲戚说"),
    (3, 2.0, r"贪官|贪污|受贿|收钱|黑社会|保护伞|勾结|包庇|杀人犯|骗子|强奸|人贩子|黑幕"),
    (3, 3.0, r"出售|代办|办证|代开发票|枪支|赌博|博彩|裸聊|套现|刷单|加微信|私聊"),
    (3, 1.0, r"死了(?:好多|上百|几十)|隐瞒|封锁消息|掩盖|不敢报"),
    (4, 3.0, r"建议|提议|提个(?:建议|意见)|不妨|可否考虑|能否考虑|是否可以考虑|可以考虑"),
    (4, 2.0, r"希望能(?:增加|增设|延长|开通|设置|改进|优化|完善)|"
             r"如果能|要是能|最好能|应当|应该(?:增加|增设|设置|加强|完善)"),
    (4, 2.0, r"增设|加装|延长|开通|优化|改进|完善|改善|合理安排|错峰|分流|试点|推广"),
    (4, 1.0, r"这样(?:可以|就能|能够)|既能|方便(?:市民|居民|群众|大家)"),
)
_COMPILED = tuple((cls, w, re.compile(p)) for cls, w, p in CUES)
#: one scan that tells whether any cue occurs at all (most posts have none)
_ANY_CUE = re.compile("|".join(f"(?:{p})" for _, _, p in CUES))


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A handling-class suggestion: ``handling_class`` 1-4 or None, ``confidence`` 0..1,
    ``cues`` (matched strings, in text order), ``scores`` (class -> summed weight)."""

    handling_class: int | None
    confidence: float
    cues: tuple[str, ...]
    scores: dict[int, float]

    def as_dict(self) -> HandlingDetail:
        """Return the detail kept in ``item.handling`` (confidence rounded to 3 places)."""
        label = HANDLING_CLASS_LABELS.get(self.handling_class) if self.handling_class else None
        return {"class": self.handling_class, "label": label,
                "confidence": round(self.confidence, 3), "cues": list(self.cues),
                "scores": {str(k): v for k, v in self.scores.items()}}


def suggest(text: str) -> Suggestion:
    """Return the handling-class suggestion for ``text`` (see module doc)."""
    own = own_words(text)
    scores = {cls: 0.0 for cls in HANDLING_CLASS_LABELS}
    if _ANY_CUE.search(own) is None:
        return Suggestion(None, 1.0, (), scores)
    found: list[tuple[int, str]] = []
    for cls, weight, pattern in _COMPILED:
        match = pattern.search(own)
        if match:
            scores[cls] += weight
            found.append((match.start(), match.group()))
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    cues = tuple(dict.fromkeys(s for _, s in sorted(found)))
    if top < MIN_SCORE:
        return Suggestion(None, 1.0 - top / (MIN_SCORE + 1), cues, scores)
    return Suggestion(best, top / (top + second + 1.0), cues, scores)


class HandlingClassifier(BaseStage):
    """Stage ``handling``: sets ``item.handling_class`` and ``item.handling``."""

    name = "handling"

    def process(self, items: list[Item]) -> None:
        """Suggest a class for every live item from its match text."""
        for item in live(items):
            result = suggest(item.match_text)
            item.handling_class = result.handling_class
            item.handling = result.as_dict()


#: the labels of a handling-class set: the four classes, or none
HANDLING_LABELS = frozenset({"1", "2", "3", "4", "none"})


def read_handling_csv(path: Path) -> tuple[list[str], list[int | None], list[str]]:
    """Return (texts, classes, problems) from a ``text,class`` CSV; class 1-4 or ``none``.

    A bad row is skipped and described as ``file:line: problem``. Raises
    BadInput when the file is missing or lacks the two columns.
    """
    texts, raw, problems = read_labelled_rows(path, "class", HANDLING_LABELS, comments=True)
    return texts, [None if c == "none" else int(c) for c in raw], problems
