"""`yuqing config export|import` (cli/settings.py), and `yuqing init` then the live settings:
the TOML stays the way to bootstrap (issue 17)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from yuqing_cli import CONFIG_TOML, Invoke

from yuqing.runtime.context import make_context


def test_init_then_export_then_import(cli: Invoke, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    exported = cli("config", "export")
    assert exported.exit_code == 0, exported.stderr
    data = tomllib.loads(exported.stdout)
    # the moment of export in the office zone (Asia/Shanghai in the init template)
    assert exported.stdout.splitlines()[0].endswith("(+08:00)")
    init_data = tomllib.loads((tmp_path / "yuqing.toml").read_text(encoding="utf-8"))
    assert [s["name"] for s in data["schemes"]] == [s["name"] for s in init_data["schemes"]]
    assert cli("config", "export", "--out", "live.toml").exit_code == 0
    assert cli("config", "export", "--out", "live.toml").exit_code == 2  # never overwritten

    (tmp_path / "other.toml").write_text(CONFIG_TOML, encoding="utf-8")
    imported = cli("config", "import", "other.toml", "--json")
    assert imported.exit_code == 0, imported.stderr
    ctx = make_context(tmp_path / "yuqing.toml", f"sqlite:///{tmp_path / 'yuqing.db'}")
    assert [s.name for s in ctx.live.config.schemes] == ["公共安全", "学校"]  # file unchanged
    ctx.close()

    bad = CONFIG_TOML.replace('subject_words = ["学校", "学生"]', 'expression = "学校 AND ("')
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    refused = cli("config", "import", "bad.toml")
    assert refused.exit_code == 2
    assert "bad.toml: schemes[1]" in refused.stderr
