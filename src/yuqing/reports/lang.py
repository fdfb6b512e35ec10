"""The words of a report in two languages: Simplified Chinese (default) and English.

As in the web app (web/i18n.py), the Chinese text is the message id and ``EN`` the English
catalogue, the words reports share with the pages taken from yuqing/vocabulary.py; a text
with values is a template filled after translation (``_("{n}条").format(n=3)``). A
report's language is ``Report.lang``, chosen by ``yuqing report --lang``, the web's
``lang=`` or the config's ``language``. A missing English entry falls back to the Chinese
text; tests/reports/test_lang.py checks that an English report shows no Chinese of ours.
"""

from __future__ import annotations

from collections.abc import Callable

from yuqing.domain import BadInput
from yuqing.vocabulary import SHARED_EN

LANGS = ("zh", "en")

EN: dict[str, str] = SHARED_EN | {
    # titles, scope
    "舆情{kind}": "Public opinion {kind}",
    "舆情监测中心": "Public Opinion Monitoring Centre",
    "“{scheme}”监测方案": "the scheme “{scheme}”", "全部监测范围内": "all monitored sources",
    "{label}（截至{time}）": "{label} (up to {time})", "截至{time}": "up to {time}",
    "{first}至{last}": "{first} to {last}",
    # figures
    "信息总量": "Items", "负面信息": "Negative", "涉敏信息": "Sensitive", "互动量": "Engagement",
    "重点事件": "Key events", "新增工单": "New cases", "在办工单": "Open cases",
    "{n}条": "{n}", "{n}个": "{n}", "{n}件": "{n}",
    "环比{change}": "{change} on the previous period",
    "占{share}": "{share} of items", "转发+评论+点赞": "reposts + comments + likes",
    "办结{n}件": "{n} closed", "超期{n}件": "{n} overdue", "上期为0": "previous period 0",
    "持平": "unchanged", "上升{p}": "up {p}", "下降{p}": "down {p}",
    # sentiment and media (as the pages do not say them), places, case states
    "未判定": "Unknown", "论坛": "Forums", "客户端": "Apps",
    "省份": "province", "城市": "city", "未立案": "no case",
    "（工单{id}{more}）": " (case {id}{more})",
    "等{n}件": " and {n} in all", "已收集": "collected", "已核实": "verified",
    "已报送": "reported", "处置中": "handling", "已回复": "replied", "跟踪中": "tracking",
    "已总结": "reviewed", "已办结": "closed", "不予受理": "rejected", "已合并": "merged",
    # tables and their columns
    "地域分布": "Places", "活跃账号": "Active accounts",
    "信息量趋势": "Volume over time", "典型信息": "Typical posts", "超期工单": "Overdue cases",
    "事件概况": "Event facts", "工单概况": "Case facts", "处置经过": "Handling steps",
    "处置时限": "Deadlines", "序号": "No.", "事件": "Event", "等级": "Level", "信息量": "Items",
    "涉敏": "Sensitive", "突发": "Incident", "首发时间": "First seen", "处置状态": "Case state",
    "占比": "Share", "地区": "Place", "类别": "Kind",
    "账号（无作者时为来源）": "Account (source when no author)", "条数": "Items",
    "权重": "Weight", "总量": "Total", "编号": "Ref", "内容": "Text", "链接": "Link",
    "条目": "Item", "文本SHA-256": "Text SHA-256", "工单": "Case", "状态": "State",
    "时限": "Deadline", "截止时间": "Due",
    # charts
    "信息量与情感趋势（按小时）": "Items and sentiment by hour",
    "信息量与情感趋势（按日）": "Items and sentiment by day", "情感分布": "Sentiment",
    "地域分布（省份）": "Provinces", "{kind}关键词": "Keywords of the {kind}",
    # sentences (reports/text.py)
    "{period}，{scope}共监测到相关信息{n}条，环比{change}；其中负面信息{neg}条，占{share}；"
    "涉敏信息{sens}条。":
        "{period}: {n} items in {scope}, {change} on the previous period; {neg} negative "
        "({share}); {sens} sensitive.",
    "信息主要来自{media}。": " Most came from {media}.", "{media}（{n}条）": "{media} ({n})",
    "、": ", ",
    "经监测，{period}{scope}未发现相关舆情信息，特此零报告。":
        "Monitoring found no relevant item in {scope} for {period}: this is a zero report.",
    "负面信息占比{share}，建议相关责任单位及时核实情况，主动发布权威信息，回应社会关切。":
        "Negative items are {share} of the total: the responsible units should verify the "
        "facts, publish authoritative information and answer public concerns.",
    "发现涉敏信息{n}条，建议按程序核查处置，防止扩散。":
        "{n} sensitive items were found: check and handle them by procedure to stop them "
        "spreading.",
    "信息量环比{change}，建议提高监测频次，关注事态发展。":
        "Volume is {change} on the previous period: monitor more often and follow the story.",
    "事件“{title}”等级为{level}级，建议启动相应响应程序。":
        "The event “{title}” is level {level}: start the matching response procedure.",
    "有{n}件工单已超过处置时限，建议督办。":
        "{n} cases are past a deadline: follow them up.",
    "舆情总体平稳，建议继续保持常态化监测。":
        "Public opinion is stable overall: keep up routine monitoring.",
    # the document (report.html.j2, word.py, excel.py)
    "总体情况": "Overview", "情感与媒体分布": "Sentiment and media",
    "活跃账号与关键词": "Active accounts and keywords", "处置进展": "Case handling",
    "工作建议": "Suggestions", "附：引用信息存证": "Annex: evidence of the quoted items",
    "引文 SHA-256": "Quote SHA-256", "本期无{title}。": "No {title} in this period.",
    "（无）": "(none)", "本期信息未识别出地域。": "No place was recognised in this period.",
    "监测方案：{scheme}": "Scheme: {scheme}", "生成时间：{time}": "Made: {time}",
    "查看存证条目": "stored item", "原文": "original", "互动{n}": "engagement {n}",
    "图表": "Charts", "注释（引用信息存证）": "Notes (evidence of the quoted items)",
    "[{ref}] 条目 {key}，引文SHA-256 {hash}，": "[{ref}] item {key}, quote SHA-256 {hash}, ",
    "本期新增工单{opened}件，办结{closed}件，截至{as_of}在办{open}件，超期{overdue}件。":
        "{opened} cases opened in the period, {closed} closed; at {as_of} {open} open, "
        "{overdue} overdue.",
    "本报告由 Yuqing 舆情监测系统根据已采集信息自动生成；"
    "文字由模板与数据生成，引文均可按条目与哈希核验。":
        "Made by the Yuqing monitor from the collected items; the text is filled from "
        "templates and data, and each quote can be checked against its item and hash.",
    "第 {page} 页 / 共 {pages} 页": "Page {page} of {pages}",
    "报告": "Report", "监测方案": "Scheme", "全部": "all", "综述": "Summary",
    "建议": "Suggestion", "概况": "Overview", "项目": "Item",
}


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is a report language; raises BadInput naming it."""
    if lang not in LANGS:
        raise BadInput(f"--lang {lang!r}: expected one of {', '.join(LANGS)}")
    return lang


def translator(lang: str) -> Callable[[str], str]:
    """Return ``_(text)`` giving ``text`` in ``lang`` (Chinese ids; English from ``EN``)."""
    if lang == "en":
        return lambda text: EN.get(text, text)
    return lambda text: text
