"""Reading labelled evaluation and training sets: a CSV of ``text`` and one label column."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Collection
from pathlib import Path

from yuqing.domain import BadInput


def read_labelled_rows(path: Path, column: str, allowed: Collection[str], *,
                       comments: bool = False) -> tuple[list[str], list[str], list[str]]:
    """Return ``(texts, labels, problems)`` from a ``text,<column>`` CSV.

    The encoding is decided as for item files (sources.files.detect_csv_encoding:
    UTF-8 with or without BOM, UTF-16 with BOM, GB18030; a UTF-8 file with a
    few undecodable lines reads them with U+FFFD and refuses those rows). A row
    with an empty text is skipped and described in ``problems`` as
    ``file:line: bad row (empty text)``, one with a label outside ``allowed`` as
    ``file:line: bad row (<column> '...')``. With ``comments``, lines starting
    with ``#`` are ignored (hand-written fixtures; never for data sets, where a
    post may start with a hashtag). Raises BadInput naming the file when it is
    missing, binary, or lacks the two columns.
    """
    from yuqing.sources.files import detect_csv_encoding

    if not path.is_file():
        raise BadInput(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
    encoding = detect_csv_encoding(path)
    texts: list[str] = []
    labels: list[str] = []
    problems: list[str] = []
    errors = "replace" if encoding in ("utf-8", "gb18030") else "strict"
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors=errors,
                   newline="") as handle:
        lines = (row for row in handle if not row.startswith("#")) if comments else handle
        reader = csv.DictReader(lines)
        if not {"text", column} <= set(reader.fieldnames or ()):
            raise BadInput(f"{path}:1: header must have columns text,{column}, "
                           f"got {reader.fieldnames}")
        for row in reader:
            text, label = (row.get("text") or "").strip(), (row.get(column) or "").strip()
            where = f"{path}:{reader.line_num}"
            if encoding == "utf-8" and "\ufffd" in f"{text}{label}":
                problems.append(f"{where}: bad row (not valid UTF-8; the rest of the file is)")
            elif not text:
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
