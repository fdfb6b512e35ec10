"""舆情 polarity: what a post means for the office, next to the writer's emotion.

The sentiment model reads the writer's emotion (it was trained on an emotion set). For an
office, a complaint or accusation against the subject (投诉, 举报, 讨说法, 违规收费, 拖欠,
态度恶劣, 不作为 ...) or a report of harm (饭菜发霉变质, 学生腹痛) is negative whatever
the tone it is written in. :func:`office_polarity` turns the emotion label into that
polarity: a post with a complaint cue is negative; a post that only speaks of complaints
as a service or a how-to (如何投诉, 投诉渠道已开通, 举报电话) is not negative on that
account; anything else keeps its emotion label.

The cue lexicon and the frames are ours (written for Yuqing in 2026); measured on
tests/fixtures/sentiment (public_affairs.csv, complaints.csv) and sentiment3 test, figures
in the README ("How good is the analysis?").
"""

from __future__ import annotations

import re

#: complaints, accusations and reported harm against the subject
COMPLAINT_CUES: tuple[str, ...] = (
    # complaining, reporting, demanding redress
    "投诉", "举报", "讨说法", "要说法", "讨个说法", "要个说法", "讨公道", "讨薪", "维权",
    "上访", "求助无门", "申诉无门",
    # money wrongly taken or withheld
    "违规收费", "违规收取", "乱收费", "乱收取", "乱收", "乱罚款", "乱摊派", "强制收费",
    "拖欠", "欠薪", "克扣", "索要", "索贿", "吃拿卡要", "霸王条款", "不予退", "拒不退",
    "拒绝退", "不给退", "要求退费", "要求退款",
    # officials' conduct
    "态度恶劣", "态度极差", "态度很差", "态度差", "乱作为", "推诿", "踢皮球",
    "敷衍了事", "互相推脱", "相互推诿", "暴力执法", "野蛮执法", "强拆", "刁难",
    "没人管", "无人管", "不管不问", "不闻不问", "石沉大海",
    # harm reported
    "发霉", "变质", "偷排", "扰民",
)
#: cues with a pattern: bad attitude in other words, and people harmed (多名学生腹痛)
_PATTERN_CUES = (
    r"(?:态度|服务)[^，。！？；,.!?;]{0,5}(?:差|恶劣|蛮横|粗暴)",
    r"(?:一直|至今|迟迟|始终|仍然|还是)(?:没有|没|未|不)(?:答复|回复|处理|解决|回应|落实|兑现)",
    r"不作为(?!主|依据|参考|标准|条件|证据|重点|考核|唯一)",
    r"强制[^，。！？；,.!?;]{0,4}(?:购买|收费|摊派|捐款|消费|征订|订购)",
    r"(?:多名|数名|[0-9一二三四五六七八九十几]+名|[0-9一二三四五六七八九十几]+人|不少人|部分)"
    r"[^，。！？；,.!?;]{0,6}(?:腹痛|腹泻|呕吐|中毒|受伤|住院|送医)",
)
#: words before a cue that deny or forbid it: a negator right before (没有乱收费, 从未推诿),
#: or a ban or a campaign against it earlier in the clause (严禁学校违规收费, 防止食物变质)
_DENIAL = re.compile(
    r"(?:(?:没有|没|无|不得|不会|并未|从未|不存在|未发现)"
    r"|(?:严禁|禁止|杜绝|防止|预防|避免|根治|整治|治理|打击|专项)[^，。！？；,.!?;]{0,6})$"
)
#: words before a cue in its clause that make it advice or a service (如何投诉, 欢迎举报,
#: 可向…投诉); 可是 and 直接 are not among them
_ADVICE_BEFORE = re.compile(
    r"(?:如何|怎么|怎样|怎么样|哪里|去哪|向哪|欢迎|鼓励|可以|可向|可在|可通过|可拨打|请|方便|"
    r"依法|有序|理性|学会|教你|指导|受理|接受|处理|答复|回应|办结|核实|(?<![直连迎])接|接到|"
    r"收到|根据|征集|收集)[^，。！？；,.!?;]{0,8}$"
)
#: words right after a cue that make it a service or a notice (投诉电话, 举报渠道已开通)
_ADVICE_AFTER = re.compile(
    r"(?:电话|热线|渠道|平台|方式|途径|流程|指南|须知|入口|信箱|邮箱|窗口|中心|奖励|有奖|"
    r"知识|技巧|攻略|办法|已受理|已办结|已处理|已回复|已解决|已开通|处理情况|受理情况|"
    r"量下降|率下降|办结率|满意度)"
)
_CUE_RE = re.compile("|".join(
    [*_PATTERN_CUES, *sorted(map(re.escape, COMPLAINT_CUES), key=len, reverse=True)]))
#: a question after 投诉电话/举报热线: the writer wants to complain (投诉电话是多少？)
_WANTS = re.compile(
    r"(?:电话|热线|渠道|平台|方式|途径|入口)[^，。！；,.!;]{0,4}(?:是多少|是什么|多少|在哪|是哪|？|\?)"
)
#: clause boundaries: the frames look within the cue's clause only
_CLAUSE = re.compile(r"[，。！？；,.!?;\n]")


def cue_readings(text: str) -> list[tuple[str, str]]:
    """Return ``[(cue, reading)]`` for the complaint cues of ``text`` in order, reading one of
    ``complaint``, ``denied`` (the words just before deny or forbid it: 没有乱收费,
    严禁…违规收费) or ``advice`` (the words just before or after make it advice, a service
    or a notice: 如何投诉, 欢迎举报, 投诉渠道已开通, 投诉量下降; but 投诉电话是多少？ is a
    complaint). The frames look within the cue's clause only.
    """
    readings: list[tuple[str, str]] = []
    for m in _CUE_RE.finditer(text):
        start = max((p.end() for p in _CLAUSE.finditer(text, 0, m.start())), default=0)
        before = text[start : m.start()]
        advice_after = (_ADVICE_AFTER.match(text, m.end()) is not None
                        and _WANTS.match(text, m.end()) is None)
        if _DENIAL.search(before):
            readings.append((m.group(), "denied"))
        elif advice_after or _ADVICE_BEFORE.search(before):
            readings.append((m.group(), "advice"))
        else:
            readings.append((m.group(), "complaint"))
    return readings


def complaint_cues(text: str) -> list[str]:
    """Return the cues of ``text`` read as real complaints (:func:`cue_readings`), in order."""
    return [cue for cue, reading in cue_readings(text) if reading == "complaint"]


def office_polarity(emotion: str, text: str) -> str:
    """Return the office polarity (negative / neutral / positive) of ``text`` whose writer's
    emotion label is ``emotion``.

    negative when the text has a complaint cue read as a complaint; neutral when the
    emotion is negative but the text speaks of complaints only as advice or a service
    (the negative reading came from the complaint words: 如何投诉物业？); the emotion
    label otherwise (a denial such as 没有投诉的地方 keeps the writer's reading).
    """
    readings = [reading for _, reading in cue_readings(text)]
    if "complaint" in readings:
        return "negative"
    if emotion == "negative" and readings and all(r == "advice" for r in readings):
        return "neutral"
    return emotion
