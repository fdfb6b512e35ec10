r"""Tolerant reading of CSV text: strict per-line decoding, NUL bytes, unclosed quotes.

:func:`csv_records` yields one ``(origin, {column: value})`` per good row and
one BadInput (NOT raised) per refused line or row, so a caller counts rejects
and goes on; item files (sources/files.py) and labelled sets
(pipeline/labelled.py) are read through it.

Encoding (docs/FIELD_CASES.md F4), decided line by line, strictly (nothing decoded is
ever replaced by U+FFFD):

- a UTF-16 BOM at the start: read as UTF-16 (Excel's "Unicode" export); a line
  holding bytes that are not UTF-16 is refused on its own (``file:line: not
  valid UTF-16``);
- otherwise NUL bytes in the header line, or in more than one line and more
  than 1 % of the lines of the first MiB: refused as a whole (BadInput "a
  binary file or UTF-16 without BOM, not UTF-8/GB18030 text"); a few lines
  holding a NUL byte (one in a 1,000-row file) are refused on their own
  (``file:line: holds a NUL byte``);
- otherwise each physical line (ended by LF, CRLF or a lone CR; a UTF-8 BOM
  on line 1 dropped) is decoded on its own: first in the file's encoding
  (:func:`detect_csv_encoding`: GB18030 when the lines that are valid
  GB18030 but not UTF-8 outnumber the lines of valid non-ASCII UTF-8, else
  UTF-8), then, if that fails, in the other one, both strict; a line valid in
  neither is refused as ``file:line: not valid UTF-8 or GB18030 (...)`` and
  the good rows around it are kept intact. A line valid in the file's
  encoding is never re-read in the other, so a UTF-8 file with a few Latin-1
  lines keeps its Chinese rows readable. Limit: a stray Latin-1 line whose
  bytes happen to form valid GB18030 (``caf\xe9s``) is read as GB18030.

Unclosed quotes: a quoted field that never closes (or closes rows later, on a
stray quote) refuses its first line and the lines it swallowed are read again
as rows of their own (see :func:`_csv_rows`).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from yuqing.domain import BadInput

_CHUNK = 1 << 20  # the first MiB, where NUL bytes are counted; also the read size
_CSV_FIELD_LIMIT = 1 << 26  # 64 MiB: long articles exceed csv's 128 KiB default
#: A quoted CSV field spanning more physical lines than this, or more characters than
#: _QUOTE_MAX_CHARS once it spans two lines or more, is taken for a stray quote (a chosen
#: sanity limit: 100,000 characters is also where an item's text is cut).
_QUOTE_MAX_LINES = 100
_QUOTE_MAX_CHARS = 100_000


def open_binary(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing ``.gz``."""
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def detect_csv_encoding(path: Path) -> str:
    """Return the encoding of the CSV at ``path`` (rule in the module doc).

    ``"utf-16"`` (UTF-16 BOM), ``"utf-8-sig"`` (the whole file is valid UTF-8),
    ``"utf-8"`` (UTF-8 with lines that are not, decoded line by line) or
    ``"gb18030"`` (more lines valid GB18030 but not UTF-8 than lines of valid
    non-ASCII UTF-8; lines valid in neither are not counted). Raises BadInput
    naming the file when, without a UTF-16 BOM, its header line or more than one
    line and over 1 % of the lines of its first MiB hold NUL bytes (binary, or
    UTF-16 without BOM).
    """
    with open_binary(path) as f:
        head = f.read(_CHUNK)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\0" in head:
        head_lines = head.split(b"\n")
        nul_lines = sum(b"\0" in line for line in head_lines)
        in_header = b"\0" in head_lines[0]
        if in_header or (nul_lines > 1 and nul_lines * 100 > len(head_lines)):
            where = "in the header line" if in_header else "in the lines"
            raise BadInput(f"{path}: NUL bytes in the first MiB ({where}; {nul_lines} of "
                           f"{len(head_lines)} lines hold one): a binary file or UTF-16 "
                           f"without BOM, not UTF-8/GB18030 text (save it as UTF-8 CSV)")
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with open_binary(path) as f:
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8-sig"
    utf8_lines = gb_lines = 0
    with open_binary(path) as f:
        for raw in f:
            if raw.isascii():
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                gb_lines += _decodes(raw, "gb18030")
            else:
                utf8_lines += 1
    return "utf-8" if utf8_lines >= gb_lines else "gb18030"


def _decodes(raw: bytes, encoding: str) -> bool:
    """True when ``raw`` decodes strictly in ``encoding``."""
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


