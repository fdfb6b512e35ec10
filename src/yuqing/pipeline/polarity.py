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
    "态度恶劣", "态度极差", "态度很差", "态度差", "不作为", "乱作为", "推诿", "踢皮球",
    "敷衍了事", "互相推脱", "相互推诿", "暴力执法", "野蛮执法", "强拆", "刁难",
    "没人管", "无人管", "不管不问", "不闻不问", "石沉大海",
    # harm reported
    "发霉", "变质", "偷排", "扰民",
)
#: cues with a pattern: bad attitude in other words, and people harmed (多名学生腹痛)
_PATTERN_CUES = (
    r"(?:态度|服务)[^，。！？；,.!?;]{0,5}(?:差|恶劣|蛮横|粗暴)",
    r"(?:一直|至今|迟迟|始终|仍然|还是)(?:没有|没|未|不)(?:答复|回复|处理|解决|回应|落实|兑现)",
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
#: words right before a cue that make it advice or a service (如何投诉, 欢迎举报, 可向…投诉)
_ADVICE_BEFORE = re.compile(
    r"(?:如何|怎么|怎样|怎么样|哪里|去哪|向哪|欢迎|鼓励|可以|可|可向|可拨打|请|方便|依法|"
    r"有序|理性|学会|教你|指导|受理|接受|处理|答复|回应|办结|核实|接|接到|收到|根据|征集|收集)[^，。！？；,.!?;]{0,8}$"
)
#: words right after a cue that make it a service or a notice (投诉电话, 举报渠道已开通)
_ADVICE_AFTER = re.compile(
    r"^(?:电话|热线|渠道|平台|方式|途径|流程|指南|须知|入口|信箱|邮箱|窗口|中心|奖励|有奖|"
    r"知识|技巧|攻略|办法|已受理|已办结|已处理|已回复|已解决|已开通|处理情况|受理情况|"
    r"量下降|率下降|办结率|满意度)"
)
_CUE_RE = re.compile("|".join(
    [*_PATTERN_CUES, *sorted(map(re.escape, COMPLAINT_CUES), key=len, reverse=True)]))
#: clause boundaries: the frames look within the cue's clause only
#: a question after 投诉电话/举报热线: the writer wants to complain (投诉电话是多少？)
_WANTS = re.compile(r"(?:电话|热线|渠道|平台|方式|途径|入口)[^，。！；,.!;]{0,4}(?:是多少|是什么|多少|在哪|是哪|？|\?)")
_CLAUSE = re.compile(r"[，。！？；,.!?;\n]")


def complaint_cues(text: str) -> list[str]:
    """Return the complaint cues of ``text`` that are real complaints, in order (may repeat).

    A cue is dropped when the words just before it deny it (没有乱收费) or make it advice
    or a service (如何投诉, 欢迎举报, 可拨打…举报), or when the words just after it make it
    a service or a notice (投诉电话, 投诉渠道已开通, 投诉量下降). Both look within the
    cue's clause only (up to the previous/next punctuation mark).
    """
    found: list[str] = []
    for m in _CUE_RE.finditer(text):
        start = max((p.end() for p in _CLAUSE.finditer(text, 0, m.start())), default=0)
        before = text[start : m.start()]
        after = text[m.end() : m.end() + 6]
        advice_after = _ADVICE_AFTER.match(after) and not _WANTS.match(text, m.end())
        if _DENIAL.search(before) or _ADVICE_BEFORE.search(before) or advice_after:
            continue
        found.append(m.group())
    return found


def mentions_complaint_service(text: str) -> bool:
    """True when ``text`` names a complaint cue only as advice, a service or a denial
    (how to complain, a hotline, a channel opened, 没有乱收费), with no real complaint."""
    return bool(_CUE_RE.search(text)) and not complaint_cues(text)


def office_polarity(emotion: str, text: str) -> str:
    """Return the office polarity (negative / neutral / positive) of ``text`` whose writer's
    emotion label is ``emotion``.

    negative when the text has a complaint cue (:func:`complaint_cues`); neutral when the
    emotion is negative but the text speaks of complaints only as a service or advice
    (the negative reading came from the complaint words); the emotion label otherwise.
    """
    if complaint_cues(text):
        return "negative"
    if emotion == "negative" and mentions_complaint_service(text):
        return "neutral"
    return emotion
