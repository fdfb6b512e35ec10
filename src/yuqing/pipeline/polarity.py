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
from typing import TYPE_CHECKING

from yuqing.pipeline.sentiment_text import split_emoticons

if TYPE_CHECKING:
    from yuqing.domain import Item
    from yuqing.pipeline.office import OfficeModel

#: complaining, reporting, demanding redress: the words that also name a service (投诉电话)
REDRESS_CUES: tuple[str, ...] = (
    "投诉", "举报", "讨说法", "要说法", "讨个说法", "要个说法", "讨公道", "讨薪", "维权",
    "上访", "求助无门", "申诉无门",
)
#: complaints, accusations and reported harm against the subject
COMPLAINT_CUES: tuple[str, ...] = (
    *REDRESS_CUES,
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
    # abuse of office and cover-ups (accusations that an office must answer)
    "受贿", "行贿", "贪污", "挪用", "截留", "侵占", "虚报", "骗保", "套取", "收红包",
    "吃回扣", "以权谋私", "徇私", "暗箱操作", "权钱交易", "包庇", "失职", "渎职",
    "玩忽职守", "瞒报", "捂盖子", "被压了下来", "删帖", "删视频", "涉嫌",
    # money taken by force or trickery
    "摊派", "变相收费", "有偿补课", "有偿家教", "捆绑消费", "强制消费", "缺斤短两", "宰客",
    "被宰", "过度医疗", "天价",
    # people mistreated
    "体罚", "打骂", "辱骂", "殴打", "打人", "虐待", "虐童", "霸凌", "欺凌", "性骚扰",
    "猥亵", "偷拍", "推搡", "羞辱", "恐吓", "勒索", "钓鱼执法", "选择性执法",
    # no one answers, no one is responsible
    "爱答不理", "不理不睬", "无人接听", "一拖再拖", "推卸责任",
    "推责", "互相推", "不了了之", "取不出",
    # unsafe or spoiled things
    "假药", "劣质", "偷工减料", "豆腐渣", "危房", "吃不饱", "臭气熏天", "脏乱差", "噪音",
)
#: cues with a pattern: bad attitude in other words, and people harmed (多名学生腹痛)
_PATTERN_CUES = (
    r"(?:态度|服务)[^，。！？；,.!?;]{0,5}(?:差|恶劣|蛮横|粗暴)",
    r"(?:一直|至今|迟迟|始终|仍然|还是|还)(?:没有|没|未|不)(?:答复|回复|处理|解决|回应|落实|兑现|"
    r"道歉|赔偿|到账|退|给说法|修)",
    r"没人(?:理|回|修|处理|打扫|清理|负责|过问|接听)|(?:电话|打了[^，。！？；,.!?;]{0,6})没人接",
    r"要求[^，。！？；,.!?;]{0,8}(?:道歉|赔偿|退费|退款|给个?说法|给个?解释)",
    r"(?:合理|合法|公平|正常)吗[？?]|(?:有没有人|有人)管(?:管)?吗",
    r"(?:扇|打|抽)了?[^，。！？；,.!?;]{0,6}耳光",
    r"不作为(?!主|依据|参考|标准|条件|证据|重点|考核|唯一)",
    r"强制[^，。！？；,.!?;]{0,4}(?:购买|收费|摊派|捐款|消费|征订|订购)",
    r"(?:多名|数名|[0-9一二三四五六七八九十几]+名|[0-9一二三四五六七八九十几]+人|不少人|部分)"
    r"[^，。！？；,.!?;]{0,6}(?:腹痛|腹泻|呕吐|中毒|受伤|住院|送医)",
    r"过期(?:药|食品|食材|疫苗|奶粉|肉)",
    r"吃出(?:了|一只|一根|一条|只|根)?(?:虫|头发|苍蝇|蟑螂|异物|钢丝)",
    r"被(?:纪委|纪检|监委|纪检监察)[^，。！？；,.!?;]{0,4}(?:带走|调查|留置|查)",
    r"联名(?:写信|信|上书|举报|投诉|反对|抵制|要求)|签名反对|集体(?:上访|维权|讨薪|罢工|罢市|停运|抗议)",
    r"(?:已经|已|家长|家属|当事人|受害人|村民|居民)报警",
    r"(?<!心)性侵",
    r"被打(?:伤|进|成|得)|被[^，。！？；,.!?;]{0,4}(?:抽成|扣钱|扣工资|克扣)",
    r"谁(?:来)?(?:负责|验收|审批|批准|监管|担责|买单)(?:的|了)?[？?]",
    # coercion told as a condition (完不成任务扣绩效, 不交钱就不让上课)
    r"(?:完不成|不完成|没完成|[卖做干]不完|不交|没交|不买|不订|不参加)[^，。！？；,.!?;]{0,8}(?:就|的)?"
    r"(?:扣|罚|不给|不让|不准|停)",
    # demands that someone answer for it, and requests to disclose (要求撤换, 能不能公示一下)
    r"要求[^，。！？；,.!?;]{0,8}(?:撤换|撤职|罢免|下台|辞职|停职|彻查|严查|公开|公示|开除)",
    r"(?:能不能|能否|希望|恳请|请)[^，。！？；,.!?;]{0,8}(?:公示|公开|说明一下|解释一下|给个?解释)",
    # a claim going round that the writer asks to have checked (网传…是真的吗？ …求官方回应)
    r"(?:网传|网上说|网上传|听说|传言|据说|有人说)[^。！？!?]{0,30}(?:是真的吗|真的假的|"
    r"求(?:官方|相关部门)?(?:回应|辟谣|证实|核实)|有没有人知道)",
    # people gathering to go somewhere together (组织…一起去学校)
    r"(?:组织|召集|约好|相约|准备)[^，。！？；,.!?;]{0,12}(?:一起|集体|统一)(?:去|到)",
)
#: words before a cue that deny or forbid it: a negator right before (没有乱收费, 从未推诿),
#: or a ban or a campaign against it earlier in the clause (严禁学校违规收费, 防止食物变质)
_DENIAL = re.compile(
    r"(?:(?:没有|没|无|不得|不会|不要|不需要|不用|并未|从未|不存在|未发现)"
    r"|(?:严禁|禁止|杜绝|防止|预防|避免|根治|整治|治理|打击|专项)[^，。！？；,.!?;]{0,6}"
    r"|(?:模拟|演练|演习|假如|如果|万一)[^，。！？；,.!?;]*)$"
)
#: words before a cue in its clause that make it advice or a service (如何投诉, 欢迎举报,
#: 可向…投诉); 可是 and 直接 are not among them
_ADVICE_BEFORE = re.compile(
    r"(?:如何|怎么|怎样|怎么样|哪里|去哪|向哪|欢迎|鼓励|可以|可向|可在|可通过|可拨打|请|方便|"
    r"依法|有序|理性|学会|教你|指导|受理|接受|处理|答复|回应|办结|核实|(?<![直连迎])接(?!着)|接到|"
    r"收到|根据|征集|收集)[^，。！？；,.!?;]{0,10}$|如何[^，。！？；,.!?;]{0,14}$"
)
#: words right after a cue that make it a service or a notice (投诉电话, 举报渠道已开通)
_ADVICE_AFTER = re.compile(
    r"(?:电话|热线|渠道|平台|方式|途径|流程|指南|须知|入口|信箱|邮箱|窗口|中心|奖励|有奖|"
    r"知识|技巧|攻略|办法|已受理|已办结|已处理|已回复|已解决|已开通|处理情况|受理情况|"
    r"量下降|率下降|办结率|满意度|工作|调解)"
)
#: words right after a cue that say it is slight: a quality praised (噪音小, 噪音很低)
_SLIGHT_AFTER = re.compile(r"(?:很|极|非常|特别|较|比较)?(?:小|低|少|不大)")
#: a supposition earlier in the cue's sentence (如果她总是…，敷衍了事): it governs every clause
_SUPPOSED = re.compile(r"(?:假如|如果|万一|要是|倘若)[^。！？!?]*$")
_SENTENCE = re.compile(r"[。！？!?\n]")
_REDRESS = frozenset(REDRESS_CUES)
_CUE_RE = re.compile("|".join(
    [*_PATTERN_CUES, *sorted(map(re.escape, COMPLAINT_CUES), key=len, reverse=True)]))
