"""The background of the events stage's IDF: how common each clustering term is in posts.

The stage weighs terms by their inverse document frequency in the stream. On an empty
store (a new office, a fresh worker's first minutes) every word is new, so two posts
sharing only 建议, 出现 or 谢谢 looked as alike as two sharing 配电房: a hospital's polite
request and a school's joined one event, and the office was told of one (issue 19). The
background counts come from our own training posts (``data/office/office_train.csv`` and
``data/sentiment/public_affairs_train.csv``: 4,000 public-affairs posts written for
Yuqing), the same in every process, so the scale-out workers still decide alike. On the
whole-alert set's dev split, recall per message went 0.947 → 0.980 at the same precision
(``yuqing eval alerts … --split dev``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from yuqing.pipeline.event_terms import item_terms
from yuqing.pipeline.office_train import csv_rows
from yuqing.pipeline.textnorm import match_form

#: the shipped posts counted (paths under ``yuqing/data``)
BACKGROUND = ("office/office_train.csv", "sentiment/public_affairs_train.csv")


@cache
def background_df() -> tuple[Mapping[str, int], int]:
    """Return ``({term: documents holding it}, documents)`` over the ``text`` of the
    :data:`BACKGROUND` posts (read once per process). Raises BadInput naming a missing
    file."""
    data = Path(str(resources.files("yuqing") / "data"))
    counts: dict[str, int] = {}
    docs = 0
    for name in BACKGROUND:
        for row in csv_rows(data / name):
            docs += 1
            for term in item_terms(match_form(row["text"])):
                counts[term] = counts.get(term, 0) + 1
    return counts, docs
