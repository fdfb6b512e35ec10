"""An account's boilerplate: the words its posts share whatever they tell of.

A county account ends every post with ``，大家注意安全``, opens it with
``【青山发布】`` or ``#青山县#``, or closes it with a ``来源：青山发布`` line. Thirty
short posts about thirty different incidents then share those terms and little
else, so the clustering made them one event (issue 19). Here a post's
boilerplate is the beginning and the end it shares with one of its account's
last ``RECENT_POSTS`` posts (compared on the term runs of pipeline/event_terms.py,
so punctuation, links, mentions and emoji codes do not matter), each at least
``MIN_AFFIX`` characters; its terms inside them count for document frequencies
but not in the post's vector, so a post joins an event by its own words only.
A post sharing all but ``MIN_MIDDLE`` characters with the earlier one is a copy,
not a signature, and takes nothing from it. Numbers of four or more digits are
compared by their length only, so a work order's or a bulletin's running number
(``工单编号QS20261213-0417。来电人反映：``) is part of the header it opens. The first
post of an account keeps its signature (nothing to compare it with yet); the second
no longer matches it by the signature alone.

An account is a source and an author, or the source alone for items without an
author (a site's feed). Memory: the last ``ACCOUNT_MEMORY`` accounts seen.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from os.path import commonprefix

from yuqing.pipeline.event_terms import run_terms

RECENT_POSTS = 5  # an account's posts a new one is compared with
MIN_AFFIX = 3  # characters (of runs joined by "|") a shared beginning or end needs
MIN_MIDDLE = 8  # characters each post must keep outside them (else: a copy)
ACCOUNT_MEMORY = 50_000  # accounts remembered (least recently posting forgotten first)
_SEP = "|"
#: a running number (a work order's, a bulletin's): compared by its length only
_NUMBER = re.compile(r"[0-9]{4,}")


def account(source: str, author: str | None) -> str:
    """Return the account a post of ``source`` by ``author`` (None: unknown) comes from:
    source and author, else the source alone."""
    return f"{source}\x1f{author}" if author else source


class AccountBoilerplate:
    """The recent posts of each account, to tell its boilerplate terms (module doc)."""

    def __init__(self) -> None:
        """Start with no account seen."""
        self._recent: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    def terms(self, account: str, runs: list[str]) -> set[str]:
        """Return the terms of a post by ``account`` (its term ``runs``) inside the
        beginning or end it shares with one of the account's recent posts; remember the
        post."""
        text = _SEP.join(runs)
        shape = _NUMBER.sub(lambda m: "0" * len(m[0]), text)
        recent = self._recent.pop(account, ())
        self._recent[account] = (shape, *recent[: RECENT_POSTS - 1])
        if len(self._recent) > ACCOUNT_MEMORY:
            self._recent.popitem(last=False)
        prefix = suffix = 0
        for prior in recent:
            head = _whole_runs(shape, prior) if shape[:1] == prior[:1] else 0
            tail = _whole_runs(shape[::-1], prior[::-1]) if shape[-1:] == prior[-1:] else 0
            if not head and not tail:
                continue
            if min(len(shape), len(prior)) - head - tail < MIN_MIDDLE:
                continue
            if head >= MIN_AFFIX:
                prefix = max(prefix, head)
            if tail >= MIN_AFFIX:
                suffix = max(suffix, tail)
        if not prefix and not suffix:
            return set()
        affixes = text[:prefix].split(_SEP) + text[len(text) - suffix :].split(_SEP)
        return set(run_terms(a for a in affixes if a))


def _whole_runs(text: str, other: str) -> int:
    """Return the length of the longest beginning of ``text`` and ``other`` made of whole
    runs (it ends where a run ends in both)."""
    n = len(commonprefix([text, other]))
    if (n == len(text) or text[n] == _SEP) and (n == len(other) or other[n] == _SEP):
        return n
    return max(text.rfind(_SEP, 0, n), 0)
