"""End-to-end tests of `yuqing init` and `yuqing check` (src/yuqing/cli/__init__.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from yuqing_cli import Invoke, one_json


def test_init_writes_a_config_that_check_loads(cli: Invoke, tmp_path: Path) -> None:
    made = cli("init")
    assert made.exit_code == 0, made.stderr
    written = tmp_path / "yuqing.toml"
    assert written.is_file()
    result = cli("check", "--json")
    assert result.exit_code == 0, result.stderr
    doc = one_json(result)
    assert doc["database_url"] == "sqlite:///yuqing.db" and doc["broker_url"] is None
    assert doc["schemes"] == ["本市教育", "医院舆情"]
    assert doc["rules"] == ["负面或敏感"]
    assert doc["sources"] == []  # the example sources are disabled until edited
    assert "schemes" in doc["stages"] and "sentiment" in doc["stages"]


def test_init_refuses_to_overwrite_without_force(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "yuqing.toml"
    target.write_text("# mine\n", encoding="utf-8")
    refused = cli("init")
    assert refused.exit_code == 2
    assert "yuqing.toml" in refused.stderr and "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "# mine\n"
    forced = cli("init", "--force")
    assert forced.exit_code == 0
    assert "[[schemes]]" in target.read_text(encoding="utf-8")


def test_check_names_a_bad_config(cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "yuqing.toml").write_text('[[alerts.rules]]\nname = "r"\nchannels = ["nowhere"]\n',
                                          encoding="utf-8")
    result = cli("check", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "nowhere" in result.stderr


def test_a_misspelt_lexicon_or_user_dict_fails_check_and_ingest(cli: Invoke,
                                                                tmp_path: Path) -> None:
    config = tmp_path / "yuqing.toml"
    items = tmp_path / "in.jsonl"
    items.write_text('{"id": "1", "text": "校园暴力"}\n', encoding="utf-8")
    for text, key, value in (('[[lexicons]]\npath = "builtin:violense"\n', "lexicons[0].path",
                              "builtin:violense"),
                             ('[segment]\nuser_dicts = ["nope.txt"]\n', "segment.user_dicts[0]",
                              "nope.txt")):
        config.write_text(text, encoding="utf-8")
        for args in (("check", "--json"), ("ingest", str(items), "--json")):
            result = cli(*args)
            assert result.exit_code == 2, (args, result.stderr)
            assert result.stdout == ""
            message = " ".join(result.stderr.split())
            assert "yuqing.toml" in message and key in message and value in message, message


def test_check_refuses_a_misspelt_case_policy_and_a_bad_schedule_time(cli: Invoke,
                                                                      tmp_path: Path) -> None:
    (tmp_path / "yuqing.toml").write_text(
        '[cases]\npolicies = ["first_responce"]\n'
        '[[reports.schedules]]\nname = "早报"\nat = "25:00"\nchannels = ["console"]\n',
        encoding="utf-8")
    result = cli("check", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    message = " ".join(result.stderr.split())
    assert "yuqing.toml: cases.policies[0]: 'first_responce'" in message
    assert "reports.schedules[0].at: '25:00'" in message


def test_an_alert_rule_error_prints_the_file_and_the_table(cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "yuqing.toml").write_text('[[alerts.rules]]\nname = "负面或敏感"\nlevel = "V"\n',
                                          encoding="utf-8")
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "错误：yuqing.toml: [alerts.rules] alert rule '负面或敏感': level"), result.stderr


def test_the_error_prefix_follows_the_language(cli: Invoke, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "yuqing.toml"
    config.write_text('language = "en"\n[web]\nbase_ur = "x"\n', encoding="utf-8")
    english = cli("check")
    assert english.exit_code == 2
    assert english.stderr == ("error: yuqing.toml: [web]: unknown key 'base_ur' — did you mean "
                              "'base_url'?\n")  # one line, never wrapped
    config.write_text('[web]\nbase_ur = "x"\n', encoding="utf-8")
    assert cli("check").stderr.startswith("错误：yuqing.toml: [web]: unknown key 'base_ur'")
    monkeypatch.setenv("YUQING_LANGUAGE", "en")
    assert cli("items", "--sentiment", "angry").stderr.startswith("error: --sentiment 'angry'")


def test_yuqing_timezone_and_language_from_the_environment(cli: Invoke, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "yuqing.toml").write_text('timezone = "Asia/Shanghai"\n', encoding="utf-8")
    monkeypatch.setenv("YUQING_TIMEZONE", "UTC")
    monkeypatch.setenv("YUQING_LANGUAGE", "en")
    doc = one_json(cli("check", "--json"))
    assert (doc["timezone"], doc["language"]) == ("UTC", "en")
    monkeypatch.setenv("YUQING_TIMEZONE", "Mars/Base")
    for args in (("check",), ("items", "--json"), ("stats", "--json")):
        refused = cli(*args)
        assert refused.exit_code == 2, (args, refused.stderr)
        message = " ".join(refused.stderr.split())
        assert "YUQING_TIMEZONE: 'Mars/Base' is not a known time zone" in message


def test_every_command_that_loads_the_config_refuses_cross_subsystem_mistakes(
        cli: Invoke, tmp_path: Path) -> None:
    """The checks run in the composition root, not in config.py: commands that only read the
    config (analyze, deadline, eval events) refuse the same mistakes as check."""
    (tmp_path / "yuqing.toml").write_text(
        '[[alerts.channels]]\nname = "m"\nkind = "mial"\n[pipeline]\nstages = { dedupe = 100 }\n',
        encoding="utf-8")
    data = tmp_path / "labelled.jsonl"
    data.write_text('{"id": "1", "text": "校园", "event_label": "a"}\n', encoding="utf-8")
    for args in (("check",), ("analyze", "学校食堂"), ("deadline", "--from", "2024-03-05T08:00",
                                                     "--hours", "5"),
                 ("eval", "events", "--data", str(data))):
        refused = cli(*args)
        assert refused.exit_code == 2, (args, refused.stderr)
        message = " ".join(refused.stderr.split())
        assert "yuqing.toml: pipeline.stages: 'dedupe' is not a pipeline stage (known: dedup," \
            in message, (args, message)
        assert "alert channel 'm': unknown kind 'mial'" in message, message


def test_check_lists_the_stages_in_the_configured_order(cli: Invoke, tmp_path: Path) -> None:
    (tmp_path / "yuqing.toml").write_text(
        "[pipeline]\nstages = { dedup = 950, places = false }\n", encoding="utf-8")
    doc = one_json(cli("check", "--json"))
    ran = doc["stages"] + list(doc["skipped"])
    assert "places" not in ran and doc["stages"][-1] == "dedup"


def enable_drop_folder(config: Path) -> None:
    """Switch on the example config's file source (平台导出, path exports/*.csv)."""
    text = config.read_text(encoding="utf-8")
    head, tail = text.split('name = "平台导出"', 1)
    config.write_text(head + 'name = "平台导出"' + tail.replace("enabled = false", "enabled = true",
                                                               1), encoding="utf-8")


