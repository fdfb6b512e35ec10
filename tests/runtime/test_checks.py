"""Config checks that span subsystems (runtime/checks.py), made when a Context is built:
every command that loads the config refuses these mistakes, naming file, key and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.alerts.channels.console import ConsoleChannel
from yuqing.config import Config, LexiconConfig, parse_config
from yuqing.domain import BadInput, Item
from yuqing.pipeline.base import BaseStage
from yuqing.runtime.context import Context, make_context
from yuqing.runtime.registries import load_registries
from yuqing.runtime.stages import build_stages


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
        make_context(path)
    if "builtin" in value:
        assert "violence" in str(caught.value)  # the shipped names are listed


def test_build_stages_refuses_a_config_naming_a_missing_file(tmp_path: Path) -> None:
    cfg = Config(lexicons=[LexiconConfig(path=str(tmp_path / "gone.txt"))])
    with pytest.raises(BadInput, match=r"lexicons\[0\]\.path.*gone\.txt"):
        build_stages(cfg, load_registries().stages)


@pytest.mark.parametrize(("text", "message"), [
    ('[cases]\npolicies = ["first_responce"]\n',
     r"cases\.policies\[0\]: 'first_responce' is not a deadline policy \(known: first_response"),
    ('[[deadlines.policies]]\nname = "p"\nhours = 5\nmet_by = "replyed"\n'
     '[cases]\npolicies = ["p"]\n',
     r"deadlines\.policies\[0\]\.met_by: 'replyed' is not a case state"),
    ('[[reports.schedules]]\nname = "d"\nat = "25:00"\nchannels = ["console"]\n',
     r"reports\.schedules\[0\]\.at: '25:00' is not a time of day HH:MM"),
    ('[[reports.schedules]]\nname = "d"\nkind = "dayly"\nchannels = ["console"]\n',
     r"reports\.schedules\[0\]\.kind: 'dayly' is not one of daily, weekly, monthly"),
    ('[[reports.schedules]]\nname = "d"\nchannels = ["mial"]\n',
     r"reports\.schedules\[0\]\.channels\[0\]: 'mial' is not an alert channel"),
    ('[[cases.units]]\nname = "县"\n[[cases.units]]\nname = "镇"\nparent = "县"\n'
     'dual_report_to = "卫建局"\n',
     r"cases\.units\[1\]\.dual_report_to: '卫建局' is not another configured unit \(known: 县, 镇"),
])
def test_case_policy_and_schedule_typos_are_refused_at_load(tmp_path: Path, text: str,
                                                            message: str) -> None:
    path = tmp_path / "y.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=rf"y\.toml: {message}"):
        make_context(path)


def test_a_good_schedule_and_policy_list_load(tmp_path: Path) -> None:
    path = tmp_path / "y.toml"
    path.write_text('[cases]\npolicies = ["complex"]\n[[reports.schedules]]\nname = "d"\n'
                    'at = "23:59"\nchannels = ["console"]\n', encoding="utf-8")
    cfg = make_context(path).config
    assert cfg.cases.policies == ["complex"] and cfg.reports.schedules[0].at == "23:59"


@pytest.mark.parametrize(("text", "message"), [
    ('[[alerts.rules]]\nname = "负面或敏感"\nlevel = "V"\n',
     r"\[alerts\.rules\] alert rule '负面或敏感': level"),
    ('[[alerts.channels]]\nname = "m"\nkind = "mial"\n',
     r"alert channel 'm': unknown kind 'mial'.* — did you mean 'email'\?"),
    ('[[alerts.channels]]\nname = "m"\nkind = "console"\n[[alerts.channels]]\nname = "m"\n'
     'kind = "console"\n', "alert channel names must be unique"),
    ('[[schemes]]\nname = "s"\nexpression = "学校 AND ("\n',
     r"schemes\[0\]: scheme 's': syntax error"),
])
def test_channel_rule_and_scheme_errors_name_the_config_file(tmp_path: Path, text: str,
                                                            message: str) -> None:
    path = tmp_path / "y.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=rf"^{path}: .*{message}"):
        make_context(path)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("YUQING_LANGUAGE", "fr", "not a known language"),
    ("YUQING_DATABASE_URL", "yuqing.db", "not a SQLAlchemy URL"),
])
def test_environment_values_are_checked_naming_the_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
        message: str) -> None:
    path = tmp_path / "y.toml"
    path.write_text('language = "zh"\n', encoding="utf-8")
    monkeypatch.setenv(name, value)
    with pytest.raises(BadInput, match=rf"^{name}: '{value}' is {message}"):
        make_context(path)


def test_file_values_of_settings_are_checked_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "y.toml"
    path.write_text('language = "fr"\ndatabase_url = "yuqing.db"\n', encoding="utf-8")
    with pytest.raises(BadInput, match=rf"^{path}: language: 'fr' is not a known language "
                                       r"\(known: zh, en\); database_url: 'yuqing\.db' is not "
                                       r"a SQLAlchemy URL"):
        make_context(path)


def test_an_unknown_stage_name_is_a_config_error_listing_the_known(tmp_path: Path) -> None:
    path = tmp_path / "y.toml"
    path.write_text("[pipeline]\nstages = { dedupe = 100 }\n", encoding="utf-8")
    with pytest.raises(BadInput, match=rf"^{path}: pipeline\.stages: 'dedupe' is not a pipeline "
                                       r"stage \(known: dedup, events, handling, "):
        make_context(path)


def test_a_channel_kind_registered_in_the_context_is_accepted() -> None:
    cfg = parse_config({"alerts": {"channels": [{"name": "p", "kind": "pager"}]}})
    with pytest.raises(BadInput, match=r"alert channel 'p': unknown kind"):
        Context(config=cfg, database_url="sqlite://")
    registries = load_registries()
    registries.channels.register("pager", lambda c: ConsoleChannel(c.name))
    ctx = Context(config=cfg, database_url="sqlite://", registries=registries)
    assert "pager" in ctx.channels and "pager" not in load_registries().channels


class Mine(BaseStage):
    """A stage that leaves items as they are."""

    name = "mine"

    def process(self, items: list[Item]) -> None:
        """Do nothing."""


def test_stages_run_in_the_configured_order_with_plugins_and_switched_off_ones(
        tmp_path: Path) -> None:
    cfg = parse_config({"pipeline": {"stages": {"places": False, "keywords": 0, "mine": 850}}})
    with pytest.raises(BadInput, match="'mine' is not a pipeline stage"):
        Context(config=cfg, database_url="sqlite://")
    registries = load_registries()
    registries.stages.register("mine", lambda config: Mine())
    ctx = Context(config=cfg, database_url=f"sqlite:///{tmp_path / 'y.db'}",
                  registries=registries)
    try:
        ran = [s.name for s in ctx.pipeline.built.stages]
        assert "places" not in ran and "keywords" not in ran
        # schemes is skipped (none configured); places and keywords are not even tried
        assert ran == ["dedup", "segment", "sentiment", "sensitive", "incidents", "handling",
                       "mine", "events"]
        assert list(ctx.pipeline.skipped) == ["schemes"]
    finally:
        ctx.close()




def test_a_unit_channel_that_is_no_alert_channel_is_refused(tmp_path: Path) -> None:
    """A unit's escalations and the reports sent up to it go to its ``channels``: a name
    that is no alert channel would lose them, so the config is refused naming it."""
    cfg = tmp_path / "yuqing.toml"
    cfg.write_text('[[cases.units]]\nname = "青山市"\nchannels = ["值班群"]\n\n'
                   '[[cases.units]]\nname = "青山县"\nparent = "青山市"\n', encoding="utf-8")
    with pytest.raises(BadInput) as refused:
        make_context(cfg)
    assert "cases.units[0].channels[0]: '值班群' is not an alert channel" in str(refused.value)
    assert "cases.units[1]" not in str(refused.value)


@pytest.mark.parametrize(("text", "message"), [
    ('[[cases.units]]\nname = "青山市网信办"\nlevel = "city"\n[[cases.units]]\n'
     'name = "青山县网信办"\nparent = "青山市网信"\n',
     "cases.units[1] (青山县网信办).parent: '青山市网信' is not another configured unit "
     "(known: 青山市网信办) — did you mean '青山市网信办'?"),
    ('[[cases.units]]\nname = "县"\nparent = "县"\n',
     "cases.units[0] (县).parent: '县' is not another configured unit (known: none)"),
    ('[[cases.units]]\nname = "甲"\nparent = "丙"\n[[cases.units]]\nname = "乙"\nparent = "甲"\n'
     '[[cases.units]]\nname = "丙"\nparent = "乙"\n',
     "cases.units: the parents form a cycle (甲 → 丙 → 乙 → 甲)"),
])
def test_a_parent_that_is_no_unit_or_a_cycle_is_refused(tmp_path: Path, text: str,
                                                         message: str) -> None:
    """A case reported upward goes to the parent: a parent that names no configured unit
    (a typo) would reach nobody, and a cycle would never end; the check names both."""
    cfg = tmp_path / "yuqing.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as refused:
        make_context(cfg)
    assert message in str(refused.value)
    assert str(refused.value).count("cycle") <= 1
