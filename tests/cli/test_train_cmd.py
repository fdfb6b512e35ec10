"""End-to-end tests of `yuqing train sentiment` on tiny data (written here) and a tiny lexicon."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from yuqing_cli import Invoke

from yuqing.pipeline.sentiment import SentimentModel

ROWS = [("太棒了，开心", "positive"), ("喜欢，谢谢", "positive"), ("气死了，讨厌", "negative"),
        ("难过，失望", "negative"), ("今天周二", "neutral"), ("会议在三楼", "neutral")] * 5


def _data(folder: Path) -> Path:
    folder.mkdir()
    for name in ("train.csv", "dev.csv"):
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([("text", "label"), *ROWS])
    lex = folder / "lex" / "hownet"
    lex.mkdir(parents=True)
    (lex / "positive_emotion_zh.txt").write_text("标题\n开心\n喜欢\n", encoding="utf-8")
    (lex / "negative_emotion_zh.txt").write_text("标题\n难过\n", encoding="utf-8")
    return folder


def test_train_writes_a_loadable_model_reproducibly(cli: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="training needs the train extra (torch)")
    data = _data(tmp_path / "d")
    args = ("train", "sentiment", "--data", str(data), "--lexicons", str(data / "lex"),
            "--unlabelled", str(data), "--json")
    first = cli(*args, "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.stderr
    meta = json.loads(first.stdout)
    assert meta["lexicon_pseudo_documents"] == 9 and meta["dev_macro_f1"] == 1.0
    assert cli(*args, "--out", str(tmp_path / "b")).exit_code == 0
    a, b = np.load(tmp_path / "a" / "sentiment3.npz"), np.load(tmp_path / "b" / "sentiment3.npz")
    assert np.array_equal(a["coef"], b["coef"])
    cnn_a, cnn_b = (np.load(tmp_path / d / "sentiment3_cnn.npz") for d in "ab")
    assert all(np.array_equal(cnn_a[k], cnn_b[k]) for k in cnn_a.files)
    assert meta["cnn"]["file"] == "sentiment3_cnn.npz"
    # the tiny train texts are all dev texts (left out): only the shipped domain posts pretrain
    assert meta["domain_data"] == "public_affairs_train.csv" and meta["n_domain"] >= 450
    assert meta["pretraining_posts"] == (meta["n_domain"] if meta["domain_weight"] else 0)
    model = SentimentModel.load(tmp_path / "a" / "sentiment3.npz")
    assert model.predict(["开心，谢谢"])[0] == ["positive"]


def test_train_shows_a_progress_bar_and_names_a_missing_folder(cli: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="training needs the train extra (torch)")
    data = _data(tmp_path / "d")
    shown = cli("train", "sentiment", "--data", str(data), "--lexicons", str(data / "lex"),
                "--unlabelled", str(data), "--out", str(tmp_path / "a"))
    assert shown.exit_code == 0 and "训练 training" in shown.stderr
    missing = cli("train", "sentiment", "--data", str(data), "--lexicons", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "nope" in missing.stderr


def test_train_without_torch_says_how_to_install_it(cli: Invoke, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = _data(tmp_path / "d")
    monkeypatch.setitem(sys.modules, "torch", None)
    result = cli("train", "sentiment", "--data", str(data), "--lexicons", str(data / "lex"),
                 "--unlabelled", str(data), "--out", str(tmp_path / "a"))
    assert result.exit_code == 2 and "torch: not installed" in result.stderr
    assert "pip install torch==2.13.0" in result.stderr
    assert not (tmp_path / "a" / "sentiment3.npz").exists()


def test_train_rejects_a_bad_domain_row_naming_file_and_line(cli: Invoke, tmp_path: Path) -> None:
    data = _data(tmp_path / "d")
    domain = tmp_path / "ours.csv"
    domain.write_text(
        "text,label\n食堂饭菜发霉，学生腹痛,negative\n停水通知,maybe\n", encoding="utf-8"
    )
    result = cli("train", "sentiment", "--data", str(data), "--lexicons", str(data / "lex"),
                 "--unlabelled", str(data), "--domain", str(domain), "--out", str(tmp_path / "a"))
    assert result.exit_code == 2
    assert f"{domain}:3: bad row (label 'maybe')" in " ".join(result.stderr.split())
    assert not (tmp_path / "a" / "sentiment3.npz").exists()


def test_train_adds_the_domain_posts_at_a_dev_chosen_weight(cli: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="training needs the train extra (torch)")
    from yuqing.pipeline.sentiment_train import DOMAIN_WEIGHTS

    data = _data(tmp_path / "d")
    domain = tmp_path / "ours.csv"
    with domain.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ("text", "label"),
                ("食堂饭菜发霉，学生腹痛，气死了", "negative"),
                ("明天上午停水，请提前储水", "neutral"),
                ("谢谢民警，太棒了", "positive"),
            ]
        )
    args = ("train", "sentiment", "--data", str(data), "--lexicons", str(data / "lex"),
            "--unlabelled", str(data), "--json", "--out", str(tmp_path / "a"))
    meta = json.loads(cli(*args, "--domain", str(domain)).stdout)
    assert meta["n_domain"] == 3 and meta["domain_data"] == "ours.csv"
    assert meta["domain_weight"] in DOMAIN_WEIGHTS
    assert str(meta["domain_weight"]) in meta["domain_dev_macro_f1_by_weight"]
    without = json.loads(cli(*args, "--no-domain").stdout)
    assert "n_domain" not in without and without["dev_macro_f1"] == 1.0
