"""Train the sentiment CNN of :mod:`yuqing.pipeline.sentiment_cnn` with torch (train time only).

torch is the optional ``train`` extra (``pip install 'yuqing[train]'``); the
shipped model is exported to an ``.npz`` that the numpy forward pass reads.
Reproducible: fixed seeds, one thread, ``torch.use_deterministic_algorithms``,
batches drawn from a seeded numpy generator. Hyper-parameters were chosen on
sentiment3/dev (README, "How good is the analysis?"): embeddings 64 + 64
(pretrained, trainable), widths 1-3 with ``N_FILTERS`` filters each,
dropout 0.5 (0.2 on the embeddings), Adam lr 2e-3, batches of 64,
class-balanced cross-entropy, ``EPOCHS`` epochs keeping the one best on dev.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from yuqing.domain import BadInput
from yuqing.pipeline.sentiment_cnn import PAD, UNK, WIDTHS, SentimentCNN, cnn_tokens, encode_post

N_FILTERS = 64
EPOCHS = 3
BATCH = 64
LEARNING_RATE = 2e-3
DROPOUT = 0.5
EMBEDDING_DROPOUT = 0.2
MIN_CHAR_COUNT = 2
SEED = 0
Progress = Callable[[str, float], None]


def require_torch() -> Any:
    """Return the torch module; raises BadInput saying how to install it when it is missing."""
    try:
        import torch
    except ImportError as exc:
        raise BadInput(
            "torch: not installed; training the sentiment CNN needs the train extra "
            "(pip install torch==2.13.0; the CPU build is enough)") from exc
    return torch


def build_network(torch: Any, n_chars: int, n_words: int, dim: int, n_classes: int) -> Any:
    """Return the torch TextCNN: ``net(chars, words, lengths) -> logits`` with ``chars`` and
    ``words`` (batch, positions) ids (0-padded), ``lengths`` (batch,) -> (batch, n_classes)."""
    nn, func = torch.nn, torch.nn.functional

    class TextCNN(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.char_emb = nn.Embedding(n_chars, dim, padding_idx=PAD)
            self.word_emb = nn.Embedding(n_words, dim, padding_idx=PAD)
            self.convs = nn.ModuleList(nn.Conv1d(2 * dim, N_FILTERS, w) for w in WIDTHS)
            self.out = nn.Linear(N_FILTERS * len(WIDTHS), n_classes)

        def forward(self, chars: Any, words: Any, lengths: Any) -> Any:
            e = torch.cat([self.char_emb(chars), self.word_emb(words)], dim=2)
            e = func.dropout(e, EMBEDDING_DROPOUT, self.training).transpose(1, 2)
            pooled = []
            for w, conv in zip(WIDTHS, self.convs, strict=True):
                h = conv(e)
                valid = torch.clamp(lengths - w + 1, min=1)
                mask = torch.arange(h.shape[2])[None, :] >= valid[:, None]
                pooled.append(func.relu(h.masked_fill(mask[:, None, :], -1e4).max(dim=2).values))
            return self.out(func.dropout(torch.cat(pooled, dim=1), DROPOUT, self.training))

    return TextCNN()


def make_batch(torch: Any, data: Sequence[tuple[list[int], list[int]]],
               idx: Sequence[int]) -> tuple[Any, Any, Any]:
    """Return ``(chars, words, lengths)`` tensors of the posts ``idx`` of ``data`` (id lists)."""
    lengths = [len(data[i][0]) for i in idx]
    width = max(max(lengths), max(WIDTHS))
    chars = torch.zeros((len(idx), width), dtype=torch.long)
    words = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        c, w = data[i]
        chars[row, : len(c)] = torch.tensor(c)
        words[row, : len(w)] = torch.tensor(w)
    return chars, words, torch.tensor(lengths)


def export_arrays(net: Any, char_vocab: list[str], word_vocab: list[str]) -> dict[str, np.ndarray]:
    """Return the arrays of :class:`SentimentCNN` (float32 weights, str vocabularies) of ``net``."""
    state = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    arrays = {
        "char_emb": state["char_emb.weight"],
        "word_emb": state["word_emb.weight"],
        "out_weight": state["out.weight"],
        "out_bias": state["out.bias"],
        "char_vocab": np.array(char_vocab, dtype=str),
        "word_vocab": np.array(word_vocab, dtype=str),
    }
    for i, w in enumerate(WIDTHS):
        arrays[f"conv{w}_weight"] = state[f"convs.{i}.weight"]
        arrays[f"conv{w}_bias"] = state[f"convs.{i}.bias"]
    return arrays


def train_cnn(
    texts: Sequence[str], labels: Sequence[str], weights: Sequence[float],
    dev_texts: Sequence[str], dev_labels: Sequence[str], classes: Sequence[str],
    char_vectors: dict[str, np.ndarray], word_vectors: dict[str, np.ndarray],
    report: Progress, start: float, span: float,
) -> tuple[dict[str, np.ndarray], float]:
    """Train the CNN; return ``(arrays for SentimentCNN, dev macro-F1 of the epoch kept)``.

    ``texts`` are normalised posts (weight 1, hand-written domain posts of
    weight >= 1, pseudo-documents with smaller ``weights``); class weights are
    balanced on the texts of weight >= 1. The character vocabulary is the
    tokens seen ``MIN_CHAR_COUNT`` times in those texts; the word vocabulary is
    that of ``word_vectors``. Embedding rows start from ``char_vectors`` /
    ``word_vectors`` where given. Progress is reported from ``start`` over
    ``span``. Raises BadInput when torch is missing.
    """
    torch = require_torch()
    from sklearn.metrics import f1_score  # type: ignore[import-untyped]

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    counts = Counter(c for t, w in zip(texts, weights, strict=True) if w >= 1.0
                     for c in cnn_tokens(t)[0])
    char_vocab = sorted(t for t, n in counts.items() if n >= MIN_CHAR_COUNT and t)
    word_vocab = sorted(word_vectors)
    char_index = {t: i + 2 for i, t in enumerate(char_vocab)}
    word_index = {t: i + 2 for i, t in enumerate(word_vocab)}
    data = [encode_post(t, char_index, word_index) for t in texts]
    dim = len(next(iter(word_vectors.values()))) if word_vectors else 64
    net = build_network(torch, len(char_vocab) + 2, len(word_vocab) + 2, dim, len(classes))
    with torch.no_grad():
        for emb, vocab, vectors in ((net.char_emb, char_vocab, char_vectors),
                                    (net.word_emb, word_vocab, word_vectors)):
            emb.weight[UNK] = 0.0
            for i, t in enumerate(vocab, 2):
                if t in vectors:
                    emb.weight[i] = torch.from_numpy(vectors[t])
    y = torch.tensor([list(classes).index(label) for label in labels])
    w = torch.tensor(list(weights), dtype=torch.float32)
    main = y[w >= 1.0]
    freq = torch.bincount(main, minlength=len(classes)).clamp(min=1).float()
    class_weight = len(main) / (len(classes) * freq)
    opt = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    rng = np.random.default_rng(SEED)
    gold = [list(classes).index(label) for label in dev_labels]
    best: tuple[float, dict[str, np.ndarray]] = (-1.0, {})
    steps = EPOCHS * ((len(data) + BATCH - 1) // BATCH)
    done = 0
    for epoch in range(EPOCHS):
        net.train()
        perm = rng.permutation(len(data))
        # length-sorted within chunks of 50 batches (less padding), batch order shuffled
        chunks = [perm[i : i + 50 * BATCH] for i in range(0, len(perm), 50 * BATCH)]
        order = np.concatenate(
            [c[np.argsort([len(data[j][0]) for j in c], kind="stable")] for c in chunks]
        )
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        for idx in batches:
            chars, words, lengths = make_batch(torch, data, idx.tolist())
            loss = torch.nn.functional.cross_entropy(net(chars, words, lengths), y[idx],
                                                     weight=class_weight, reduction="none")
            loss = (loss * w[idx]).sum() / w[idx].sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += 1
            if done % 50 == 0:
                report(f"CNN epoch {epoch + 1}/{EPOCHS}", start + span * done / steps)
        arrays = export_arrays(net, char_vocab, word_vocab)
        predicted = SentimentCNN(arrays).logits(dev_texts).argmax(axis=1)
        f1 = float(f1_score(gold, predicted, average="macro", labels=list(range(len(classes)))))
        if f1 > best[0]:
            best = (f1, arrays)
    return best[1], best[0]