class _BadLine:
    """A physical line that cannot be read: ``reason`` (e.g. ``not valid UTF-8 or
    GB18030``) and ``detail`` (the decoder's message)."""

    __slots__ = ("detail", "reason")

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail


_NUL = b"\0"
_CR_ALONE = re.compile(rb"(?<=\r)(?!\n)")


def _decoded_lines(fb: IO[bytes], encoding: str) -> Iterator[str | _BadLine]:
    """The physical lines of ``fb`` (LF, CRLF or lone CR; a leading UTF-8 BOM dropped),
    each decoded strictly in ``encoding`` (``"utf-8"`` or ``"gb18030"``), else in the
    other; a line valid in neither, or holding a NUL byte, is yielded as a _BadLine."""
    other = "gb18030" if encoding == "utf-8" else "utf-8"
    for lineno, raw in enumerate(fb):
        if lineno == 0 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        pieces = [p for p in _CR_ALONE.split(raw) if p] if b"\r" in raw[:-2] else [raw]
        for piece in pieces:
            if b"\0" in piece:
                yield _BadLine("holds a NUL byte", f"at byte {piece.index(_NUL)}")
                continue
            try:
                yield piece.decode(encoding)
            except UnicodeDecodeError as exc:
                try:
                    yield piece.decode(other)
                except UnicodeDecodeError:
                    yield _BadLine("not valid UTF-8 or GB18030", str(exc))