#: a question after 投诉电话/举报热线: the writer wants to complain (投诉电话是多少？)
_WANTS = re.compile(
    r"(?:电话|热线|渠道|平台|方式|途径|入口)[^，。！；,.!;]{0,4}(?:是多少|是什么|多少|在哪|是哪|？|\?)"
)
#: a named institution: a subject the office polarity can be about
_INSTITUTION = re.compile(
    r"医院|卫生院|诊所|学校|幼儿园|小学|中学|大学|[一二三四五六七八九十]中|职高|政府|派出所|公安|"
    r"法院|检察院|教育局|卫健|城管|交警|消防|银行|物业|社区|街道|居委会|村委|政务|[县市区镇乡]里"
)
#: a county, town, township or village named (two characters and the unit)
PLACE = re.compile(r"[\u4e00-\u9fff]{2}(?:县|镇|乡|村)")
#: a public body named as one body: a place name (柳溪镇, not 农村 nor 回去镇: a name holds no
#: function word), a bare 县 of the writer's county (县医院), a numbered school (一中) or a
#: name before a school, hospital or police station (扶轮小学); not 大学, 学校, 政府 said of
#: no one in particular
_NAMED_BODY = re.compile(
    r"[^\W\d_在去回到的和跟从是了我你他她说要想这那个][^\W\d_在去回到的和跟从是了我你他她说要想这那个]"
    r"(?:县|镇|乡|村)|(?:^|(?<=[^\u4e00-\u9fff])|(?<=[在去到的和跟从是了]))县|"
    r"[一二三四五六七八九十]中(?![国文央心间期午旬等级型年毒奖标枪招断])|"
    r"[\u4e00-\u9fff]{2}(?:中学|小学|幼儿园|卫生院|人民医院|中医院|派出所|职高)"
)
#: places said of no place in particular (农村, 小县城, 全县)
_GENERIC_PLACE = re.compile(r"农村|乡村|山村|小镇|城镇|乡镇|小县|线县|古镇|市县|区县|村村|"
                            r"全县|本县|全村|全镇|各县|各乡|各村|外县")
