"""Word segmentation with rjieba (a Rust port of jieba) and user dictionaries.

rjieba 0.2.2 has no ``load_userdict``; its ``Jieba`` instance offers
``add_word(word, freq, tag)``, so user dictionary files (jieba format: one
``word [freq] [tag]`` per line) are parsed here and fed word by word. Choice of
rjieba: MEASURED.md, 17x the speed of jieba with the same tokens on 98% of
lines.

Nothing is built at import time: each worker process builds its own
:class:`Segmenter` from the config (docs/FIELD_CASES.md F8), and the constructor
self-tests that every user word comes out as one token.

jieba cuts only inside runs of CJK, letters, digits and ``+#&._%-``, so a user
word with another character (``[允悲]``, ``【置顶】``: Weibo emoticons and tags) can
never be one of its tokens. Such words are found first, longest first, and kept
as one token each; jieba cuts the text between them (docs/FIELD_CASES.md F20.4).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from rjieba import Jieba

from yuqing.config import Config, SegmentConfig
from yuqing.domain import BadInput, Item
from yuqing.pipeline.base import BaseStage, StageUnavailable, live
from yuqing.pipeline.sentiment_text import segmenter

#: how many user words the start-up self-test probes (spread over the list)
SELF_TEST_WORDS = 20
_PROBE_LEFT = "据说"
_PROBE_RIGHT = "了吗"
#: the characters jieba keeps inside one token besides letters, digits and CJK
_JIEBA_WORD_SYMBOLS = frozenset("+#&._%-")


def is_word_token(token: str) -> bool:
    """True when ``token`` has at least one letter, digit, CJK or symbol-like character
    that is not whitespace or punctuation (Unicode categories Z*, P*, C*)."""
    return any(unicodedata.category(ch)[0] not in "ZPC" for ch in token)


def read_user_dict(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Return ``(word, freq, tag)`` entries of a jieba-format user dictionary.

    Lines are ``word [freq] [tag]`` separated by whitespace; blank lines and
    lines starting with ``#`` are skipped. Raises StageUnavailable naming the
    path when the file is missing, BadInput naming ``file:line`` for a
    non-integer frequency.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise StageUnavailable(f"segment: user dictionary {path} not found") from exc
    entries: list[tuple[str, int | None, str | None]] = []
    for no, line in enumerate(lines, 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq: int | None = None
        if len(parts) > 1:
            try:
                freq = int(parts[1])
            except ValueError as exc:
                raise BadInput(f"{path}:{no}: frequency {parts[1]!r} is not an integer") from exc
        entries.append((parts[0], freq, parts[2] if len(parts) > 2 else None))
    return entries


class Segmenter(BaseStage):
    """Stage ``segment``: fills ``item.tokens`` from ``item.match_text``.

    ``user_dicts`` are jieba-format files, ``user_words`` single words; both
    are added once, at construction. Raises StageUnavailable when a file is
    missing and BadInput naming the file or ``[segment] user_words`` ("fails
    loudly", F8: a config problem) when the self-test finds a user word that is
    not segmented as one token.
    """

    name = "segment"

    def __init__(self, user_dicts: Iterable[Path] = (), user_words: Iterable[str] = ()) -> None:
        added: list[tuple[str, int | None, str | None]] = []
        self._origin: dict[str, str] = {}
        for path in user_dicts:
            for word, freq, tag in read_user_dict(Path(path)):
                added.append((word, freq, tag))
                self._origin.setdefault(word, str(path))
        for word in user_words:
            word = word.strip()
            if word:
                added.append((word, None, None))
                self._origin.setdefault(word, "[segment] user_words")
        # without user words, the default dictionary's instance every process has already
        # (sentiment_text.segmenter): another one would be a second copy of it (24 MB)
        self._jieba = Jieba() if added else segmenter()
        for word, freq, tag in added:
            self._jieba.add_word(word, freq, tag)
        self.user_words = list(self._origin)
        whole = sorted((w for w in self.user_words if not _jieba_can_keep(w)), key=len,
                       reverse=True)
        self._whole = re.compile("|".join(map(re.escape, whole))) if whole else None
        self.self_test()

    @classmethod
    def from_config(cls, config: Config) -> Segmenter:
        """Build a segmenter from ``config.segment``, paths relative to the config file."""
        seg: SegmentConfig = config.segment
        return cls([config.resolve_path(p) for p in seg.user_dicts], seg.user_words)

    def self_test(self) -> None:
        """Check that sampled user words are single tokens inside a probe sentence.

        Raises BadInput naming each split word and where it was given (the
        dictionary file or ``[segment] user_words``). Words containing
        whitespace cannot be one token and are skipped.
        """
        words = [w for w in self.user_words if not any(ch.isspace() for ch in w)]
        step = max(1, len(words) // SELF_TEST_WORDS)
        failed = [w for w in words[::step] if w not in self.cut(_PROBE_LEFT + w + _PROBE_RIGHT)]
        if failed:
            named = ", ".join(f"{w!r} ({self._origin[w]})" for w in failed)
            raise BadInput(f"segment self-test: user words not kept as one token: {named}; "
                           "give them a frequency jieba prefers, or remove them")

    def cut(self, text: str) -> list[str]:
        """Return the tokens of ``text`` without whitespace/punctuation-only tokens; user
        words jieba cannot keep whole (see the module doc) are one token each."""
        if self._whole is None:
            return self._cut(text)
        tokens: list[str] = []
        start = 0
        for m in self._whole.finditer(text):
            tokens += self._cut(text[start:m.start()])
            tokens.append(m.group())
            start = m.end()
        return tokens + self._cut(text[start:])

    def _cut(self, text: str) -> list[str]:
        return [t for t in self._jieba.cut(text, True) if t.isalnum() or is_word_token(t)]

    def process(self, items: list[Item]) -> None:
        """Set ``item.tokens`` for every live item (see the Stage contract)."""
        for item in live(items):
            item.tokens = self.cut(item.match_text)


def _jieba_can_keep(word: str) -> bool:
    """True when every character of ``word`` may stand inside one jieba token."""
    return all(ch.isalnum() or ch in _JIEBA_WORD_SYMBOLS for ch in word)
