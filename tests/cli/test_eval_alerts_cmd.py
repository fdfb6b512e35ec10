"""End-to-end tests of `yuqing eval alerts`: the whole-alert measure on our labelled
posts about the invented county 青山县 (tests/fixtures/alerts, hand-written by us).

The figures asserted are a quality gate: the held-out ``test`` split was written after
the round-2 analysis changes and read many times since; the ``fresh`` split was written
after the office polarity model was final and run once for the README figures (README
"How good is the analysis?" gives them and what is not met).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner
from yuqing_cli import Invoke

from yuqing.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alerts"
DATA = FIXTURES / "qingshan_alerts.jsonl"
CONFIG = FIXTURES / "qingshan.toml"


def run(split: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["eval", "alerts", "--data", str(DATA), "--config",
                                      str(CONFIG), "--split", split, "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module")
def test_split() -> dict[str, Any]:
    return run("test")


@pytest.fixture(scope="module")
def dev_split() -> dict[str, Any]:
    return run("dev")


@pytest.fixture(scope="module")
def fresh_split() -> dict[str, Any]:
    return run("fresh")


def test_the_fixture_is_large_and_covers_the_hard_negatives() -> None:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    kinds = {r["kind"] for r in rows}
    assert len(rows) >= 300 and {r["split"] for r in rows} == {
        "dev", "test", "fresh", "fresh2", "fresh3", "fresh4", "fresh5"}
    assert sum(r["split"] == "fresh" for r in rows) >= 150
    for split, n, prefix in (("fresh2", 220, "qf2_"), ("fresh3", 300, "qf3_"),
                             ("fresh4", 300, "qf4_")):
        blind = [r for r in rows if r["split"] == split]
        assert len(blind) >= n and all(r["id"].startswith(prefix) for r in blind)
    assert len({r["id"] for r in rows}) == len(rows) == len({r["text"] for r in rows})
    assert {"advice", "drill", "history", "fiction", "metaphor", "notice", "offtopic",
            "other_county", "polite", "complaint", "incident", "sensitive"} <= kinds
    assert all(r["label"] in (0, 1) and r["text"] and r["why"] for r in rows)


def test_held_out_split_gate(test_split: dict[str, Any]) -> None:
    doc = test_split
    assert doc["split"] == "test" and doc["n"] >= 150 and doc["positives"] >= 60
    # scored per message: 0.932 / 0.920 (the clustering before the office's subject words
    # merged different happenings at one hospital: 0.923 / 0.640; read many times, so not
    # the honest measure: the blind splits are)
    assert doc["precision"] >= 0.91 and doc["recall"] >= 0.91
    base = doc["baseline"]
    assert base["name"].startswith("every scheme match") and base["recall"] >= 0.9
    assert doc["f1"] >= base["f1"] + 0.15 and doc["precision"] >= base["precision"] + 0.3


def test_dev_split_gate(dev_split: dict[str, Any]) -> None:
    assert dev_split["n"] >= 300
    # scored per message: 0.961 / 0.980 (before the office's subject words: 0.953 / 0.673;
    # before the background document frequencies: 0.960 / 0.947)
    assert dev_split["precision"] >= 0.94 and dev_split["recall"] >= 0.97
    assert dev_split["repeats"] <= 8


def test_fresh_split_gate(fresh_split: dict[str, Any]) -> None:
    doc = fresh_split
    assert doc["n"] >= 150 and doc["positives"] >= 60
    # measured once 0.761 / 0.838 (main before the office polarity model: 0.704 / 0.713);
    # then studied like dev; scored per message 0.895 / 0.963 (0.894 / 0.738 before the
    # office's subject words, 0.904 / 0.938 before the background document frequencies)
    assert doc["precision"] >= 0.89 and doc["recall"] >= 0.95
    assert doc["f1"] >= doc["baseline"]["f1"] + 0.15


def test_the_report_names_each_error_and_what_the_pipeline_saw(
        test_split: dict[str, Any]) -> None:
    doc = test_split
    assert len(doc["false_negatives"]) == doc["fn"] and len(doc["false_positives"]) == doc["fp"]
    for error in doc["false_negatives"] + doc["false_positives"]:
        assert error["id"].startswith("qt") and error["text"] and error["why"]
        assert {"schemes", "sentiment", "emotion", "incident", "sensitive_terms"} <= set(
            error["got"])
    assert sum(k["n"] for k in doc["by_kind"].values()) == doc["n"]
    assert doc["tp"] + doc["fp"] + doc["fn"] + doc["tn"] == doc["n"]
    assert doc["rules"] == ["default"] and doc["alerts"] > 0


def test_a_bad_label_is_named_and_an_empty_split_is_refused(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "县医院起火", "label": "yes", "split": "test"}\n',
                   encoding="utf-8")
    result = cli("eval", "alerts", "--data", str(bad), "--config", str(CONFIG))
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.stderr and "'yes'" in result.stderr
    result = cli("eval", "alerts", "--data", str(DATA), "--config", str(CONFIG),
                 "--split", "nope")
    assert result.exit_code == 2 and "'nope'" in result.stderr
    assert "the input's splits: dev: 341" in result.stderr   # what it could have asked for
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = cli("eval", "alerts", "--data", str(empty), "--config", str(CONFIG))
    assert result.exit_code == 2 and "holds no post" in result.stderr
    assert not list(tmp_path.glob("*.db"))  # the temporary store is gone, nothing left here


@pytest.mark.parametrize(("split", "precision", "recall"), [
    # their one blind run: fresh2 0.788 / 0.908 (round 4), fresh3 0.836 / 0.904, fresh4
    # 0.885 / 0.852 (round 5), scored per post; studied since and scored per message:
    # 0.922 / 0.992, 0.878 / 0.956, 0.906 / 0.926 (places heard by their spoken names);
    # fresh5, per message: its blind run 0.882 / 0.830 (round 6), studied since: 0.879 / 0.919
    ("fresh2", 0.91, 0.98), ("fresh3", 0.85, 0.93), ("fresh4", 0.88, 0.91),
    ("fresh5", 0.87, 0.90),
])
def test_blind_splits_gate(split: str, precision: float, recall: float) -> None:
    doc = run(split)
    assert doc["n"] >= 250 and doc["precision"] >= precision and doc["recall"] >= recall
    assert doc["f1"] >= doc["baseline"]["f1"] + 0.2


def eval_rows(cli: Invoke, tmp_path: Path, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Run ``eval alerts --json`` on ``rows`` (test split, from Weibo); return its document."""
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({**r, "split": "test", "source": "weibo"},
                                       ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    result = cli("eval", "alerts", "--data", str(data), "--config", str(CONFIG), "--json")
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


@pytest.mark.parametrize(("second_story", "recall", "repeats"), [("fire", 1.0, 0),
                                                                  ("another", 0.5, 0)])
def test_a_post_counts_as_told_only_through_an_alert_about_its_story(
        cli: Invoke, tmp_path: Path, second_story: str, recall: float, repeats: int) -> None:
    """Two posts the clustering puts in one event give one alert, which leads with the
    first: the second (a retelling, not a copy) is told when it tells the same story,
    missed when it is another happening that the clustering merged."""
    text = "青山县城关镇建材市场今天下午突发大火，浓烟几公里外都能看到，伤亡情况不明。"
    rows = [{"id": "a", "text": text, "published_at": "2026-06-10 07:00", "label": 1,
             "story": "fire"},
            {"id": "b", "published_at": "2026-06-10 07:20",
             "text": "城关镇建材市场的大火烧了一下午，浓烟几公里外都能看到，消防车来了十几辆。",
             "label": 1, "story": second_story}]
    doc = eval_rows(cli, tmp_path, rows)
    assert doc["alerts"] == 1 and doc["recall"] == recall and doc["repeats"] == repeats
    assert [e["id"] for e in doc["false_negatives"]] == ([] if recall == 1.0 else ["b"])


def test_a_denial_told_with_its_rumour_is_no_false_alarm(cli: Invoke, tmp_path: Path) -> None:
    """The office's denial (label 0) shares the story of the rumour it answers (label 1):
    the alert about that story is a right one, so the denial is not counted against it."""
    rows = [{"id": "rumour", "published_at": "2026-06-10 07:00", "label": 1, "story": "water",
             "text": "听说青山县城关镇自来水被污染了，已经有人喝了拉肚子住院，大家千万别喝！"},
            {"id": "denial", "published_at": "2026-06-10 09:00", "label": 0, "story": "water",
             "text": "青山县水务局：网传城关镇自来水被污染系谣言，经检测水质全部合格。"}]
    doc = eval_rows(cli, tmp_path, rows)
    assert (doc["tp"], doc["fp"], doc["fn"], doc["tn"]) == (1, 0, 0, 1)
    assert doc["by_kind"]["told"]["alerted"] == 1 and doc["by_kind"]["not told"]["alerted"] == 0


def test_an_id_given_twice_is_named_as_a_problem(cli: Invoke, tmp_path: Path) -> None:
    row = {"id": "a", "text": "青山县城关镇建材市场突发大火，浓烟滚滚。", "label": 1,
           "published_at": "2026-06-10 07:00"}
    doc = eval_rows(cli, tmp_path, [row, {**row, "id": "b"}, {**row, "label": 0}])
    assert doc["n"] == 2 and doc["skipped"] == 1
    assert doc["problems"] == [f"{tmp_path / 'rows.jsonl'}:3: id 'a' of 'weibo' again (first at "
                               f"{tmp_path / 'rows.jsonl'}:1): the later row replaces it"]
