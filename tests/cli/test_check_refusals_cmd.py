"""`yuqing check` (and every command that loads the config) refuses unknown keys in every
table, values outside a fixed set and webhook targets the SSRF guard refuses, in one
wording: ``FILE: TABLE: unknown key 'k' — did you mean 'x'?`` (config.py unknown_key,
runtime/checks.py), exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from yuqing_cli import Invoke

from yuqing.alerts.channels.options import target_problems
from yuqing.alerts.channels.webhook import WebhookOptions
from yuqing.config import ChannelConfig

#: what pydantic says on its own; none of it may reach the user
JARGON = ("Value error", "Extra inputs are not permitted", "input_value", "extra_forbidden",
          "pydantic")

RSS = '[[sources]]\nname = "xx"\nkind = "rss"\nurl = "https://news.example.cn/rss.xml"\n'


def refused(cli: Invoke, tmp_path: Path, toml: str, *commands: tuple[str, ...]) -> str:
    """Write ``toml`` as yuqing.toml, run ``check`` (and ``commands``), assert each exits 2
    with nothing on stdout; return check's message on one line, without the prefix."""
    (tmp_path / "yuqing.toml").write_text(toml, encoding="utf-8")
    message = ""
    for args in (("check",), *commands):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        assert not any(word in result.stderr for word in JARGON), result.stderr
        message = message or " ".join(result.stderr.split())
    assert message.startswith("错误：")
    return message.removeprefix("错误：")


def test_a_misspelt_source_key_names_file_source_key_and_the_nearest(
        cli: Invoke, tmp_path: Path) -> None:
    message = refused(cli, tmp_path, RSS + "intervall = 30\n", ("items",), ("sources",))
    assert message == ("yuqing.toml: source 'xx' (kind rss): unknown key 'intervall' — "
                       "did you mean 'interval'?")


def test_enable_false_is_refused_so_the_source_does_not_keep_running(
        cli: Invoke, tmp_path: Path) -> None:
    message = refused(cli, tmp_path, RSS + "enable = false\n", ("run", "--once"))
    assert message == ("yuqing.toml: source 'xx' (kind rss): unknown key 'enable' — "
                       "did you mean 'enabled'?")
    assert not (tmp_path / "yuqing.db").exists()  # run stopped before opening the store


def test_a_bad_media_type_names_the_valid_values_and_the_nearest(
        cli: Invoke, tmp_path: Path) -> None:
    message = refused(cli, tmp_path, RSS + 'media_type = "nwes"\n')
    assert message == ("yuqing.toml: source 'xx' (kind rss): media_type: 'nwes' is not one of "
                       "news, weibo, wechat, forum, video, app, gov, other — did you mean 'news'?")


