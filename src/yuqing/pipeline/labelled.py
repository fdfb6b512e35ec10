"""Reading labelled evaluation and training sets: a CSV of ``text`` and one label column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from pathlib import Path

from yuqing.domain import BadInput
from yuqing.sources.csv_decode import csv_records


def read_labelled_rows(path: Path, column: str, allowed: Collection[str], *,
                       comments: bool = False) -> tuple[list[str], list[str], list[str]]:
    """Return ``(texts, labels, problems)`` from a ``text,<column>`` CSV.

    Read like item files (sources.csv_decode.csv_records: UTF-8, UTF-16 with BOM or
    GB18030 decided line by line; an undecodable line or an unclosed quote is
    refused by ``file:line`` and the other rows are kept). A row with an empty
    text is skipped and described in ``problems`` as ``file:line: bad row (empty
    text)``, one with a label outside ``allowed`` as ``file:line: bad row
    (<column> '...')``; refused lines are listed there too. With ``comments``,
    rows starting with ``#`` are ignored (hand-written fixtures). Raises
    BadInput naming the file when it is missing, binary, or lacks the two columns.
    """
    if not path.is_file():
        raise BadInput(f"{path}: file not found" if not path.exists() else f"{path}: not a file")

    def check(header: list[str]) -> None:
        if not {"text", column} <= set(header):
            raise BadInput(f"{path}:1: header must have columns text,{column}, got {header}")

    texts: list[str] = []
    labels: list[str] = []
    problems: list[str] = []
    for rec in csv_records(path, check, comments=comments):
        if isinstance(rec, BadInput):
            problems.append(str(rec))
            continue
        where, row = rec
        text, label = (row.get("text") or "").strip(), (row.get(column) or "").strip()
        if not text:
            problems.append(f"{where}: bad row (empty text)")
        elif label not in allowed:
            problems.append(f"{where}: bad row ({column} {label!r})")
        else:
            texts.append(text)
            labels.append(label)
    return texts, labels, problems


def require_rows(path: Path, texts: list[str], labels: list[str], problems: list[str],
                 column: str, allowed: Collection[str]) -> None:
    """Raise BadInput naming ``path`` when :func:`read_labelled_rows` found no usable row:
    a header-only file, or no label in ``allowed`` (e.g. ``1``/``0`` where
    negative/neutral/positive are expected: the labels found are listed)."""
    if texts:
        return
    if not problems:
        raise BadInput(f"{path}: no data rows (only a header)")
    found = Counter(p.rsplit(f"({column} ", 1)[1][:-1] for p in problems
                    if f"bad row ({column} " in p)
    if found:
        seen = ", ".join(f"{label} ({n})" for label, n in found.most_common(5))
        raise BadInput(f"{path}: no row has a {column} in {', '.join(allowed)}; "
                       f"{column}s found: {seen}")
    raise BadInput(f"{path}: no usable row ({len(problems)} refused; first: {problems[0]})")
