"""The config file: loading, secrets from the environment, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.config import load_config, parse_config, resolve_env_secrets, resolve_setting
from yuqing.domain import BadInput


def test_env_secret_is_resolved_and_missing_one_named() -> None:
    doc = {"alerts": {"channels": [{"name": "mail", "kind": "email", "password": {"$env": "PW"}}]}}
    resolved = resolve_env_secrets(doc, {"PW": "s3cret"})
    assert resolved["alerts"]["channels"][0]["password"] == "s3cret"
    with pytest.raises(BadInput, match="PW"):
        resolve_env_secrets(doc, {})


def test_bad_toml_names_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[[schemes]\nname=1", encoding="utf-8")
    with pytest.raises(BadInput, match="bad.toml"):
        load_config(path)


def test_schema_error_names_field() -> None:
    with pytest.raises(BadInput,
                       match=r"^config: scheme 'x': subject_words: should be a valid list"):
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
    ({"sources": [{"name": "a", "kind": "rss", "timezone": "X/Y"}]},
     r"source 'a' \(kind rss\): timezone: 'X/Y' is not a known time zone"),
    ({"sources": [{"name": "a", "kind": "rss", "interval": -1}]},
     r"source 'a' \(kind rss\): interval: -1 s is outside 1 s to 604800 s \(7 days\)"),
    ({"sources": [{"name": "a", "kind": "rss", "interval": 1e20}]},
     r"source 'a' \(kind rss\): interval: 1e\+20 s is outside 1 s to 604800 s"),
    ({"cases": {"units": [{"name": "县" * 5000}]}},
     r"unit '县{40}'… \(5000 characters\): name: 5000 characters, at most 64$"),
    ({"schemes": [{"name": "x" * 65, "subject_words": ["甲"]}]},
     r"name: 65 characters, at most 64"),
    ({"schemes": [{"name": "x", "subject_words": ["甲"]}, {"name": "x", "subject_words": ["乙"]}]},
     "scheme names must be unique"),
])
def test_values_that_would_fail_later_are_refused_at_load(doc: dict[str, object],
                                                          message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_config(doc)


def test_environment_settings_win_over_the_file_and_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "y.toml"
    path.write_text('timezone = "Asia/Shanghai"\nlanguage = "zh"\n'
                    'database_url = "sqlite:///file.db"\n', encoding="utf-8")
    env = {"YUQING_TIMEZONE": "UTC", "YUQING_LANGUAGE": "en", "YUQING_DATABASE_URL": "sqlite:///e.db"}
    cfg = load_config(path, env=env)
    assert (cfg.timezone, cfg.language, cfg.database_url) == ("UTC", "en", "sqlite:///e.db")
    empty = {"YUQING_TIMEZONE": ""}  # an empty variable counts as unset
    assert load_config(path, env=empty).timezone == "Asia/Shanghai"
    assert load_config(None, env={"YUQING_TIMEZONE": "UTC"}).timezone == "UTC"  # no file at all
    with pytest.raises(BadInput, match=r"^YUQING_TIMEZONE: .*'Mars/Base' is not a known time zone"):
        load_config(path, env={"YUQING_TIMEZONE": "Mars/Base"})
    # the language and the database URL are checked by the composition root: test_checks.py


def test_an_unknown_setting_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="not a setting"):
        resolve_setting("colour", None, None, "d")


def test_stage_order_amends_the_builtin_order() -> None:
    default = parse_config({}).pipeline.stage_order()
    assert default == ("dedup", "segment", "sentiment", "sensitive", "incidents", "places",
                       "keywords", "handling", "schemes", "events")
    cfg = parse_config({"pipeline": {"stages": {"places": False, "keywords": 0, "mine": 850,
                                                "dedup": 950}}})
    assert cfg.pipeline.stage_order() == ("segment", "sentiment", "sensitive", "incidents",
                                          "handling", "schemes", "mine", "events", "dedup")


@pytest.mark.parametrize("value", [True, -1, 1.5, "first"])
def test_a_stage_order_that_is_no_whole_number_is_refused(value: object) -> None:
    with pytest.raises(BadInput,
                       match=rf"\[pipeline\.stages\]: places: .*{value!r} is not a stage order"):
        parse_config({"pipeline": {"stages": {"places": value}}})


def test_config_imports_nothing_of_ours_but_domain() -> None:
    """config.py is a leaf of the import graph (lazy imports counted)."""
    import ast

    import yuqing.config

    tree = ast.parse(Path(yuqing.config.__file__).read_text(encoding="utf-8"))
    ours = {node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("yuqing")}
    ours |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names if alias.name.startswith("yuqing")}
    assert ours == {"yuqing.domain"}
