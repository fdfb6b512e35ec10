"""Docs that must stay true: README's commands, CI, the example config."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from yuqing.config import Config
from yuqing.runtime.config_files import shipped_lexicons
from yuqing.runtime.context import make_context

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text, flags=re.S)


def test_readme_starts_with_two_setup_commands() -> None:
    commands = readme_commands()
    assert len(commands) >= 2
    assert commands[0].rstrip().endswith("yuqing demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1].strip() in ci


def test_example_config_loads_and_documents_every_section(tmp_path: Path) -> None:
    text = (resources.files("yuqing") / "data" / "example.toml").read_text(encoding="utf-8")
    (tmp_path / "yuqing.toml").write_text(text, encoding="utf-8")
    cfg = make_context(tmp_path / "yuqing.toml").config
    assert {s.kind for s in cfg.sources} >= {"rss", "file"}
    assert cfg.schemes[0].region_words and cfg.schemes[1].expression
    # the example keeps every shipped lexicon (listing lexicons replaces the default set)
    assert {lx.path for lx in cfg.lexicons} >= {f"builtin:{n}" for n in shipped_lexicons()}
    for name in Config.model_fields:
        if name != "base_dir":
            assert re.search(rf"^#?\s*\[*{name}\b|^{name} =", text, flags=re.M), f"{name} undocumented"