@pytest.mark.parametrize(("toml", "table", "key", "near"), [
    ('databse_url = "sqlite://"\n', "", "databse_url", "database_url"),
    ('[[sources]]\nname = "县政府网"\nkind = "site"\nurl = "https://www.example.gov.cn/"\n'
     "intervall = 30\n", "source '县政府网' (kind site): ", "intervall", "interval"),
    ('[[sources]]\nname = "热搜"\nkind = "hotlist"\nplatform = "weibo"\nrise_place = 3\n',
     "source '热搜' (kind hotlist): ", "rise_place", "rise_places"),
    ('[[sources]]\nname = "导出"\nkind = "file"\npath = "in.jsonl"\nmediatype = "news"\n',
     "source '导出' (kind file): ", "mediatype", "media_type"),
    ('[[schemes]]\nname = "医院"\nsubject_words = ["医院"]\nregion_word = ["县"]\n',
     "scheme '医院': ", "region_word", "region_words"),
    ('[[lexicons]]\npath = "builtin:violence"\ncategry = "x"\n', "lexicons[0]: ", "categry",
     "category"),
    ("[segment]\nuser_word = []\n", "[segment]: ", "user_word", "user_words"),
    ("[alerts]\nmax_atempts = 3\n", "[alerts]: ", "max_atempts", "max_attempts"),
    ('[[alerts.rules]]\nname = "r"\nlvel = "I"\n', "alert rule 'r': ", "lvel", "level"),
    ('[[alerts.channels]]\nname = "值班"\nkind = "console"\nstyel = "line"\n',
     "alert channel '值班' (kind console): ", "styel", "style"),
    ('[[alerts.channels]]\nname = "群"\nkind = "wecom"\n'
     'url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"\nkeywrod = "舆情"\n',
     "alert channel '群' (kind wecom): ", "keywrod", "keyword"),
    ('[[alerts.channels]]\nname = "邮件"\nkind = "email"\nhost = "smtp.example.cn"\n'
     'from = "a@example.cn"\nto = ["b@example.cn"]\nstarttsl = true\n',
     "alert channel '邮件' (kind email): ", "starttsl", "starttls"),
    ("[cases]\npolicy = []\n", "[cases]: ", "policy", "policies"),
    ('[[cases.units]]\nname = "县委宣传部"\nparnet = "市委宣传部"\n', "unit '县委宣传部': ",
     "parnet", "parent"),
    ('[[cases.users]]\nname = "李"\nunit = "县"\nrole = ["handler"]\n', "user '李': ", "role",
     "roles"),
    ("[deadlines]\nremind = 0.5\n", "[deadlines]: ", "remind", "remind_at"),
    ('[[deadlines.policies]]\nname = "p"\nhour = 3\n', "deadline policy 'p': ", "hour",
     "hours"),
    ("[events]\nwindow_hour = 3\n", "[events]: ", "window_hour", "window_hours"),
    ('[[events.levels]]\nlevel = "I"\nmin_het = 3\n', "events.levels[0]: ", "min_het",
     "min_heat"),
    ('[reports]\norganization = "x"\n', "[reports]: ", "organization", "organisation"),
    ('[[reports.schedules]]\nname = "日报"\natt = "08:00"\n', "report schedule '日报': ", "att",
     "at"),
    ("[web]\nsession_hour = 3\n", "[web]: ", "session_hour", "session_hours"),
    ("[pipeline]\nstage = {}\n", "[pipeline]: ", "stage", "stages"),
    ("[retention]\nitem_days = 30\n", "[retention]: ", "item_days", "items_days"),
    ('[llm]\nbase_url = "http://127.0.0.1:11434/v1"\nmodel = "q"\ntimout = 9\n', "[llm]: ",
     "timout", "timeout"),
])
def test_an_unknown_key_is_refused_in_every_table(cli: Invoke, tmp_path: Path, toml: str,
                                                  table: str, key: str, near: str) -> None:
    message = refused(cli, tmp_path, toml)
    assert f"yuqing.toml: {table}unknown key {key!r} — did you mean {near!r}?" in message