def test_check_validates_the_drop_folder_and_run_once_reads_it(cli: Invoke,
                                                               tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    enable_drop_folder(tmp_path / "yuqing.toml")
    missing = cli("check", "--json")
    assert missing.exit_code == 2 and missing.stdout == ""
    assert "sources[1] (平台导出): path 'exports/*.csv'" in missing.stderr
    assert f"folder {tmp_path / 'exports'} does not exist" in missing.stderr.replace("\n", "")
    (tmp_path / "exports").mkdir()
    empty = cli("check", "--json")
    assert empty.exit_code == 0, empty.stderr
    (warning,) = one_json(empty)["warnings"]
    assert warning.startswith("sources[1] (平台导出): path 'exports/*.csv'")
    assert warning.endswith("no file there yet")
    (tmp_path / "exports" / "weibo-0305.csv").write_text(
        "id,text\n1,市一中食堂饭菜变质，学生腹痛送医\n2,今天天气不错\n", encoding="utf-8")
    assert one_json(cli("check", "--json"))["warnings"] == []
    once = cli("run", "--once", "--json")
    assert once.exit_code == 0, once.stderr
    doc = one_json(once)
    assert doc["stored"] == 2 and doc["sources"]["平台导出"]["status"] == "ok"
    again = one_json(cli("run", "--once", "--json"))
    assert again["read"] == 0 and again["sources"]["平台导出"]["status"] == "ok"


def test_check_refuses_a_site_source_with_a_bad_regex(cli: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "yuqing.toml"
    config.write_text('[[sources]]\nname = "县政府网"\nkind = "site"\nurl = "http://x.cn/"\n'
                      'link_pattern = "art_("\n', encoding="utf-8")
    result = cli("check", "--config", str(config))
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert ("source '县政府网' (kind site): option 'link_pattern': 'art_(' is not a regular"
            in message)


@pytest.mark.postgres
def test_check_shows_the_broker_and_the_database_without_passwords(
        cli: Invoke, monkeypatch: pytest.MonkeyPatch, postgres_schema_url: str) -> None:
    assert cli("init").exit_code == 0
    monkeypatch.setenv("YUQING_BROKER_URL", "amqp://yq:s3cret@mq:5672/yuqing")
    db = postgres_schema_url.replace("postgres@", "postgres:pw@")  # trust auth ignores it
    doc = one_json(cli("check", "--json", "--db", db))
    assert doc["broker_url"] == "amqp://yq:***@mq:5672/yuqing"
    assert doc["database_url"] == db.replace(":pw@", ":***@")
