"""Tests of yuqing.pipeline.sentiment and sentiment_train (the shipped model and its trainer).

Real-data tests read sentiment3 from the shared data folder next to the repo
checkout (research data, never copied here) and skip when it is absent.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from yuqing.domain import BadInput, Item
from yuqing.pipeline.base import StageUnavailable
from yuqing.pipeline.sentiment import (
    SentimentModel,
    SentimentStage,
    analyze,
    contrast_clause,
    default_model_path,
    negation_scope,
    turns_negative,
)
from yuqing.pipeline.sentiment_text import without_emoticons
from yuqing.pipeline.sentiment_train import macro_f1, read_labelled_csv, train_sentiment

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "sentiment3"
NOW = datetime(2024, 3, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


def make_item(text: str) -> Item:
    return Item(key=f"t:{text}", source="t", text=text, match_text=text,
                offsets=list(range(len(text))), published_at=NOW, fetched_at=NOW)


def test_analyze_keeps_emoticons_whole_and_drops_mentions() -> None:
    feats = analyze("哈[允悲]@用户a1b2c3 好//@用户d4e5f6:别的")
    assert "E[允悲]" in feats
    assert "允" not in feats and "悲" not in feats and "用" not in feats and "别" not in feats
    assert {"哈", "好", "哈 ", "哈 好", "W哈", "W好", "BW哈|W好"} <= set(feats)


def test_negation_scope_marks_negated_words_and_cancels_double_negation() -> None:
    assert negation_scope(["我", "今天", "不", "难过"]) == [False, False, False, True]
    assert negation_scope(["不", "难过", "，", "开心"]) == [False, True, False, False]
    assert negation_scope(["产品", "不是", "不好"]) == [False, False, True]
    assert negation_scope(["不错"]) == [False]
    feats = analyze("我今天不难过")
    assert {"W~难过", "~难过", "~难"} <= set(feats) and "W难过" not in feats
    assert "W~不好" in analyze("这个产品不是不好")


def test_contrast_clause_words_are_repeated() -> None:
    feats = analyze("环境不错，但是太贵了")
    assert "AW太贵" in feats and "AW环境" not in feats


def test_shipped_model_is_compact_and_documented(model: SentimentModel) -> None:
    npz = default_model_path()
    assert npz.stat().st_size < 15 * 2**20
    meta = json.loads(npz.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["classes"] == ["negative", "neutral", "positive"]
    assert meta["train_data"] == "train.csv" and meta["test_macro_f1"] >= 0.80
    assert "lexicon" in meta["lexicon_note"] and meta["temperature"] > 0
    assert model.coef_t.dtype == np.float32


def test_missing_model_is_stage_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StageUnavailable, match="absent.npz"):
        SentimentModel.load(tmp_path / "absent.npz")


def test_predict_clear_cases_and_probabilities(model: SentimentModel) -> None:
    labels, p_neg = model.predict(["气死我了，太恶心了，垃圾", "今天好开心啊，谢谢大家[哈哈]"])
    assert labels == ["negative", "positive"]
    assert p_neg[0] > 0.7 > p_neg[1]
    proba = model.predict_proba(["随便一句话"])
    assert proba.shape == (1, 3) and abs(float(proba.sum()) - 1.0) < 1e-5
    assert model.predict([]) == ([], pytest.approx(np.zeros(0)))


def test_repost_is_judged_by_its_own_words(model: SentimentModel) -> None:
    _, p = model.predict(["太开心了，谢谢！//@用户a1b2c3:气死了，垃圾，恶心", "气死了，垃圾，恶心"])
    assert p[0] < 0.5 < p[1]


def test_stage_sets_label_and_score(model: SentimentModel) -> None:
    items = [make_item("气死我了，太恶心了"), make_item("x")]
    items[1].rejected = "empty_text"
    SentimentStage(model).process(items)
    assert items[0].sentiment == "negative" and items[0].sentiment_score is not None
    assert items[0].sentiment_score > 0.5
    assert items[1].sentiment is None


def test_read_labelled_csv_skips_bad_rows_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("text,label\n好,positive\n坏,angry\n,neutral\n", encoding="utf-8")
    texts, labels, problems = read_labelled_csv(path)
    assert texts == ["好"] and labels == ["positive"]
    assert problems[0].startswith(f"{path}:3:") and len(problems) == 2
    (tmp_path / "h.csv").write_text("content,label\n", encoding="utf-8")
    with pytest.raises(BadInput, match="h.csv:1"):
        read_labelled_csv(tmp_path / "h.csv")


def _tiny_csv(path: Path) -> Path:
    rows = [("太棒了，开心", "positive"), ("喜欢，谢谢", "positive"), ("气死了，讨厌", "negative"),
            ("难过，失望", "negative"), ("今天周二", "neutral"), ("会议在三楼", "neutral")] * 5
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("text", "label"), *rows])
    return path


def test_training_is_reproducible(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="training needs the train extra (torch)")
    data = _tiny_csv(tmp_path / "tiny.csv")
    steps: list[float] = []
    meta = train_sentiment(data, data, tmp_path / "a", progress=lambda _m, f: steps.append(f))
    train_sentiment(data, data, tmp_path / "b")
    assert steps[0] == 0.0 and steps[-1] == 1.0 and meta["dev_macro_f1"] == 1.0
    a, b = np.load(tmp_path / "a" / "sentiment3.npz"), np.load(tmp_path / "b" / "sentiment3.npz")
    assert np.array_equal(a["coef"], b["coef"]) and np.array_equal(a["idf"], b["idf"])
    assert ((tmp_path / "a" / "sentiment3_cnn.npz").read_bytes()
            == (tmp_path / "b" / "sentiment3_cnn.npz").read_bytes())
    reloaded = SentimentModel.load(tmp_path / "a" / "sentiment3.npz")
    assert reloaded.predict(["开心，谢谢"])[0] == ["positive"]


def test_macro_f1_on_sentiment3_test_reaches_target(model: SentimentModel) -> None:
    test_csv = DATA / "test.csv"
    if not test_csv.exists():
        pytest.skip(f"{test_csv} absent (research data lives next to the repo)")
    texts, labels, _ = read_labelled_csv(test_csv)
    assert macro_f1(model, texts, labels) >= 0.80


def test_emoticons_never_flip_a_post_with_words(model: SentimentModel) -> None:
    texts = ["今天去银行办业务", "气死我了，太恶心了", "今天好开心啊", "这个产品不是不好"]
    base, p_base = model.predict(texts)
    for code in ("[doge]", "[允悲]", "[怒]", "[心]", "[哈哈][泪]"):
        labels, p = model.predict([t + code for t in texts])
        assert labels == base and np.allclose(p, p_base)
    assert without_emoticons("[怒][怒]") == "[怒][怒]"
    assert without_emoticons("好[怒]了") == "好了"


def test_a_post_of_emoticons_only_is_judged_by_them(model: SentimentModel) -> None:
    labels, p = model.predict(["[怒][怒][怒]", "[心][心][哈哈]"])
    assert p[0] > p[1]
    assert labels[0] == "negative" and labels[1] != "negative"


def test_contrast_clause_skips_punctuation_after_the_marker() -> None:
    assert contrast_clause("拍照也不错。但是！！！信号是真差") == "信号是真差"
    assert contrast_clause("不过，") is None
    assert contrast_clause("信号是真差") is None


@pytest.mark.parametrize("text", [
    "屏幕很大，续航很好，拍照也不错。但是！！！信号是真差",
    "外观漂亮，手感一流，系统流畅，拍照也不错！！可是电池真的太差了！！！",
    "服务员很热情，环境也干净。不过！！菜太难吃了",
])
def test_a_negative_turn_decides_a_long_review(model: SentimentModel, text: str) -> None:
    assert turns_negative(text)
    assert model.predict([text])[0] == ["negative"]


def test_a_turn_without_a_negative_verdict_keeps_the_model_label(model: SentimentModel) -> None:
    assert not turns_negative("价格有点贵，但是质量不差")
    assert not turns_negative("路上有点堵，不过差不多准时到了")
    text = "本来以为办事会很麻烦，但是工作人员特别耐心，半小时就办好了。"
    assert not turns_negative(text)


def test_hashed_counts_are_scikit_learns_hashing_vectorizer() -> None:
    """The worker hashes features without scikit-learn; the columns and counts must be the
    ones the shipped model was trained with (HashingVectorizer)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from yuqing.pipeline.sentiment import analyze, hashed_counts

    texts = ["市第一中学食堂发生食物中毒，家长十分愤怒！", "不是不好，但是太贵了 :)", "",
             "今天天气不错，出去走走。哈哈哈", "服务态度差，没有人管 [怒]"]
    for n_features in (2**20, 7):
        want = HashingVectorizer(analyzer=analyze, n_features=n_features,
                                 alternate_sign=False, norm=None).transform(texts)
        got = hashed_counts(texts, n_features)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert (got != want).nnz == 0 and got.nnz == want.nnz > 20
        assert (got.indices == want.indices).all() and (got.indptr == want.indptr).all()
