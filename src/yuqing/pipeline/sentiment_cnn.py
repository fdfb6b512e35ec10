"""Inference of the sentiment CNN in pure numpy (the runtime never imports torch).

The network (trained by :mod:`yuqing.pipeline.sentiment_cnn_train`): each
character of a post's own words (emoticon codes taken out, see
:func:`cnn_tokens`) is a 64-d character embedding concatenated with the 64-d
embedding of the rjieba word it belongs to; one 1-d convolution per width in
``WIDTHS`` (``n_filters`` each), max-pooled over the valid positions, ReLU,
then a linear layer to the class logits (a TextCNN after Kim 2014,
"Convolutional Neural Networks for Sentence Classification"). Embeddings were
pretrained on unlabelled posts (:mod:`yuqing.pipeline.sentiment_embed`).

Speed: a convolution over embeddings is linear in the embeddings, so the
filter responses of each (width, offset) are computed once per character (at
load) and once per distinct word of a chunk (``emb[unique] @ W``), then
gathered and summed along the post; no per-position matrix product is done.
Batches are processed in length-sorted chunks of ``CHUNK`` posts (little
padding).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from yuqing.pipeline.sentiment_text import cut_words, split_emoticons, without_emoticons

WIDTHS = (1, 2, 3)
MAX_CHARS = 200
CHUNK = 64
PAD, UNK = 0, 1


def cnn_tokens(text: str) -> tuple[list[str], Sequence[str]]:
    """Return ``(tokens, words)``: the CNN's input positions and the words they come from.

    ``tokens``: the characters of the own words of ``text`` (emoticon codes
    removed unless the post is emoticons only, mentions dropped, lower-cased;
    at most ``MAX_CHARS``), then the emoticon codes left (one token each);
    ``[""]`` when nothing is left. ``words``: the rjieba words of those
    characters, in order (their lengths add up to the number of characters).
    """
    chars, emoticons = split_emoticons(without_emoticons(text))
    chars = chars[:MAX_CHARS]
    tokens = [*chars, *emoticons]
    return (tokens or [""]), cut_words(chars)


def encode_post(text: str, char_index: dict[str, int],
                word_index: dict[str, int]) -> tuple[list[int], list[int]]:
    """Return ``(char_ids, word_ids)`` of ``text``, one of each per position of
    :func:`cnn_tokens`: a character's id and the id of the word it belongs to
    (``UNK`` for tokens or words not in the index, and for emoticon codes)."""
    tokens, words = cnn_tokens(text)
    word_ids: list[int] = []
    for w in words:
        word_ids += [word_index.get(w, UNK)] * len(w)
    word_ids += [UNK] * (len(tokens) - len(word_ids))
    return [char_index.get(t, UNK) for t in tokens], word_ids


class SentimentCNN:
    """Numpy forward pass of the CNN: ``logits(texts) -> (n, n_classes)``.

    Arrays (float32): ``char_emb`` (n_chars, 64), ``word_emb`` (n_words, 64),
    row 0 of each = padding (zeros), row 1 = unknown; ``conv{w}_weight``
    (n_filters, 128, w) and ``conv{w}_bias`` (n_filters,) per width ``w`` in
    ``WIDTHS`` (torch Conv1d layout, input channels = char then word
    embedding); ``out_weight`` (n_classes, n_filters * len(WIDTHS)),
    ``out_bias`` (n_classes,). ``char_vocab`` / ``word_vocab``: the token of
    each embedding row from row 2 on.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.char_emb = arrays["char_emb"].astype(np.float32)
        self.word_emb = arrays["word_emb"].astype(np.float32)
        dim = self.char_emb.shape[1]
        self.char_index = {t: i + 2 for i, t in enumerate(arrays["char_vocab"].tolist())}
        self.word_index = {t: i + 2 for i, t in enumerate(arrays["word_vocab"].tolist())}
        # per (width w, offset k), in that order: the (dim, n_filters) filter slice for the
        # character part and for the word part of the input
        char_cols, word_cols = [], []
        for w in WIDTHS:
            weight = arrays[f"conv{w}_weight"].astype(np.float32)  # (F, 2*dim, w)
            for k in range(w):
                char_cols.append(weight[:, :dim, k].T)
                word_cols.append(weight[:, dim:, k].T)
        self.n_offsets = len(char_cols)
        # responses of every character to every (width, offset): (n_offsets, n_chars, F)
        self.char_table = np.ascontiguousarray(
            np.stack([self.char_emb @ c for c in char_cols]), dtype=np.float32)
        self.word_w = np.ascontiguousarray(np.concatenate(word_cols, axis=1))
        self.n_filters = arrays["conv1_bias"].shape[0]
        self.conv_bias = [arrays[f"conv{w}_bias"].astype(np.float32) for w in WIDTHS]
        self.out_weight_t = np.ascontiguousarray(arrays["out_weight"].T.astype(np.float32))
        self.out_bias = arrays["out_bias"].astype(np.float32)

    def with_temperature(self, t: float) -> SentimentCNN:
        """Return a copy whose logits are multiplied by ``t`` (output layer scaled)."""
        arrays = {**self.arrays, "out_weight": self.arrays["out_weight"] * np.float32(t),
                  "out_bias": self.arrays["out_bias"] * np.float32(t)}
        return SentimentCNN(arrays)

    def save(self, path: Path) -> None:
        """Write the arrays to ``path`` (``np.savez_compressed``, no pickle)."""
        np.savez_compressed(path, allow_pickle=False, **self.arrays)

    @classmethod
    def load(cls, path: Path) -> SentimentCNN:
        """Load the ``.npz`` at ``path`` (no pickle). Raises FileNotFoundError when absent."""
        with np.load(path, allow_pickle=False) as arrays:
            return cls({k: arrays[k] for k in arrays.files})

    def encode(self, texts: Sequence[str]) -> list[tuple[list[int], list[int]]]:
        """Return per text ``(char_ids, word_ids)`` (see :func:`cnn_tokens`)."""
        return [encode_post(t, self.char_index, self.word_index) for t in texts]

    def _chunk_logits(self, encoded: Sequence[tuple[list[int], list[int]]]) -> np.ndarray:
        lengths = np.array([len(c) for c, _ in encoded])
        width = max(int(lengths.max()), max(WIDTHS))
        chars = np.zeros((len(encoded), width), dtype=np.intp)
        words = np.zeros_like(chars)
        for row, (char_ids, word_ids) in enumerate(encoded):
            chars[row, : len(char_ids)] = char_ids
            words[row, : len(word_ids)] = word_ids
        # word responses for the distinct words of the chunk only: (n_offsets, n_distinct, F)
        distinct, inverse = np.unique(words, return_inverse=True)
        inverse = inverse.reshape(words.shape)
        n_filters = self.char_table.shape[2]
        word_table = (self.word_emb[distinct] @ self.word_w).reshape(
            len(distinct), self.n_offsets, n_filters).transpose(1, 0, 2).copy()
        pooled = []
        j = 0
        for w, bias in zip(WIDTHS, self.conv_bias, strict=True):
            n_pos = width - w + 1
            conv = np.take(self.char_table[j], chars[:, :n_pos], axis=0)
            conv += np.take(word_table[j], inverse[:, :n_pos], axis=0)
            for k in range(1, w):
                conv += np.take(self.char_table[j + k], chars[:, k : k + n_pos], axis=0)
                conv += np.take(word_table[j + k], inverse[:, k : k + n_pos], axis=0)
            j += w
            conv[np.arange(n_pos)[None, :] >= np.maximum(lengths - w + 1, 1)[:, None]] = -np.inf
            pooled.append(np.maximum(conv.max(axis=1) + bias, 0.0))
        return np.concatenate(pooled, axis=1) @ self.out_weight_t + self.out_bias

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Return class logits, shape (len(texts), n_classes), float32."""
        encoded = self.encode(texts)
        out = np.zeros((len(texts), self.out_bias.shape[0]), dtype=np.float32)
        order = np.argsort([len(c) for c, _ in encoded], kind="stable")
        for start in range(0, len(order), CHUNK):
            idx = order[start : start + CHUNK]
            out[idx] = self._chunk_logits([encoded[i] for i in idx])
        return out
