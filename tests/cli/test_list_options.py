"""Options of the listing commands (items, events, rejections): UTF-8 JSON, bounded limits,
unknown scheme / reason names refused with the known ones listed."""

from __future__ import annotations

from pathlib import Path

from yuqing_cli import FIXTURES, Invoke, flat, write_config


def _seeded(cli: Invoke, tmp_path: Path) -> list[str]:
    """Ingest the e2e items into tmp_path/yuqing.db; return the common options."""
    opts = ["-c", str(write_config(tmp_path)), "--db", f"sqlite:///{tmp_path / 'y.db'}"]
    assert (
        cli("ingest", str(FIXTURES / "items" / "e2e_items.jsonl"), *opts, "--json").exit_code == 0
    )
    return opts


def test_json_output_keeps_chinese_readable(cli: Invoke, tmp_path: Path) -> None:
    opts = _seeded(cli, tmp_path)
    for command in ("items", "events"):
        out = cli(command, *opts, "--json").stdout
        assert out.strip() and "\\u" not in out
        assert any("\u4e00" <= ch <= "\u9fff" for ch in out), command


def test_limits_and_names_are_checked(cli: Invoke, tmp_path: Path) -> None:
    opts = _seeded(cli, tmp_path)
    for command in (("events", "--limit", "-3"), ("events", "--limit", "0"),
                    ("events", "--min-size", "0"), ("items", "--limit", "0")):
        res = cli(*command, *opts)
        assert res.exit_code == 2 and "Invalidvalue" in flat(res.stderr), command
    for command in ("items", "stats"):
        scheme = cli(command, "--scheme", "nope", *opts, "--json")
        assert scheme.exit_code == 2 and scheme.stdout == "", command
        assert "--scheme'nope':notaschemeoftheconfig(公共安全,学校)" in flat(scheme.stderr)
    assert cli("items", "--scheme", "学校", *opts, "--json").exit_code == 0
    reason = cli("rejections", "--reason", "nonsense", *opts, "--json")
    assert reason.exit_code == 2 and reason.stdout == ""
    assert ("--reason'nonsense':expectedoneofbad_input,bad_url,empty_text,failed,lossy_id,"
            "no_identity" in flat(reason.stderr))
    assert cli("rejections", "--reason", "lossy_id", *opts, "--json").exit_code == 0
