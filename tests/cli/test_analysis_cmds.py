"""End-to-end tests of `yuqing analyze` and `yuqing eval sentiment|handling-class|incidents`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from yuqing_cli import Invoke

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_analyze_json_has_every_analysis(cli: Invoke) -> None:
    result = cli("analyze", "请问为什么杭州西湖区停水三天了？太气人了，没人管吗", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {"sentiment", "sentiment_score", "sensitive_terms", "places", "keywords",
            "handling_class"} <= set(doc)
    assert doc["sentiment"] == "negative" and doc["sentiment_score"] > 0.5
    assert doc["places"] == ["浙江省", "杭州市", "西湖区"]
    assert "停水" in doc["keywords"] and doc["handling_class"] == 1


def test_analyze_json_shows_the_office_polarity_and_the_emotion(cli: Invoke) -> None:
    result = cli("analyze", "家长投诉青山县一中违规收取补课费，要求退费。", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["sentiment"], doc["emotion"]) == ("negative", "neutral")


def test_analyze_reports_sensitive_terms_with_original_spans(cli: Invoke) -> None:
    result = cli("analyze", "有人 代.写 论文吗", "--json")
    hits = json.loads(result.stdout)["sensitive_terms"]
    assert [(h["term"], h["category"], h["start"], h["end"]) for h in hits] == \
        [("代写论文", "livelihood", 3, 9)]


def test_analyze_empty_text_is_a_usage_error(cli: Invoke) -> None:
    result = cli("analyze", "   ", "--json")
    assert result.exit_code == 2 and "TEXT" in result.stderr


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("text", "label"), *rows])
    return path


def test_eval_sentiment_json_with_baseline_in_the_same_run(cli: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("snownlp")
    data = _write(tmp_path / "s.csv", [("气死我了，太恶心了，垃圾", "negative"),
                                       ("今天好开心啊，谢谢大家", "positive"),
                                       ("会议下午三点在三楼召开", "neutral"), ("坏行", "angry")])
    result = cli("eval", "sentiment", "--data", str(data), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["n"] == 3 and doc["skipped_rows"] == 1
    assert set(doc["per_class"]) == {"negative", "neutral", "positive"}
    assert 0 <= doc["macro_f1"] <= 1 and doc["accuracy"] >= 2 / 3
    assert doc["baseline"]["name"].startswith("snownlp") and doc["baseline"]["n"] == 3


def test_eval_sentiment_scores_the_writers_emotion_beside_the_office_polarity(
        cli: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("snownlp")
    # a complaint told calmly: negative for the office, not by the writer's emotion
    data = _write(tmp_path / "s.csv", [("家长投诉东林县二中违规收取补课费，要求退费。", "negative"),
                                       ("会议下午三点在三楼召开", "neutral")])
    doc = json.loads(cli("eval", "sentiment", "--data", str(data), "--json").stdout)
    assert doc["accuracy"] == 1.0
    assert doc["emotion"]["accuracy"] == 0.5 and doc["emotion"]["macro_f1"] < doc["macro_f1"]
    human = cli("eval", "sentiment", "--data", str(data)).stdout
    assert "the writer's emotion" in human


def test_eval_sentiment_human_output_has_tables(cli: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("snownlp")
    data = _write(tmp_path / "s.csv", [("太开心了", "positive"), ("气死了", "negative")])
    result = cli("eval", "sentiment", "--data", str(data))
    assert result.exit_code == 0
    assert "confusion matrix" in result.stdout and "precision" in result.stdout
    assert "baseline snownlp" in result.stdout


def test_eval_sentiment_without_snownlp_says_so(cli: Invoke, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snownlp", None)
    data = _write(tmp_path / "s.csv", [("太开心了", "positive")])
    result = cli("eval", "sentiment", "--data", str(data), "--json")
    assert result.exit_code == 1 and "snownlp" in result.stderr.replace("\n", "")


def test_eval_sentiment_missing_file_names_it(cli: Invoke, tmp_path: Path) -> None:
    result = cli("eval", "sentiment", "--data", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "nope.csv" in result.stderr


def test_eval_handling_class_on_our_labelled_set(cli: Invoke) -> None:
    data = FIXTURES / "handling" / "handling.csv"
    result = cli("eval", "handling-class", "--data", str(data), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["n"] >= 250 and doc["accuracy"] >= 0.8
    assert doc["accuracy"] > doc["baseline"]["accuracy"] + 0.3
    assert set(doc["per_class"]) == {"1", "2", "3", "4", "none"}


def test_eval_sentiment_baseline_sample_is_spread_and_compared_like_for_like(
        cli: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("snownlp")
    rows = [("今天好开心啊，谢谢大家", "positive")] * 3 + [
        ("气死我了，太恶心了，垃圾", "negative")
    ] * 3
    data = _write(tmp_path / "s.csv", rows)
    doc = json.loads(cli("eval", "sentiment", "--data", str(data), "--baseline-limit", "3",
                         "--json").stdout)
    assert doc["n"] == 6 and doc["baseline"]["n"] == 3
    assert doc["baseline"]["per_class"]["negative"]["support"] == 1
    assert doc["baseline"]["ours_on_same_rows"]["accuracy"] == 1.0


def test_analyze_human_output_is_labelled_lines(cli: Invoke) -> None:
    result = cli("analyze", "有人 代.写 论文吗？杭州市医院门口发生车祸，两人受伤")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("情感 sentiment：")
    assert "代写论文（livelihood，3–9）" in lines[1]
    assert "浙江省" in lines[2] and "杭州市" in lines[2]
    assert lines[4].startswith("处置建议 handling：") and "{" not in result.stdout


def test_snownlp_baseline_is_a_normal_dependency() -> None:
    import tomllib
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    assert "snownlp==0.12.3" in project["project"]["dependencies"]


def test_eval_sentiment_checks_the_file_before_the_baseline(
        cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snownlp", None)
    result = cli("eval", "sentiment", "--data", str(tmp_path / "nope.csv"), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{tmp_path / 'nope.csv'}:filenotfound" in "".join(result.stderr.split())


def test_eval_sentiment_without_usable_rows_exits_2_naming_the_file(
        cli: Invoke, tmp_path: Path) -> None:
    header_only = _write(tmp_path / "empty.csv", [])
    result = cli("eval", "sentiment", "--data", str(header_only), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{header_only}:nodatarows(onlyaheader)" in "".join(result.stderr.split())
    binary = _write(tmp_path / "binary.csv", [("好", "1"), ("差", "0"), ("一般", "0")])
    result = cli("eval", "sentiment", "--data", str(binary), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert (f"{binary}:norowhasalabelinnegative,neutral,positive;labelsfound:'0'(2),'1'(1)"
            in "".join(result.stderr.split()))


def test_eval_sentiment_reads_gb18030_and_says_empty_text(cli: Invoke, tmp_path: Path) -> None:
    data = tmp_path / "excel.csv"
    data.write_bytes("text,label\n气死我了，太恶心了，垃圾,negative\n,positive\n今天好开心啊，谢谢大家,positive\n"
                     .encode("gb18030"))
    result = cli("eval", "sentiment", "--data", str(data), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["n"] == 2 and doc["skipped_rows"] == 1
    assert f"{data}:3:badrow(emptytext)" in "".join(result.stderr.split())


def test_eval_sentiment_refuses_an_undecodable_line_and_keeps_the_rest(cli: Invoke,
                                                                      tmp_path: Path) -> None:
    data = tmp_path / "mixed.csv"
    data.write_bytes("text,label\n气死我了，太恶心了，垃圾,negative\n".encode()
                     + b"Caf\xe9 \xff\xfe bad,neutral\n"
                     + "今天好开心啊，谢谢大家,positive\n".encode())
    result = cli("eval", "sentiment", "--data", str(data), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["n"] == 2 and doc["skipped_rows"] == 1
    assert f"{data}:3:notvalidUTF-8orGB18030" in "".join(result.stderr.split())


def test_analyze_json_includes_the_incident(cli: Invoke) -> None:
    text = "青山县一中门口发生持刀伤人事件，两名学生受伤，嫌疑人已被控制。"
    result = cli("analyze", text, "--json")
    assert result.exit_code == 0, result.stderr
    incident = json.loads(result.stdout)["incident"]
    assert (incident["category"], incident["type"]) == ("社会安全事件", "持刀伤人")
    assert incident["casualties"] == {"deaths": 0, "injured": 2, "missing": 0}
    tip = json.loads(cli("analyze", "夏天如何预防食物中毒？", "--json").stdout)
    assert tip["incident"] is None


def test_eval_incidents_reports_the_held_out_half_and_the_lexicon_baseline(cli: Invoke) -> None:
    data = FIXTURES / "incidents" / "incidents.csv"
    result = cli("eval", "incidents", "--data", str(data), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["split"] == "test" and 280 <= doc["n"] <= 300
    assert doc["f1"] >= 0.92 and doc["category_accuracy"] >= 0.90
    assert doc["baseline"]["f1"] < doc["f1"] and doc["baseline"]["name"].startswith("cue lexicon")
    assert {"precision", "recall"} <= set(doc) and {"precision", "recall"} <= set(doc["baseline"])


def test_eval_incidents_refuses_a_bad_label(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label,category,split\n某地起火,1,火山,test\n", encoding="utf-8")
    result = cli("eval", "incidents", "--data", str(bad))
    assert result.exit_code == 2 and "bad.csv:2" in result.stderr and "火山" in result.stderr