#: the writer's own state of mind, and figures of speech (好累, 舍不得, 心情差, 炸了)
_OWN_MOOD = re.compile(
    r"好累|太累|累死|累瘫|好困|难过|伤心|心情[好很超有点]{0,2}(?:差|不好|低落|糟|郁闷)|舍不得|"
    r"不舍|想哭|哭成狗|也哭了|哭死|泪目|感伤|伤感|失落|七上八下|心有余悸|忐忑|焦虑|压力山大|"
    r"不甘心|郁闷|心态崩|崩了|崩溃|原地爆炸|炸了|杀疯|想家|怀念|冷汗|尽力了|哈哈|"
    r"炸锅|挤爆|爆满|心态[^，。！？；,.!?;]{0,3}爆炸|鼻子一酸|一路都在哭|哭了一路|"
    r"灾难片|心累|吓醒"
)
#: a problem laid at someone's door, anger, a demand or a request (为什么, 能不能, 没人管,
#: 坏了, 排了一上午, 被罚, 气死, 不爽)
_AIMED = re.compile(
    r"为什么|凭什么|凭啥|能不能|能否|怎么回事|到底|麻烦|希望|要求|没人|没有任何|坏了|不管|"
    r"不给|不让|竟然|居然|太差|差劲|垃圾|坑|骗|罚|排队|排了|等了|再也不|去不起|气死|生气|"
    r"不爽|火大|火气|憋屈|委屈|恶心|无语|离谱|过分|傻"
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
    return [(m.group(), frame(text, m.start(), m.end()) or "complaint")
            for m in _CUE_RE.finditer(text)]


def frame(text: str, start: int, end: int) -> str | None:
    """Return how the words around ``text[start:end]`` frame it: ``"denied"`` (a negator
    right before, a ban or campaign, a drill or a supposition earlier in its clause:
    没有乱收费, 严禁…违规收费, 模拟…受伤; a supposition earlier in its sentence: 如果她…，
    敷衍了事; or a word right after that says it is slight: 噪音小), ``"advice"`` (advice,
    a service or a notice: 如何投诉, 欢迎举报, 投诉渠道已开通, 信访工作会议; but
    投诉电话是多少？ is not), or None (said plainly). Only the phrase's clause is looked at,
    and its sentence for a supposition."""
    clause = max((p.end() for p in _CLAUSE.finditer(text, 0, start)), default=0)
    before = text[clause:start]
    sentence = max((p.end() for p in _SENTENCE.finditer(text, 0, start)), default=0)
    if (_DENIAL.search(before) or _SLIGHT_AFTER.match(text, end) is not None
            or _SUPPOSED.search(text, sentence, start) is not None):
        return "denied"
    if ((_ADVICE_AFTER.match(text, end) is not None and _WANTS.match(text, end) is None)
            or _ADVICE_BEFORE.search(before)):
        return "advice"
    return None


def complaint_cues(text: str) -> list[str]:
    """Return the cues of ``text`` read as real complaints (:func:`cue_readings`), in order."""
    return [cue for cue, reading in cue_readings(text) if reading == "complaint"]


def office_polarity(emotion: str, text: str, office: OfficeModel | None = None, *,
                    subject: bool = False, p: float | None = None) -> str:
    """Return the office polarity (negative / neutral / positive) of ``text`` whose writer's
    emotion label is ``emotion``; ``office`` is the office polarity model
    (:class:`~yuqing.pipeline.office.OfficeModel`), None for the rules alone.

    In order: negative when the text has a complaint cue read as a complaint; neutral when
    the emotion is negative but the text speaks of complaints only as advice or a service,
    with redress words alone (REDRESS_CUES: the negative reading came from them: 如何投诉物业？);
    then, with a model, negative when it gives P(negative for the office) ≥
    ``office.negative`` (a complaint told as a plain fact, harm told calmly), and neutral
    when the emotion is negative, the post names one body (:func:`names_body`) and it gives
    < ``office.not_negative`` (the writer's mood, a game, a rescue told as good news); a
    negative post about the writer's own mood near a named institution is neutral
    (:func:`own_mood_only`); else the emotion
    label (a denial such as 没有投诉的地方, or an accusation named in a call for tips,
    征集瞒报的线索, keeps the writer's reading).

    ``subject`` True says the post is known to be about a body the office answers for (it
    matched one of the office's monitoring schemes, pipeline/schemes.py): the model's
    reading then counts with its own thresholds (``office.subject_negative`` and
    ``office.subject_not_negative``), and a negative emotion below the second is neutral
    without the marks of mood or play asked of a post about no body in particular. ``p``
    is the model's probability when the caller has it already.
    """
    found = cue_readings(text)
    if any(reading == "complaint" for _, reading in found):
        return "negative"
    if emotion == "negative" and found and all(reading == "advice" and cue in _REDRESS
                                               for cue, reading in found):
        return "neutral"
    if office is not None and subject:
        p = office.probability(text) if p is None else p
        if p >= office.subject_negative:
            return "negative"
        if emotion == "negative" and p < office.subject_not_negative:
            return "neutral"
    elif office is not None and about_public_body(text):
        p = office.probability(text)
        if p >= office.negative:
            return "negative"
        if (emotion == "negative" and p < office.not_negative and names_body(text)
                and office.aside(text) and _AIMED.search(text) is None):
            return "neutral"
    if emotion == "negative" and own_mood_only(text):
        return "neutral"
    return emotion


def about_public_body(text: str) -> bool:
    """Return True when ``text`` names an institution (医院, 学校, 派出所 …) or a county,
    town, township or village (青山县, 城关镇): a subject an office answers for."""
    return _INSTITUTION.search(text) is not None or PLACE.search(text) is not None


def names_body(text: str) -> bool:
    """Return True when ``text`` names one public body (柳溪镇, 县医院, 青山一中, 扶轮小学;
    not 农村, 大学, 政府 said of none in particular): a mood near such a body may be cleared
    by the office model. A post near no body in particular keeps the writer's reading, as
    an emotion set's posts (sentiment3: 大学生活, 政府 in a reaction) should."""
    return any(_GENERIC_PLACE.search(text, max(0, m.start() - 1), m.end()) is None
               for m in _NAMED_BODY.finditer(text))


def own_mood_only(text: str) -> bool:
    """Return True when ``text`` names one public body (:func:`names_body`: 县医院, 二中,
    柳溪镇) but its negative words are the writer's own state of mind or a figure of speech
    (在县医院陪护第五天了，好累; 要离开二中了，舍不得; 一中的高考成绩炸了; 家长群都炸锅了),
    with nothing laid at anyone's door, no demand and no request (为什么, 能不能, 没人管,
    坏了 ...).

    Such a post is sad, tired or excited, but says nothing against the institution it
    names. A post naming none in particular (大学生活, 学校) keeps the writer's reading:
    without a subject the emotion is all the office polarity has (and an emotion set such
    as sentiment3 is mostly such posts: the rule changes none of its 3,783 dev posts and
    none of its 7,558 test posts; 66 dev posts without the condition).
    Emoticon codes are left out (``[伤心]`` is a reaction to what the post tells). Complaint
    cues are checked by the caller first."""
    return (names_body(text) and _OWN_MOOD.search(split_emoticons(text)[0]) is not None
            and _AIMED.search(text) is None)


def subject_reading(item: Item, office: OfficeModel, *, elsewhere: bool = False) -> None:
    """Read ``item`` as a post about a body the office answers for (it matched one of the
    office's monitoring schemes; the schemes stage calls this): ``item.sentiment`` becomes
    :func:`office_polarity` with ``subject=True`` (when the sentiment stage gave an
    emotion), and ``item.incident`` is dropped when the office model gives P(the office
    must be told) below ``office.subject_not_incident``: the happening words of such a
    post tell a rescue that ended well, a memory, a game or a happening in another county
    (on the whole-alert splits, 13 of the 54 such incidents of posts not to tell and 3 of
    the 214 of posts to tell are below 0.1).

    ``elsewhere`` True says the post tells of another county or city and names the office's
    area only in passing (pipeline/schemes.py ``tells_of_elsewhere``): a negative reading is
    neutral and the incident is dropped, since nothing happened to the office's subject."""
    text = item.match_text
    if elsewhere:
        if item.sentiment == "negative":
            item.sentiment = "neutral"
        item.incident = None
        return
    p = office.probability(text)
    if item.emotion is not None:
        item.sentiment = office_polarity(item.emotion, text, office, subject=True, p=p)
    if item.incident is not None and p < office.subject_not_incident:
        item.incident = None
