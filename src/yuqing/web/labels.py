"""How stored code values read on the pages: per kind of value, its Chinese label.

The pages never show a code value (``negative``, ``reported``, ``admin``, ``rss``):
templates write ``L("role", user.role)``, which looks the value up here and
translates the Chinese label through the catalogue of web/i18n.py (the
Chinese text is the message id). A value no table knows (a deadline policy
or a lexicon category an office named itself) is shown as it was typed.
Where a room already names its values (domain.py, vocabulary.py, cases/workflow.py,
sources/health.py, cases/petitions.py) the table is that room's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from yuqing.cases.petitions import CHANNEL_LABELS
from yuqing.cases.workflow import STATE_LABELS
from yuqing.domain import HANDLING_CLASS_LABELS, MEDIA_LABELS, SENTIMENT_LABELS
from yuqing.sources.health import STATUS_LABELS
from yuqing.vocabulary import LEXICON_LABELS

LABELS: dict[str, Mapping[str, str]] = {
    "sentiment": SENTIMENT_LABELS,
    "media": MEDIA_LABELS,
    # categories of the propagation graph (web/views.py graph_data)
    "graph": {**MEDIA_LABELS, "uncollected": "未采集"},
    "state": STATE_LABELS,
    "source_status": STATUS_LABELS,
    # source kinds (sources/registry.py) and the push endpoint's source
    "source_kind": {"rss": "RSS 订阅", "file": "文件", "replay": "回放", "site": "网站",
                    "hotlist": "热榜", "newsnow": "热榜聚合", "search": "搜索", "push": "推送"},
    "handling_class": {str(k): v for k, v in HANDLING_CLASS_LABELS.items()},
    # petition intake channels (信、访、网、电、微) and the online channel of cases
    "channel": {**{k: f"{v}（{w}）" for (k, v), w in zip(
        CHANNEL_LABELS.items(), ("来信", "来访", "网上", "来电", "微信"), strict=True)},
        "online": "网络舆情"},
    "petition_level": {"township": "乡镇级", "county": "县级", "city": "市级",
                       "province": "省级", "national": "国家级"},
    # web accounts (web/accounts.py) and the case roles (cases/people.py CASE_ROLES)
    "role": {"admin": "管理员", "analyst": "监测员", "handler": "处置员", "leader": "领导",
             "push": "推送令牌", "monitor": "监测员", "system": "系统"},
    # what the case log records (cases/workflow.py ACTIONS, cases/service.py, reminders.py)
    "case_action": {"open": "立案", "move": "流转", "view": "查看", "leader_review": "领导审核",
                    "facts_published": "发布事实", "clarified": "澄清", "referred": "移送执法机关",
                    "adopted": "采纳", "declined": "不予采纳", "comment": "备注",
                    "assist": "请求协办", "transfer": "移交", "attach": "附件",
                    "contact_access": "查看联系方式", "petition": "收到信访",
                    "reminded": "期限提醒", "escalated": "超期升级"},
    # alert channel kinds (alerts/channels/registry.py)
    "channel_kind": {"console": "控制台", "email": "电子邮件", "webhook": "网络回调",
                     "dingtalk": "钉钉机器人", "wecom": "企业微信机器人", "feishu": "飞书机器人",
                     "sms": "短信", "client": "网页客户端", "apprise": "通用通知"},
    # unit levels (config.py UnitConfig)
    "unit_level": {"township": "乡镇", "county": "县级", "city": "市级", "province": "省级",
                   "national": "国家级"},
    # option names of sources and channels shown on the settings page
    "option": {"url": "地址", "path": "路径", "to": "收件人", "host": "服务器", "port": "端口",
               "username": "用户名", "password": "密码", "secret": "密钥", "token": "令牌",
               "timeout": "超时（秒）", "delay": "请求间隔（秒）", "style": "样式",
               "sender": "发件人", "mapping": "字段对应", "platform": "平台", "query": "查询",
               "allow_internal": "允许内网地址", "lang": "语言"},
    # values of channel options (alerts/channels/console.py STYLES, the messages' languages)
    "console_style": {"full": "完整", "line": "单行"},
    "language": {"zh": "中文", "en": "英文"},
    "event_order": {"heat": "热度", "last_at": "最新活动", "size": "规模"},
    "case_origin": {"manual": "手工登记", "item": "信息", "alert": "预警", "event": "事件",
                    "petition": "信访"},
    # the web audit log (docs/INTERFACES.md, GET /api/web/audit)
    "audit_action": {"login": "登录", "login_failed": "登录失败", "view": "查看",
                     "contact": "查看联系方式", "export": "导出", "download": "下载",
                     "setting": "设置", "send_test": "发送测试"},
    # alert deliveries (store/alerts.py DELIVERY_STATUSES)
    "delivery": {"sent": "已发送", "failed": "发送失败", "pending": "待发送"},
    # the default deadline policies (config.py DeadlinesConfig) and the reporting deadline
    # upward (cases/upward.py REPORT_DUE)
    "deadline_policy": {"first_response": "首次响应", "formal_answer": "正式答复",
                        "complex": "复杂案件", "custom": "自定义", "report_due": "报送时限"},
    "lexicon": LEXICON_LABELS,
    # handling playbook steps (cases/playbooks.py PLAYBOOKS steps), by class
    "playbook": {"1": "核实、起草答复、领导审核、答复、跟踪",
                 "2": "发布事实、答复、跟踪传播",
                 "3": "固定证据、澄清、移送执法机关",
                 "4": "采纳或不予采纳，并答复决定"},
}

#: the label kind of the values of an option, by the option's key (settings.html)
OPTION_VALUES = {"style": "console_style", "lang": "language"}


def label(kind: str, value: object) -> str:
    """Return the Chinese label of ``value`` of ``kind`` (a key of LABELS), or ``value`` as
    text when the table does not know it (a name the office typed); "" for None.

    Raises KeyError for an unknown ``kind`` (a template's typo fails loudly)."""
    if value is None:
        return ""
    return LABELS[kind].get(str(value), str(value))


def labeller(translate: Callable[[str], str]) -> Callable[[str, object], str]:
    """Return ``L(kind, value)``: the label of ``value`` in the page's language."""
    return lambda kind, value: translate(label(kind, value))
