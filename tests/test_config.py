"""The config file: loading, secrets from the environment, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.config import load_config, parse_config, resolve_env_secrets, resolve_setting
from yuqing.domain import BadInput


def test_env_secret_is_resolved_and_missing_one_named() -> None:
    doc = {"alerts": {"channels": [{"name": "mail", "kind": "email", "password": {"$env": "PW"}}]}}
    assert resolve_env_secrets(doc, {"PW": "s3cret"})["alerts"]["channels"][0]["password"] == "s3cret"
    with pytest.raises(BadInput, match="PW"):
        resolve_env_secrets(doc, {})


def test_bad_toml_names_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[[schemes]\nname=1", encoding="utf-8")
    with pytest.raises(BadInput, match="bad.toml"):
        load_config(path)


def test_schema_error_names_field() -> None:
    with pytest.raises(BadInput, match=r"schemes\.0\.subject_words"):
        parse_config({"schemes": [{"name": "x", "subject_words": "学校"}]})
    with pytest.raises(BadInput, match="repeated"):
        parse_config({"sources": [{"name": "a", "kind": "rss"}, {"name": "a", "kind": "file"}]})


def test_setting_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUQING_DATABASE_URL", "sqlite:///env.db")
    assert resolve_setting("database_url", "sqlite:///flag.db", "sqlite:///file.db", "d") == "sqlite:///flag.db"
    assert resolve_setting("database_url", None, "sqlite:///file.db", "d") == "sqlite:///env.db"
    monkeypatch.delenv("YUQING_DATABASE_URL")
    assert resolve_setting("database_url", None, "sqlite:///file.db", "d") == "sqlite:///file.db"
    assert resolve_setting("database_url", None, None, "d") == "d"


def test_relative_paths_resolve_against_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "y.toml"
    path.write_text('[segment]\nuser_dicts = ["dicts/a.txt"]\n', encoding="utf-8")
    (tmp_path / "dicts").mkdir()
    (tmp_path / "dicts" / "a.txt").write_text("词 5\n", encoding="utf-8")
    cfg = load_config(path)
    assert cfg.resolve_path(cfg.segment.user_dicts[0]) == tmp_path / "dicts" / "a.txt"


@pytest.mark.parametrize(("doc", "message"), [
    ({"timezone": "Mars/Olympus"}, "timezone.*not a known time zone"),
    ({"sources": [{"name": "a", "kind": "rss", "timezone": "X/Y"}]}, r"sources\.0\.timezone"),
    ({"sources": [{"name": "a", "kind": "rss", "interval": -1}]}, r"sources\.0\.interval"),
    ({"schemes": [{"name": "x", "subject_words": ["甲"]}, {"name": "x", "subject_words": ["乙"]}]},
     "scheme names must be unique"),
])
def test_values_that_would_fail_later_are_refused_at_load(doc: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_config(doc)


@pytest.mark.parametrize(("text", "key", "value"), [
    ('[[lexicons]]\npath = "builtin:violense"\n', r"lexicons\[0\]\.path", "builtin:violense"),
    ('[[lexicons]]\npath = "mine.txt"\n', r"lexicons\[0\]\.path", "mine.txt"),
    ('[segment]\nuser_dicts = ["nope.txt"]\n', r"segment\.user_dicts\[0\]", "nope.txt"),
    ('[segment]\nuser_dicts = ["."]\n', r"segment\.user_dicts\[0\]", "folder"),
])
def test_a_missing_configured_file_is_a_config_error(tmp_path: Path, text: str, key: str,
                                                       value: str) -> None:
    path = tmp_path / "y.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=rf"y\.toml: .*{key}: .*{value}") as caught:
        load_config(path)
    if "builtin" in value:
        assert "violence" in str(caught.value)  # the shipped names are listed


def test_build_stages_refuses_a_config_naming_a_missing_file(tmp_path: Path) -> None:
    from yuqing.config import Config, LexiconConfig
    from yuqing.runtime.stages import build_stages

    cfg = Config(lexicons=[LexiconConfig(path=str(tmp_path / "gone.txt"))])
    with pytest.raises(BadInput, match=r"lexicons\[0\]\.path.*gone\.txt"):
        build_stages(cfg)


@pytest.mark.parametrize(("text", "message"), [
    ('[cases]\npolicies = ["first_responce"]\n',
     r"cases\.policies\[0\]: 'first_responce' is not a deadline policy \(known: first_response"),
    ('[[deadlines.policies]]\nname = "p"\nhours = 5\nmet_by = "replyed"\n[cases]\npolicies = ["p"]\n',
     r"deadlines\.policies\[0\]\.met_by: 'replyed' is not a case state"),
    ('[[reports.schedules]]\nname = "d"\nat = "25:00"\nchannels = ["console"]\n',
     r"reports\.schedules\[0\]\.at: '25:00' is not a time of day HH:MM"),
    ('[[reports.schedules]]\nname = "d"\nkind = "dayly"\nchannels = ["console"]\n',
     r"reports\.schedules\[0\]\.kind: 'dayly' is not one of daily, weekly, monthly"),
    ('[[reports.schedules]]\nname = "d"\nchannels = ["mial"]\n',
     r"reports\.schedules\[0\]\.channels\[0\]: 'mial' is not an alert channel"),
])
def test_case_policy_and_schedule_typos_are_refused_at_load(tmp_path: Path, text: str,
                                                            message: str) -> None:
    path = tmp_path / "y.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=rf"y\.toml: {message}"):
        load_config(path)


def test_a_good_schedule_and_policy_list_load(tmp_path: Path) -> None:
    path = tmp_path / "y.toml"
    path.write_text('[cases]\npolicies = ["complex"]\n[[reports.schedules]]\nname = "d"\n'
                    'at = "23:59"\nchannels = ["console"]\n', encoding="utf-8")
    cfg = load_config(path)
    assert cfg.cases.policies == ["complex"] and cfg.reports.schedules[0].at == "23:59"


@pytest.mark.parametrize(("text", "message"), [
    ('[[alerts.rules]]\nname = "负面或敏感"\nlevel = "V"\n',
     r"\[alerts\.rules\] alert rule '负面或敏感': level"),
    ('[[alerts.channels]]\nname = "m"\nkind = "mial"\n',
     r"alerts\.channels\[0\]: alert channel 'm': unknown kind 'mial'"),
    ('[[alerts.channels]]\nname = "m"\nkind = "console"\n[[alerts.channels]]\nname = "m"\n'
     'kind = "console"\n', "alert channel names must be unique"),
    ('[[schemes]]\nname = "s"\nexpression = "学校 AND ("\n', r"schemes\[0\]: scheme 's': syntax error"),
])
def test_channel_rule_and_scheme_errors_name_the_config_file(tmp_path: Path, text: str,
                                                            message: str) -> None:
    path = tmp_path / "y.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=rf"^{path}: .*{message}"):
        load_config(path)


def test_environment_settings_win_over_the_file_and_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "y.toml"
    path.write_text('timezone = "Asia/Shanghai"\nlanguage = "zh"\n'
                    'database_url = "sqlite:///file.db"\n', encoding="utf-8")
    env = {"YUQING_TIMEZONE": "UTC", "YUQING_LANGUAGE": "en", "YUQING_DATABASE_URL": "sqlite:///e.db"}
    cfg = load_config(path, env=env)
    assert (cfg.timezone, cfg.language, cfg.database_url) == ("UTC", "en", "sqlite:///e.db")
    assert load_config(path, env={"YUQING_TIMEZONE": ""}).timezone == "Asia/Shanghai"  # empty = unset
    assert load_config(None, env={"YUQING_TIMEZONE": "UTC"}).timezone == "UTC"  # no file at all
    for name, value, message in (("YUQING_TIMEZONE", "Mars/Base", "not a known time zone"),
                                 ("YUQING_LANGUAGE", "fr", "not a known language"),
                                 ("YUQING_DATABASE_URL", "yuqing.db", "not a SQLAlchemy URL")):
        with pytest.raises(BadInput, match=rf"^{name}: .*'{value}' is {message}"):
            load_config(path, env={name: value})


def test_file_values_of_settings_are_validated_too() -> None:
    with pytest.raises(BadInput, match="language: .*'fr' is not a known language"):
        parse_config({"language": "fr"})
    with pytest.raises(BadInput, match="database_url: .*not a SQLAlchemy URL"):
        parse_config({"database_url": "yuqing.db"})
    with pytest.raises(KeyError, match="not a setting"):
        resolve_setting("colour", None, None, "d")
