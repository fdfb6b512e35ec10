"""End-to-end tests of `yuqing case|cases|petition|deadline` (src/yuqing/cli/cases.py,
src/yuqing/cli/petition.py) on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from yuqing_cli import Invoke, json_lines, one_json

EXTRA = """
[cases]
policies = ["first_response", "formal_answer"]

[[cases.units]]
name = "区网信办"
level = "county"
leader = "王主任"

[[cases.units]]
name = "区公安分局"
"""


@pytest.fixture
def common(tmp_path: Path, store_url: str) -> tuple[str, ...]:
    cfg = tmp_path / "cases.toml"
    cfg.write_text(EXTRA, encoding="utf-8")
    return ("-c", str(cfg), "--db", store_url)


def test_deadline_examples_of_the_issue(cli: Invoke) -> None:
    assert one_json(cli("deadline", "--from", "2020-01-23 10:00", "--working-days", "3",
                        "--json"))["due"] == "2020-02-06T00:00:00+08:00"
    assert one_json(cli("deadline", "--from", "2020-01-17", "--working-days", "1",
                        "--json"))["due"] == "2020-01-20T00:00:00+08:00"
    assert one_json(cli("deadline", "--from", "2026-10-01 10:00", "--policy", "first_response",
                        "--json")) == {"due": "2026-10-01T15:00:00+08:00", "provisional": False,
                                       "policy": "first_response"}
    assert one_json(cli("deadline", "--from", "2026-10-01T10:00+08:00", "--hours", "24",
                        "--json"))["due"] == "2026-10-02T10:00:00+08:00"
    assert one_json(cli("deadline", "--from", "2027-06-01", "--working-days", "2",
                        "--json"))["provisional"] is True


def test_deadline_bad_usage_exits_2(cli: Invoke) -> None:
    both = cli("deadline", "--from", "2020-01-23", "--hours", "5", "--working-days", "1")
    assert both.exit_code == 2 and "exactly one" in both.stderr
    unknown = cli("deadline", "--from", "2020-01-23", "--policy", "nope")
    assert unknown.exit_code == 2 and "'nope' is not configured" in unknown.stderr
    bad_time = cli("deadline", "--from", "soon", "--hours", "5")
    assert bad_time.exit_code == 2 and "'soon'" in bad_time.stderr


def test_case_open_move_show_list(cli: Invoke, common: tuple[str, ...], tmp_path: Path) -> None:
    who = ("--as", "李值班")
    opened = one_json(cli("case", "open", "燃气泄漏传闻", "--unit", "区网信办", "--class", "3",
                          *who, "--json", *common))
    case_id = str(opened["id"])
    assert opened["state"] == "collected" and opened["suggested_class"] == 3
    assert [d["policy"] for d in opened["deadlines"]] == ["first_response", "formal_answer"]
    moved = one_json(cli("case", "move", case_id, "verified", "-m", "现场核实为谣言", *who,
                         "--json", *common))
    assert moved == {"id": int(case_id), "state": "verified", "handling_class": 3}
    for state in ("reported", "handling"):
        assert cli("case", "move", case_id, state, *who, *common).exit_code == 0
    refused = cli("case", "move", case_id, "replied", "-m", "答复", *who, *common)
    assert refused.exit_code == 2 and "clarified; referred; 1 evidence" in refused.stderr
    evidence = tmp_path / "截图.txt"
    evidence.write_text("谣言截图", encoding="utf-8")
    attached = one_json(cli("case", "attach", case_id, str(evidence), *who, "--json", *common))
    assert len(attached["sha256"]) == 64
    for action, note in (("clarified", "发布辟谣"), ("referred", "移交公安")):
        assert cli("case", "act", case_id, action, "-m", note, *who, *common).exit_code == 0
    assert cli("case", "move", case_id, "replied", "-m", "已辟谣", *who, *common).exit_code == 0
    shown = one_json(cli("case", "show", case_id, "--json", *common))
    assert shown["state"] == "replied"
    assert [e["action"] for e in shown["log"]] == [
        "open", "move", "move", "move", "attach", "clarified", "referred", "move"]
    human = cli("case", "show", case_id, *common)  # a view to read, on stdout, not a dict
    assert human.exit_code == 0 and human.stderr == ""
    assert f"案件 case #{case_id}  燃气泄漏传闻" in human.stdout
    assert "状态 state: 回复 replied    单位 unit: 区网信办" in human.stdout
    assert "分类 class: 3 捏造/诽谤/违法" in human.stdout
    assert "move 处置 handling → 回复 replied: 已辟谣" in human.stdout
    assert "{'" not in human.stdout and "附件 attachments: 1" in human.stdout
    listed = json_lines(cli("case", "list", "--state", "replied", "--json", *common))
    assert [r["id"] for r in listed] == [int(case_id)]
    assert json_lines(cli("case", "list", "--state", "closed", "--json", *common)) == []
    missing = cli("case", "show", "999", *common)
    assert missing.exit_code == 2 and "case 999: no such case" in missing.stderr


def test_petition_add_and_stats(cli: Invoke, common: tuple[str, ...]) -> None:
    args = ("--channel", "letter", "--unit", "区网信办", "--accused", "城关镇人民政府",
            "--name", "张三", "--phone", "13812345678", "--as", "李值班")
    first = one_json(cli("petition", "add", "城关镇政府拖欠我修村道的工程款三十八万元", *args,
                         "--json", *common))
    assert first["new_case"] is True and first["contact"] == "张* 138****5678"
    again = one_json(cli("petition", "add", "再次反映城关镇欠我修路工程款三十八万", *args,
                         "--level", "city", "--json", *common))
    assert (again["repeat_of"], again["case_id"], again["cross_level"]) == (
        first["petition_id"], first["case_id"], True)
    contact = one_json(cli("petition", "contact", str(first["petition_id"]), "--reason", "回访",
                           "--as", "李值班", "--json", *common))
    assert contact["phone"] == "13812345678"
    shown = cli("petition", "contact", str(first["petition_id"]), "--reason", "回访", "--as",
                "李值班", *common)  # key: value lines on stdout, not a Python dict
    assert "phone: 13812345678" in shown.stdout.splitlines() and "{" not in shown.stdout
    stats = one_json(cli("cases", "stats", "--json", *common))
    assert (stats["cases"], stats["petitions"], stats["repeats"], stats["repeat_rate"]) == (
        1, 2, 1, 0.5)
    daily = one_json(cli("cases", "daily", "--date", "2020-01-01", "--json", *common))
    assert daily["units"][0]["zero_report"] is True
    swept = one_json(cli("cases", "sweep", "--json", *common))
    assert swept["reminded"] == swept["escalated"] == 0


def test_eval_petitions_on_the_labelled_set(cli: Invoke) -> None:
    data = Path(__file__).parents[1] / "fixtures" / "petitions" / "petitions.jsonl"
    doc = one_json(cli("eval", "petitions", "--data", str(data), "--matters", "even", "--json"))
    assert doc["n"] == 122
    assert doc["repeat"]["precision"] >= 0.85 and doc["repeat"]["recall"] >= 0.88
    assert doc["repeat_out_of_reach"] == 18
    assert doc["cross_level"]["precision"] >= 0.95 and doc["cross_level"]["recall"] >= 0.95
    assert doc["repeat"]["f1"] > doc["baseline"]["repeat"]["f1"]


def test_transfer_and_assist(cli: Invoke, common: tuple[str, ...]) -> None:
    opened = one_json(cli("case", "open", "跨部门", "--unit", "区网信办", "--as", "甲",
                          "--json", *common))
    case_id = str(opened["id"])
    assist = one_json(cli("case", "assist", case_id, "区公安分局", "-m", "协查", "--as", "甲",
                          "--json", *common))
    assert assist == {"id": opened["id"], "unit": "区公安分局", "added": True}
    refused = cli("case", "transfer", case_id, "区公安分局", "-m", "移交", "--as", "甲",
                  "--role", "handler", *common)
    assert refused.exit_code == 2 and "role 'handler' may not" in refused.stderr
    moved = one_json(cli("case", "transfer", case_id, "区公安分局", "-m", "涉嫌违法", "--as", "乙",
                         "--json", *common))
    assert moved["owner_unit"] == "区公安分局"
    assert one_json(cli("case", "show", case_id, "--json", *common))["owner_unit"] == "区公安分局"
    nothing = cli("case", "open", "--unit", "区网信办", "--as", "甲", *common)
    assert nothing.exit_code == 2 and "give a title" in nothing.stderr
