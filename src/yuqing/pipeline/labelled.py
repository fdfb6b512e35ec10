"""Reading labelled evaluation and training sets: a CSV of ``text`` and one label column."""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

from yuqing.domain import BadInput


def read_labelled_rows(path: Path, column: str, allowed: Collection[str], *,
                       comments: bool = False) -> tuple[list[str], list[str], list[str]]:
    """Return ``(texts, labels, problems)`` from a ``text,<column>`` CSV (UTF-8, BOM allowed).

    A row with an empty text or a label outside ``allowed`` is skipped and
    described in ``problems`` as ``file:line: bad row (<column> '...')``. With
    ``comments``, lines starting with ``#`` are ignored (hand-written fixtures;
    never for data sets, where a post may start with a hashtag). Raises
    BadInput when the file is missing or lacks the two columns.
    """
    texts: list[str] = []
    labels: list[str] = []
    problems: list[str] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError as exc:
        raise BadInput(f"{path}: file not found") from exc
    with handle:
        lines = (row for row in handle if not row.startswith("#")) if comments else handle
        reader = csv.DictReader(lines)
        if not {"text", column} <= set(reader.fieldnames or ()):
            raise BadInput(f"{path}:1: header must have columns text,{column}, "
                           f"got {reader.fieldnames}")
        for row in reader:
            text, label = (row.get("text") or "").strip(), (row.get(column) or "").strip()
            if not text or label not in allowed:
                problems.append(f"{path}:{reader.line_num}: bad row ({column} {label!r})")
                continue
            texts.append(text)
            labels.append(label)
    return texts, labels, problems
