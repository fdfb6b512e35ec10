"""The web app's strings in two languages: Simplified Chinese (default) and English.

Templates write ``_("总览")``: the Chinese text is the message id (as in
gettext), ``EN`` is the English catalogue. A missing English entry falls
back to the Chinese text; tests/web/test_i18n.py checks that every string
the templates and app.js use has an English entry. The words pages share with reports
(sentiments, media types, report kinds, headings, lexicon categories) are
yuqing/vocabulary.py's.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from yuqing.vocabulary import LEXICON_EN, SHARED_EN

LANGS = ("zh", "en")
LANG_COOKIE = "yq_lang"

EN: dict[str, str] = SHARED_EN | LEXICON_EN | {
    "舆情监测": "Yuqing monitor", "总览": "Overview", "信息列表": "Feed", "预警": "Alerts",
    "处置": "Cases", "设置": "Settings", "退出": "Log out", "登录": "Log in",
    "用户名": "User name", "密码": "Password", "用户名或密码错误": "Wrong user name or password",
    "登录失败次数过多，请于 {time} 后再试": "Too many failed logins: try again after {time}",
    "今日信息量": "Volume (24 h)", "负面占比": "Negative share", "敏感信息": "Sensitive",
    "未确认预警": "Open alerts", "临近期限案件": "Cases near deadline", "数据截至": "Data up to",
    "走势": "Trend", "热点事件": "Top events", "热词": "Word cloud", "地域分布": "Provinces",
    "条": "items", "全部": "All", "搜索": "Search", "方案": "Scheme", "起始时间": "Since",
    "仅敏感": "Sensitive only", "事件级别": "Event level", "筛选": "Filter", "导出": "Export",
    "实时更新": "Live updates",
    "共": "Total", "暂无数据": "No data", "原文": "Source link", "分析": "Analysis",
    "发布时间": "Published", "敏感词": "Sensitive terms", "地点": "Places",
    "处置分类": "Handling class", "所属事件": "Event", "重复与转发": "Duplicates and reposts",
    "源头": "Origin", "时间线": "Timeline", "传播图": "Propagation graph",
    "情感走势": "Sentiment over time", "条目": "Items", "热度": "Heat", "级别": "Level",
    "大模型摘要": "LLM summary", "机器生成，请核实": "machine-drafted: check before use",
    "另有 {n} 句因所引条目不支持而删除":
        "{n} more sentences were dropped: the items they cite do not support them",
    "模型": "Model", "用时": "Time taken", "引用条目": "Items cited", "提示词": "Prompt",
    "规模": "Size", "首发": "First seen", "最新": "Latest", "未采集": "not collected",
    "确认": "Acknowledge", "已确认": "Acknowledged", "推送": "Deliveries", "规则": "Rule",
    "风暴限流暂缓": "Held (storm cap)",
    "超过规则的每窗口上限，未推送；已发汇总":
        "Over the rule's cap per window: not sent; a summary was",
    "状态": "Status", "新预警": "New alert",
    "开启桌面通知": "Notifications", "案件": "Case", "期限": "Deadline",
    "已超期": "overdue", "剩余": "left", "小时": "h", "单位": "Unit", "审计日志": "Audit log",
    "导出审计日志": "Export the audit log", "来源地址": "Address",
    "可执行操作": "Allowed actions", "移至": "Move to",
    "信访登记": "Petition intake",
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
    "无": "none", "本条": "this item", "操作失败": "Failed", "已完成": "Done",
    "新信息": "new items",
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

# source health on the settings page (sources/health.py STATUS_LABELS, age_parts)
EN |= {
    "最新内容距今": "Newest item age", "24 小时失败率": "Failures (24 h)",
    "每次条数": "Items per poll", "正常": "OK", "部分异常": "Degraded", "失败": "Failed",
    "未抓取": "Not polled yet", "天": "d", "分钟": "min",
}

# the alert rules pages (web/rules_api.py) and rule problems (alerts/rule_check.py MESSAGES)
EN |= {
    "新建规则": "New rule", "编辑规则": "Edit rule", "管理预警规则": "Manage alert rules",
    "规则保存在数据库中，修改后无需重启即可生效。启动时写入配置文件中的规则；在网页上修改过的同名规则以网页为准（来源显示为“网页”）。":
        "Rules are kept in the database and take effect without a restart. At start-up the "
        "rules of the config file are written there, but a rule of the same name edited on "
        "the web keeps the web version (origin shown as \"Web\").",
    "此规则来自配置文件；在此保存后，网页上的版本优先于配置文件。":
        "This rule comes from the config file; once saved here, the web version wins over "
        "the file.",
    "已保存": "Saved", "条件": "Conditions", "接收": "Recipients", "接收渠道": "Channels",
    "渠道组": "Channel groups", "免打扰时段": "Quiet hours", "例外级别": "Levels sent anyway",
    "重复预警": "Re-alerts", "更新": "Updated", "网页": "Web", "配置文件": "Config file",
    "未生效": "Not in effect", "编辑": "Edit", "启用": "Enable", "删除": "Delete",
    "删除规则": "Delete rule", "查看": "View", "返回": "Back", "基本": "Basics",
    "规则名称": "Rule name", "预警级别": "Alert level", "触发": "Fires on",
    "敏感类别": "Sensitive categories", "不限": "any", "指定信源": "Designated sources",
    "事件突增": "Event spike", "仅事件突增": "Only when an event spikes",
    "不选则适用全部方案": "none ticked: every scheme",
    "都不选：命中方案即预警": "none ticked: every scheme match alerts",
    "突发事件类别": "Incident categories",
    "都不选：任一类别": "none ticked: any category",
    "搜索词": "Search queries", "热榜变化": "Hot-list changes", "新上榜": "entered",
    "快速上升": "rising fast", "落榜": "left",
    "勾选后：仅热榜话题出现这些变化时预警（话题更新也预警，每种变化一次）":
        "when ticked: only hot-list topics with one of these changes alert (updates of a "
        "topic too, once per change)",
    "自然灾害": "natural disaster", "事故灾难": "accident", "公共卫生事件": "public health",
    "社会安全事件": "social security",
    "每行一个，或用、或逗号分隔；填写后须含其中之一":
        "one per line or separated by commas; when set, an item must contain one",
    "这些级别在免打扰时段照常发送": "these levels are sent during quiet hours too",
    "事件增长时更新": "Update growing events",
    "规模翻倍或级别升高时再次预警": "alert again when an event doubles or its level rises",
    "时间窗（秒）": "Window (seconds)", "风暴上限": "Storm cap",
    "每个时间窗最多发送的预警数，超出的只汇总一次":
        "alerts sent per window at most; the rest are summarised once",
    "高级：失败转发与升级": "Advanced: fallback and escalation", "失败时改用": "Fallback channels",
    "未确认时升级": "Escalation steps", "确认时限（秒）": "Acknowledgement timeout (seconds)",
    "每 {n} 分钟最多一次更新": "at most one update per {n} min", "不重复预警": "no re-alerts",
    "仅一条信息": "single item",
    "更早的一条信息转发了未采集到的原帖": "an earlier item reposts a post that was not collected",
    "最早的信息，其余信息转发或回复了它": "earliest item, reposted or replied to by the others",
    "最早的信息；其余信息仅因内容相似归入": "earliest item; joined by text similarity only",
    "采集到的信息都转发自未采集到的原帖":
        "every collected item reposts a post that was not collected",
    "新闻": "News", "论坛": "Forum", "客户端": "App",
    "询问/质疑/诉求": "inquiry or appeal", "恶意传播/炒作": "malicious spreading",
    "捏造/诽谤/违法": "fabrication, defamation, illegal", "建设性意见": "constructive suggestion",
    "必填": "required", "未知字段 {field}": "unknown field {field}",
    "应为 true 或 false": "must be true or false", "应为整数": "must be an integer",
    "应为数字": "must be a number", "必须大于 {gt}": "must be greater than {gt}",
    "必须不小于 {ge}": "must be at least {ge}", "应为列表": "must be a list",
    "应为文本": "must be text", "取值无效：{detail}": "invalid value: {detail}",
    "规则名称不能为空": "the rule name is empty",
    "规则名称最多 {max} 个字符": "the rule name has at most {max} characters",
    "应为 I、II、III、IV 之一": "must be one of I, II, III, IV",
    "时段格式应为 22:00-07:00": "must look like 22:00-07:00",
    "开始与结束时间不能相同": "start and end are the same time",
    "处置分类应为 1–4": "handling classes are 1-4",
    "未知媒体类型 {value}（可选：{known}）": "unknown media type {value} (known: {known})",
    "未知方案 {value}（已配置：{known}）": "unknown scheme {value} (configured: {known})",
    "未知渠道 {value}（已配置：{known}）": "unknown channel {value} (configured: {known})",
    "未知渠道组 {value}（已配置：{known}）": "unknown channel group {value} (configured: {known})",
    "规则 {value} 已存在": "rule {value} already exists",
    "规则名称不可修改（新建一条规则以改名）":
        "the name cannot change (create a new rule to rename)",
    "规则已被他人修改，请刷新后重试": "someone changed this rule meanwhile: reload and try again",
    "此规则来自配置文件，重启后会恢复：请停用它，或从配置文件中删除":
        "this rule comes from the config file and would return at the next start: disable "
        "it, or delete it from the config file",
}

# reporting upward: the superior's view (web/superior.py, templates/superior.html)
EN |= {
    "上级视图": "Superior's view", "下级单位案件": "Cases of the units below",
    "下级单位": "Units below", "报送时限": "Report due", "报送时间": "Reported at",
    "报送至": "Reported to", "未报送": "not reported", "下一期限": "Next deadline",
    "上报记录": "Reports sent upward", "案件上报": "Case report", "日报告": "Daily report",
    "零报告": "Zero report", "报送单位": "From unit", "接收单位": "To unit",
}

# the reports page (web/reports_page.py, templates/reports.html)
EN |= {
    "报告": "Reports",
    "选择类型与期间，点击格式即生成并下载；报告中的处置情况只统计您所在单位的工单。":
        "Pick a period and click a format: the report is made and downloaded. Its case "
        "figures count your units' cases only.",
    "或按日期范围（可选监测方案）": "or a date range (a scheme optional)",
    "开始日期": "From", "结束日期": "To", "日期": "Date",
    "留空：上一完整周期": "blank: the last complete period", "已生成的报告": "Generated reports",
    "生成时间": "Made at", "生成人": "Made by", "格式": "Format",
    "定时任务": "Schedule", "未保存文件": "file not kept",
}

# the list pages (web/list_pages.py), the overview's filters and the inbox's cases
EN |= {
    "{n} 次": "{n} polls", "上一页": "Previous", "下一页": "Next",
    "仅越级举报": "Cross-level only", "仅重复举报": "Repeats only", "信息源健康": "Source health",
    "信息量": "Volume", "信访": "Petitions", "信访人": "Petitioner", "全部事件": "All events",
    "含情感": "Has sentiment", "截止日期": "Until", "起始日期": "Since", "排序": "Sort by",
    "收到时间": "Received", "时间范围": "Range", "未配置信息源": "No source is configured",
    "查看事件": "view the event", "查看信息": "view the item", "每 {n} 秒": "every {n} s",
    "清除": "Clear", "立案": "Open a case", "累计条数": "Items in total",
    "越级举报": "cross-level", "重复举报": "repeat", "近一小时": "Last hour",
    "连续失败 {n} 次": "{n} failures in a row",
}

# code values shown as words (web/labels.py LABELS; pipeline/heat.py LEVEL_NAMES)
EN |= {
    # event levels and orders
    "特别重大": "extraordinary", "重大": "major", "较大": "large", "一般": "ordinary",
    "最新活动": "Last active",
    # sentiment (lexicon categories: yuqing/vocabulary.py; sources: below)
    "未判定": "not judged",
    # petitions and cases
    "信（来信）": "Letter", "访（来访）": "Visit", "网（网上）": "Web", "电（来电）": "Phone",
    "微（微信）": "WeChat", "网络舆情": "Online", "乡镇级": "township", "信息": "item",
    "手工登记": "entered by hand", "首次响应": "First response", "正式答复": "Formal answer",
    "复杂案件": "Complex case", "自定义": "Custom",
    # roles (the others: below)
    "处置员": "handler", "推送令牌": "push token", "系统": "system",
    # case log actions and playbooks
    "流转": "moved", "领导审核": "leader review", "发布事实": "facts published",
    "澄清": "clarified", "移送执法机关": "referred to law enforcement", "采纳": "adopted",
    "不予采纳": "declined", "备注": "comment", "请求协办": "assistance asked",
    "移交": "transferred", "附件": "attachment", "收到信访": "petition received",
    "期限提醒": "deadline reminder", "超期升级": "escalated when overdue",
    "核实、起草答复、领导审核、答复、跟踪":
        "verify, draft the reply, leader reviews, reply, track",
    "发布事实、答复、跟踪传播": "publish the facts, reply, track the spread",
    "固定证据、澄清、移送执法机关": "keep the evidence, clarify, refer to law enforcement",
    "采纳或不予采纳，并答复决定": "adopt or decline, reply with the decision",
    # deliveries (the audit log: below)
    "已发送": "sent", "待发送": "pending",
}

# the settings editor (web/settings_view.py labels, templates/settings.html, static/settings.js)
EN |= {
    "设置保存在数据库中，修改后无需重启即生效；修改按“yuqing check”的规则检查并记入审计日志。":
        "These settings are kept in the database and take effect without a restart; every "
        "change is checked as \"yuqing check\" checks the file and written to the audit log.",
    "设置版本": "Settings version", "配置文件的改动未被采用，当前设置保持不变：":
        "The change of the config file was refused; the settings in force stay:",
    "导出配置文件": "Export config file", "导入配置文件": "Import config file",
    "已导入": "Imported", "新增或编辑方案": "Add or edit a scheme", "方案名称": "Scheme name",
    "事件词": "Event words", "每行一个，或用、或逗号分隔": "one per line, or separated by commas",
    "用已存信息测试": "Test against stored items", "清空": "Clear",
    "新增或编辑信息源": "Add or edit a source", "名称": "Name",
    "抓取间隔（秒）": "Poll interval (seconds)", "地址": "Address (URL)", "路径": "Path",
    "其他选项": "Other options",
    "其他选项每行一个：名称 = 值（与配置文件相同）":
        "other options, one per line: name = value (as in the config file)",
    "试抓取": "Fetch now", "试抓取结果": "Fetched now (nothing stored)", "无内容": "nothing",
    "类别": "Category", "白名单": "Allow-list", "内置词库": "Shipped lexicon",
    "文件": "File", "网页词表": "Terms kept in the settings",
    "新增或编辑词库": "Add or edit a lexicon", "词条": "Terms",
    "每行一个词；可加制表符分隔的类别和权重":
        "one term per line; a tab-separated category and weight may follow",
    "上传词表文件": "Upload a term file",
    "含敏感词但无害的短语，每行一个": "harmless phrases holding a term, one per line",
    "新增或编辑渠道": "Add or edit a channel",
    "密钥显示为掩码，不修改即保持原值。":
        "Secrets are masked; left as shown, they keep their value.",
    "发送成功": "Sent", "发送失败": "Sending failed", "层级": "Level", "负责人": "Leader",
    "新增或编辑单位": "Add or edit a unit", "账户中的其他单位": "Other units of the accounts",
    "人员": "People", "新增或编辑人员": "Add or edit a person",
    "新增时必填；编辑时留空则不修改": "required for a new person; leave empty to keep",
    "企业微信账号": "WeCom user id", "确定删除": "Delete",
    # labels of identifiers (web/settings_view.py)
    "RSS 订阅": "RSS feed", "网站": "Website", "回放": "Replay", "热榜": "Hot list",
    "热榜聚合": "Hot-list aggregator", "关键词搜索": "Keyword search",
    "控制台": "Console", "电子邮件": "E-mail", "网络回调": "Webhook",
    "钉钉机器人": "DingTalk robot",
    "企业微信机器人": "WeCom robot", "飞书机器人": "Feishu robot", "短信": "SMS",
    "网页客户端": "Web client", "通用通知": "Apprise", "管理员": "Administrator",
    "监测员": "Analyst", "处置人员": "Handler", "领导": "Leader", "乡镇": "Township",
    "县级": "County", "市级": "City", "省级": "Province", "国家级": "National",
    "登录失败": "Failed login",
    "查看联系方式": "Contact details read", "下载": "Download", "修改设置": "Setting changed",
    "收件人": "Recipients", "服务器": "Server", "端口": "Port", "密钥": "Secret",
    "令牌": "Token", "超时（秒）": "Timeout (seconds)", "请求间隔（秒）": "Delay (seconds)",
    "样式": "Style", "发件人": "Sender", "字段对应": "Column mapping", "平台": "Platform",
    "查询": "Query", "允许内网地址": "Internal addresses allowed", "是": "yes", "否": "no",
}

# the error pages of page routes (web/messages.py TITLES, templates/error.html)
EN |= {
    "请求参数有误": "Bad request parameter", "无权访问": "Not allowed",
    "页面不存在": "Page not found", "不支持此操作": "Method not allowed",
    "内容已被修改": "Changed meanwhile", "内容过大": "Too large", "出错了": "Something went wrong",
    "去掉筛选条件重试": "Try again without the filters", "返回总览": "Back to the overview",
    "完整": "Full", "单行": "One line", "中文": "Chinese", "英文": "English",
}
