"""The web app's strings in two languages: Simplified Chinese (default) and English.

Templates write ``_("总览")``: the Chinese text is the message id (as in
gettext), ``EN`` is the English catalogue. A missing English entry falls
back to the Chinese text; tests/web/test_i18n.py checks that every string
the templates and app.js use has an English entry.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

LANGS = ("zh", "en")
LANG_COOKIE = "yq_lang"

EN: dict[str, str] = {
    "舆情监测": "Yuqing monitor", "总览": "Overview", "信息列表": "Feed", "预警": "Alerts",
    "处置": "Cases", "设置": "Settings", "退出": "Log out", "登录": "Log in",
    "用户名": "User name", "密码": "Password", "用户名或密码错误": "Wrong user name or password",
    "登录失败次数过多，请于 {time} 后再试": "Too many failed logins: try again after {time}",
    "今日信息量": "Volume (24 h)", "负面占比": "Negative share", "敏感信息": "Sensitive",
    "未确认预警": "Open alerts", "临近期限案件": "Cases near deadline", "数据截至": "Data up to",
    "走势": "Trend", "媒体分布": "Media", "热点事件": "Top events", "热词": "Word cloud",
    "地域分布": "Provinces", "条": "items", "负面": "Negative", "中性": "Neutral",
    "正面": "Positive", "全部": "All", "搜索": "Search", "方案": "Scheme", "情感": "Sentiment",
    "媒体类型": "Media type", "来源": "Source", "起始时间": "Since", "仅敏感": "Sensitive only",
    "事件级别": "Event level", "筛选": "Filter", "导出": "Export", "日报": "Daily report", "专报": "Special report", "处置总结": "Case review", "实时更新": "Live updates",
    "共": "Total", "暂无数据": "No data", "原文": "Source link", "分析": "Analysis",
    "发布时间": "Published", "作者": "Author", "敏感词": "Sensitive terms", "地点": "Places",
    "处置分类": "Handling class", "所属事件": "Event", "重复与转发": "Duplicates and reposts",
    "源头": "Origin", "时间线": "Timeline", "传播图": "Propagation graph",
    "情感走势": "Sentiment over time", "条目": "Items", "热度": "Heat", "级别": "Level",
    "规模": "Size", "首发": "First seen", "最新": "Latest", "未采集": "not collected",
    "确认": "Acknowledge", "已确认": "Acknowledged", "推送": "Deliveries", "规则": "Rule",
    "标题": "Title", "时间": "Time", "状态": "Status", "新预警": "New alert",
    "开启桌面通知": "Enable notifications", "案件": "Case", "期限": "Deadline",
    "已超期": "overdue", "剩余": "left", "小时": "h", "单位": "Unit", "审计日志": "Audit log",
    "可执行操作": "Allowed actions", "说明": "Note", "移至": "Move to", "信访登记": "Petition intake",
    "渠道": "Channel", "事项": "Subject", "被反映对象": "Accused", "姓名": "Name",
    "电话": "Phone", "提交": "Submit", "监测方案": "Schemes", "信息源": "Sources",
    "词库": "Lexicons", "预警规则": "Alert rules", "预警渠道": "Alert channels",
    "用户与单位": "Users and units", "用近期信息测试": "Test against recent items",
    "发送测试": "Send test", "健康": "Health", "最近成功": "Last success",
    "最近错误": "Last error", "角色": "Role", "新增用户": "Add user", "新增单位": "Add unit",
    "上级单位": "Parent unit", "保存": "Save", "命中": "matched", "类型": "Kind",
    "配置": "Options", "词数": "Terms", "操作人": "Actor", "动作": "Action", "对象": "Target",
    "语言": "Language", "新建案件": "Open a case", "从此信息立案": "Open a case from this item",
    "已启用": "Enabled", "停用": "Disabled", "主题词": "Subject words", "表达式": "Expression",
    "排除词": "Exclusion words", "地域词": "Region words", "收集": "Collected",
    "核实": "Verified", "报送": "Reported", "回复": "Replied", "跟踪": "Tracking",
    "总结": "Reviewed", "办结": "Closed", "不予受理": "Rejected", "已合并": "Merged",
    "只读": "read-only", "加载更多": "More", "事件": "Events", "转发": "Reposts",
    "放大者": "Amplifiers", "深度": "Depth", "广度": "Breadth", "置信度": "Confidence",
    "无": "none", "本条": "this item", "操作失败": "Failed", "已完成": "Done", "新信息": "new items",
}


def pick_lang(request: Request) -> str:
    """Return the language of a request: ``?lang=``, then the cookie, else ``zh``."""
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return lang if lang in LANGS else "zh"


def translator(lang: str) -> Callable[[str], str]:
    """Return ``_(text)`` giving ``text`` in ``lang`` (Chinese ids; English from ``EN``)."""
    if lang == "en":
        return lambda text: EN.get(text, text)
    return lambda text: text
