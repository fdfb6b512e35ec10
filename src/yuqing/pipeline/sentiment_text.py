"""A post's text as both sentiment models see it: its own words, emoticon codes, rjieba words.

Shared by the linear model (:mod:`yuqing.pipeline.sentiment`), the CNN
(:mod:`yuqing.pipeline.sentiment_cnn`), their trainers and the handling stage.
A repost is judged by its own words: the text before the first ``//@`` (the
whole text when nothing precedes it). ``@name`` mentions are dropped.
"""

from __future__ import annotations

import functools
import re

import rjieba
from rjieba import Jieba

_EMOTICON = re.compile(r"\[[^\[\]\s]{1,10}\]")
_MENTION = re.compile(r"@[\w\-·・]{1,30}")
_SPACES = re.compile(r"\s+")


def own_words(text: str) -> str:
    """Return the part of a repost written by its author: text before the first ``//@``.

    Returns ``text`` unchanged when it has no ``//@`` or nothing before it.
    """
    cut = text.find("//@")
    if cut > 0 and text[:cut].strip():
        return text[:cut]
    return text


def segmenter() -> Jieba:
    """The rjieba instance of the default dictionary only (user words from a config must
    not change the features a trained model sees): rjieba's own, which importing rjieba
    builds (``_DEFAULT_JIEBA``, in its type stub). No word is ever added to it (the segment
    stage adds its user words to an instance of its own), and a second instance would
    hold a second copy of the dictionary: 24 MB in every process."""
    return rjieba._DEFAULT_JIEBA


@functools.lru_cache(maxsize=4096)
def cut_words(chars: str) -> tuple[str, ...]:
    """Return the rjieba words of ``chars`` (default dictionary, no HMM).

    Cached for the last 4,096 texts: the linear features and the CNN of one
    batch of up to 4,096 posts segment the same texts, so each is cut once.
    """
    return tuple(segmenter().cut(chars, False))


def split_emoticons(text: str) -> tuple[str, list[str]]:
    """Return ``(words, emoticons)``: the own words of ``text`` without mentions and emoticon
    codes (whitespace collapsed, lower-cased), and the emoticon codes in order."""
    text = own_words(text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    emoticons: list[str] = []
    if "[" in text:
        emoticons = _EMOTICON.findall(text)
        text = _EMOTICON.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower(), emoticons


def without_emoticons(text: str) -> str:
    """Return ``text`` with its emoticon codes removed (exactly what a writer who left them
    out would have typed), unless nothing else is left (then ``text`` itself: a post of
    emoticons only is judged by them)."""
    if "[" not in text:
        return text
    stripped = _EMOTICON.sub("", text)
    return stripped if _EMOTICON.sub("", own_words(text)).strip() else text
