"""Tests of the sentiment CNN: numpy forward pass (against torch when installed), its
tokens, the embedding pretraining and the trainer's missing-torch error."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from yuqing.domain import BadInput
from yuqing.pipeline.sentiment import SentimentModel
from yuqing.pipeline.sentiment_cnn import UNK, SentimentCNN, cnn_tokens, encode_post
from yuqing.pipeline.sentiment_embed import ppmi_embeddings
from yuqing.pipeline.sentiment_train import unique_posts


def test_cnn_tokens_and_ids_align_chars_and_words_and_keep_emoticons_out() -> None:
    tokens, words = cnn_tokens("今天很开心[哈哈]//@用户a1b2c3:气死了")
    assert "".join(tokens) == "今天很开心" and list(words) == ["今天", "很", "开心"]
    assert cnn_tokens("[怒][怒]") == (["[怒]", "[怒]"], ())
    assert cnn_tokens("") == ([""], ())
    chars, words = {"今": 2, "天": 3, "[怒]": 4}, {"今天": 2}
    assert encode_post("今天很", chars, words) == ([2, 3, UNK], [2, 2, UNK])
    assert encode_post("[怒]", chars, words) == ([4], [UNK])
    assert encode_post("", chars, words) == ([UNK], [UNK])


def test_numpy_forward_pass_equals_torch() -> None:
    torch = pytest.importorskip("torch")
    from yuqing.pipeline.sentiment_cnn_train import build_network, export_arrays, make_batch

    torch.manual_seed(1)
    char_vocab, word_vocab = ["不", "好", "开", "心", "[怒]"], ["不好", "开心"]
    net = build_network(torch, len(char_vocab) + 2, len(word_vocab) + 2, 8, 3).eval()
    with torch.no_grad():  # padding rows stay zero as in training; unknown rows are real rows
        net.char_emb.weight[1] = 0.3
    cnn = SentimentCNN(export_arrays(net, char_vocab, word_vocab))
    texts = ["不好", "开心开心不好开心", "好", "[怒]", "", "未知的字开心", "不" * 40]
    encoded = cnn.encode(texts)
    with torch.no_grad():
        expected = net(*make_batch(torch, encoded, list(range(len(texts))))).numpy()
    got = cnn.logits(texts)
    assert got.shape == (len(texts), 3)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_shipped_model_averages_the_cnn_in() -> None:
    model = SentimentModel.load()
    assert model.cnn is not None and 0 < model.cnn_weight < 1
    texts = ["气死我了，太恶心了", "今天好开心啊，谢谢大家"]
    linear = model.linear_proba(texts)
    assert not np.allclose(model.predict_proba(texts), linear)
    assert model.predict(texts)[0] == ["negative", "positive"]


def test_ppmi_embeddings_are_deterministic_and_put_alike_tokens_together() -> None:
    seqs = [list("我很开心"), list("我很高兴"), list("他很开心"), list("他很高兴"),
            list("天气下雨"), list("天气下雪")] * 10
    a, b = ppmi_embeddings(seqs, dim=4, min_count=5), ppmi_embeddings(seqs, dim=4, min_count=5)
    assert set(a) == set("我很开心高兴他天气下雨雪")
    assert all(np.array_equal(a[t], b[t]) for t in a) and a["开"].shape == (4,)
    assert float(a["开"] @ a["高"]) > float(a["开"] @ a["雨"])
    assert ppmi_embeddings([["a", "b"]], min_count=1) == {}


def test_unique_posts_leave_out_held_out_texts_and_duplicates() -> None:
    posts = unique_posts(
        ["好开心[哈哈]", "好开心[哈哈]", "測試文本", "留出", "", "转//@用户a1b2c3:x"],
        held_out={"留出"},
    )
    assert posts == ["好开心", "测试文本", "转"]


def test_training_without_torch_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from yuqing.pipeline.sentiment_cnn_train import require_torch

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(BadInput, match=r"train extra \(pip install torch==2\.13\.0"):
        require_torch()


def test_inference_never_imports_torch() -> None:
    code = ("import sys; from yuqing.pipeline.sentiment import SentimentModel; "
            "SentimentModel.load().predict(['今天好开心']); print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