def _mark_undecodable(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: put U+DFFF (a lone surrogate, which strict UTF-16 never yields)
    where bytes could not be decoded, so the line can be refused."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "\udfff", exc.end


codecs.register_error("yuqing.mark", _mark_undecodable)


def _utf16_lines(fb: IO[bytes]) -> Iterator[str | _BadLine]:
    """The lines of the UTF-16 text ``fb`` (BOM dropped); a line holding bytes that are
    not UTF-16 is yielded as a _BadLine."""
    for line in io.TextIOWrapper(fb, encoding="utf-16", errors="yuqing.mark", newline=""):
        if "\udfff" in line:
            yield _BadLine("not valid UTF-16", "an odd byte or a lone surrogate")
        else:
            yield line


def csv_records(
    path: Path, check: Callable[[list[str]], None] | None = None, *, comments: bool = False,
) -> Iterator[tuple[str, dict[str, str]] | BadInput]:
    """Yield ``(origin, {column: value})`` per data row of the CSV at ``path`` (origin
    ``file:line``), or a BadInput (not raised) per refused line or row: the decoding,
    unclosed-quote and NUL rules of the module doc. ``check(header)`` may raise BadInput
    for a header that lacks what the caller needs. With ``comments``, rows whose first
    line starts with ``#`` are skipped (hand-written fixtures; never for data sets, where
    a post may start with a hashtag). Raises BadInput, when the first row is asked for,
    for a binary file, a refused header line or a header failing ``check``; a header with
    missing or repeated names is one BadInput yielded instead of any row.
    """
    encoding = detect_csv_encoding(path)
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    with open_binary(path) as fb:
        text = (_utf16_lines(fb) if encoding == "utf-16" else
                _decoded_lines(fb, "gb18030" if encoding == "gb18030" else "utf-8"))
        lines = _CsvLines(text)
        reader = csv.reader(lines)
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        if lines.undecodable and lines.undecodable[0][0] == 1:
            _, bad = lines.undecodable[0]
            raise BadInput(f"{path}:1: the header line is refused: {bad.reason} ({bad.detail})")
        if not header or len(set(header)) != len(header):
            yield BadInput(f"{path}:1: missing or repeated column names in header {header}")
            return
        if check is not None:
            check(header)
        yield from _csv_rows(path, reader, lines, header, comments)


class _QuoteTooLong(Exception):
    """Raised by _CsvLines when the row being read spans more than _QUOTE_MAX_LINES lines
    or _QUOTE_MAX_CHARS characters over two lines or more: an unclosed quote."""


class _CsvLines:
    """The physical lines of a CSV text, numbered from 1, as csv.reader's input.

    ``taken`` lists the (number, line) pairs read since the caller last cleared it
    (:meth:`start_row`); ``push_back`` queues lines to be read again (see _csv_rows).
    ``ended`` tells that the end of the text was met since the last ``start_row``: a row
    csv.reader returns then was cut by the end of the file inside a quoted field (a row
    ending normally never asks for the next line). Raises _QuoteTooLong when the row
    since ``start_row`` grows past the limits.
    """

    def __init__(self, text: Iterator[str | _BadLine]) -> None:
        self._text = text
        self._pending: deque[tuple[int, str]] = deque()
        self._count = 0
        self.taken: list[tuple[int, str]] = []
        self.ended = False
        self._chars = 0
        #: (number, why) of the lines skipped as unreadable, not yet reported
        self.undecodable: list[tuple[int, _BadLine]] = []

    def __iter__(self) -> _CsvLines:
        return self

    def start_row(self) -> None:
        """Forget the lines taken so far and the end-of-text mark: a new row begins."""
        self.taken.clear()
        self.ended = False
        self._chars = 0

    def __next__(self) -> str:
        if self._pending:
            numbered = self._pending.popleft()
        else:
            while True:
                try:
                    line = next(self._text)
                except StopIteration:
                    self.ended = True
                    raise
                self._count += 1
                if not isinstance(line, _BadLine):
                    break
                self.undecodable.append((self._count, line))
            numbered = (self._count, line)
        self.taken.append(numbered)
        self._chars += len(numbered[1])
        if len(self.taken) > 1 and (len(self.taken) > _QUOTE_MAX_LINES
                                    or self._chars > _QUOTE_MAX_CHARS):
            raise _QuoteTooLong
        return numbered[1]

    def push_back(self, numbered: list[tuple[int, str]]) -> None:
        """Queue ``numbered`` lines to be read again, in order, before the rest."""
        self._pending.extendleft(reversed(numbered))


def _csv_rows(
    path: Path, reader: Any, lines: _CsvLines, header: list[str], comments: bool,
) -> Iterator[tuple[str, dict[str, str]] | BadInput]:
    """Yield ``(origin, record)`` (or BadInputs) of the data rows (see csv_records).

    An unclosed quote is a row spanning several lines that has the wrong width, that is
    still open at the end of the file, or that runs over more than _QUOTE_MAX_LINES (100)
    lines or _QUOTE_MAX_CHARS (100,000) characters: its first line is refused
    (``file:line: unclosed quote ...``) and the lines it swallowed are read again as rows
    of their own, so one stray quote never loses the rest of a file."""
    width = len(header)
    while True:
        lines.start_row()
        try:
            row = next(reader)
        except StopIteration:
            yield from _undecodable(path, lines, None)
            return
        except _QuoteTooLong:
            taken = list(lines.taken)
            yield from _undecodable(path, lines, None)
            yield BadInput(f"{path}:{taken[0][0]}: unclosed quote: the quoted field runs over "
                           f"more than {_QUOTE_MAX_LINES} lines or {_QUOTE_MAX_CHARS:,} "
                           f"characters (to line {taken[-1][0]}); the lines after this one "
                           f"are read again on their own")
            lines.push_back(taken[1:])
            continue
        except csv.Error as exc:
            start = lines.taken[0][0] if lines.taken else "?"
            yield from _undecodable(path, lines, None)
            yield BadInput(f"{path}:{start}: unreadable CSV row ({exc})")
            continue
        taken = list(lines.taken)
        if lines.ended and taken:
            yield from _undecodable(path, lines, None)
            yield BadInput(f"{path}:{taken[0][0]}: unclosed quote: the quoted field is still "
                           f"open at the end of the file (line {taken[-1][0]}); the lines "
                           f"after this one are read again on their own")
            lines.push_back(taken[1:])
            continue
        if taken:
            yield from _undecodable(path, lines, taken[0][0])
        if not row or not taken or (comments and taken[0][1].startswith("#")):
            continue
        origin = f"{path}:{taken[0][0]}"
        if lines.undecodable:  # skipped inside this row's quoted field
            lineno, bad = lines.undecodable[0]
            yield BadInput(f"{origin}: a quoted field runs over line {lineno} ({bad.reason}); "
                           f"the row is refused")
            yield from _undecodable(path, lines, None)
            continue
        if len(row) != width and len(taken) > 1:
            yield BadInput(f"{origin}: unclosed quote: it runs to line {taken[-1][0]} "
                           f"({len(row)} columns, the header has {width}); the lines after "
                           f"this one are read again on their own")
            lines.push_back(taken[1:])
            continue
        if len(row) != width:
            yield BadInput(f"{origin}: {len(row)} columns, the header has {width}")
            continue
        yield origin, dict(zip(header, row, strict=True))


def _undecodable(path: Path, lines: _CsvLines, before: int | None) -> Iterator[BadInput]:
    """Yield (and forget) a BadInput per undecodable line numbered below ``before`` (all
    when None)."""
    while lines.undecodable and (before is None or lines.undecodable[0][0] < before):
        lineno, bad = lines.undecodable.pop(0)
        yield BadInput(f"{path}:{lineno}: {bad.reason} ({bad.detail}); this line is refused")