@pytest.mark.parametrize(("toml", "expected"), [
    ('language = "zhh"\n', "language: 'zhh' is not a known language (known: zh, en) — did you "
                           "mean 'zh'?"),
    ('[[sources]]\nname = "x"\nkind = "rsss"\nurl = "https://a.example.cn/"\n',
     "source 'x': unknown kind 'rsss'; known kinds: file, hotlist, newsnow, "
     "replay, rss, search, site — did you mean 'rss'?"),
    ('[[alerts.channels]]\nname = "m"\nkind = "emial"\n',
     "alert channel 'm': unknown kind 'emial'; known kinds: apprise, client, "
     "console, dingtalk, email, feishu, sms, webhook, wecom — did you mean 'email'?"),
    ('[[alerts.channels]]\nname = "c"\nkind = "console"\nstyle = "lien"\n',
     "alert channel 'c' (kind console): option 'style': should be 'full' or 'line', got 'lien'"),
    ('[[cases.units]]\nname = "县"\nlevel = "countyy"\n',
     "unit '县': level: 'countyy' is not one of township, county, city, province, national — "
     "did you mean 'county'?"),
    ('[[cases.users]]\nname = "李"\nunit = "县"\nroles = ["handlr"]\n',
     "user '李': roles: 'handlr' is not one of monitor, handler, leader, admin — did you mean "
     "'handler'?"),
    ('[[reports.schedules]]\nname = "日报"\nkind = "dayly"\nchannels = ["console"]\n',
     "reports.schedules[0].kind: 'dayly' is not one of daily, weekly, monthly — did you mean "
     "'daily'?"),
    ('[[alerts.rules]]\nname = "r"\nmedia_types = ["nwes"]\n', "未知媒体类型 nwes"),
    ("[events.media_weights]\nnwes = 2\n", "[events.media_weights]: 'nwes' is not one of news, "
                                          "weibo, wechat, forum, video, app, gov, other — did "
                                          "you mean 'news'?"),
    ('[[deadlines.policies]]\nname = "p"\nhours = 5\nmet_by = "replyed"\n',
     "deadlines.policies[0].met_by: 'replyed' is not a case state (known: collected, verified, "
     "reported, handling, replied, tracking, reviewed, closed, rejected, merged) — did you mean "
     "'replied'?"),
])
def test_a_value_outside_its_fixed_set_names_the_valid_values(
        cli: Invoke, tmp_path: Path, toml: str, expected: str) -> None:
    assert expected in refused(cli, tmp_path, toml)


ROBOT = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123"


@pytest.mark.parametrize(("kind", "url", "extra", "address"), [
    ("webhook", "http://127.0.0.1:8080/hook", "", "127.0.0.1"),
    ("dingtalk", "http://169.254.169.254/robot/send?access_token=0123456789abcdef0123", "",
     "169.254.169.254"),
    ("wecom", "http://10.1.2.3/cgi-bin/webhook/send?key=abc", "", "10.1.2.3"),
    ("feishu", "http://192.168.1.20/open-apis/bot/v2/hook/x", "", "192.168.1.20"),
    ("sms", "http://[::1]:9000/send", 'to = ["13800000000"]\n', "::1"),
])
def test_a_webhook_to_an_internal_address_is_refused_unless_allowed(
        cli: Invoke, tmp_path: Path, kind: str, url: str, extra: str, address: str) -> None:
    channel = f'[[alerts.channels]]\nname = "值班"\nkind = "{kind}"\nurl = "{url}"\n{extra}'
    message = refused(cli, tmp_path, channel, ("alerts", "test", "值班"))
    assert message.startswith(f"yuqing.toml: alert channel '值班' (kind {kind}): option 'url': ")
    assert f"internal address(es) {address}; set allow_internal = true" in message
    assert "0123456789abcdef0123" not in message  # the robot's token stays masked
    (tmp_path / "yuqing.toml").write_text(channel + "allow_internal = true\n", encoding="utf-8")
    allowed = cli("check")
    assert allowed.exit_code == 0, allowed.stderr


def test_a_webhook_with_another_scheme_is_refused(cli: Invoke, tmp_path: Path) -> None:
    message = refused(cli, tmp_path, '[[alerts.channels]]\nname = "h"\nkind = "webhook"\n'
                                     'url = "ftp://files.example.cn/hook"\nallow_internal = true\n')
    assert message == ("yuqing.toml: alert channel 'h' (kind webhook): webhook URL "
                       "'ftp://files.example.cn/hook': scheme must be http or https")


def test_an_unresolved_secret_is_not_judged() -> None:
    cfg = ChannelConfig(name="h", kind="webhook", url={"$env": "YUQING_TEST_UNSET_HOOK"})
    assert target_problems(WebhookOptions, cfg) == ([], [])
    internal = ChannelConfig(name="h", kind="webhook", url="http://127.0.0.1/x")
    assert target_problems(WebhookOptions, internal)[0]
