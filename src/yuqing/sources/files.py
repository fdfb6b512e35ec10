"""Files of items in the exchange format: JSON Lines, JSON, CSV, RSS/Atom XML, gzipped or not.

:func:`read_items` streams: it yields one RawItem per good record and one
BadInput (NOT raised) per bad record, so a caller counts rejects and goes
on. Only a ``.json`` array and an XML feed are read whole (their formats
cannot be streamed with the standard library); JSON Lines and CSV are read
row by row, so a 48k-row gzipped CSV never sits in memory as a list.

CSV encoding (FIELD_CASES F4), decided line by line, strictly (nothing decoded is
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

Whole-file problems raise BadInput when the first row is asked for, before
any item: a binary file, a header with missing or repeated names, a column
named by the mapping (or ``text``, or both ``id`` and ``url``) that the
header lacks.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import logging
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any, ClassVar, cast

from yuqing.config import SourceConfig
from yuqing.domain import BadInput, RawItem
from yuqing.sources.base import (
    ConfiguredSource,
    FetchResult,
    FetchState,
    FetchStatus,
    rejected_summary,
    require_option,
    utc_now,
)
from yuqing.sources.records import RecordConverter, resolve_mapping
from yuqing.sources.rss import parse_feed

log = logging.getLogger(__name__)

JSONL_SUFFIXES = frozenset((".jsonl", ".ndjson"))
FEED_SUFFIXES = frozenset((".xml", ".rss", ".atom"))
KNOWN_SUFFIXES = JSONL_SUFFIXES | FEED_SUFFIXES | {".json", ".csv"}
_CHUNK = 1 << 20
_CSV_FIELD_LIMIT = 1 << 26  # 64 MiB: long articles exceed csv's 128 KiB default
#: A quoted CSV field spanning more physical lines than this, or more characters than
#: _QUOTE_MAX_CHARS once it spans two lines or more, is taken for a stray quote (a chosen
#: sanity limit: 100,000 characters is also where an item's text is cut).
_QUOTE_MAX_LINES = 100
_QUOTE_MAX_CHARS = 100_000

ReadResult = RawItem | BadInput


def file_kind(path: Path) -> str:
    """Return the format suffix of ``path`` (``.csv``...), ignoring a trailing ``.gz``.

    Raises BadInput naming the file when the format is not known.
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    kind = suffixes[-1] if suffixes else ""
    if kind not in KNOWN_SUFFIXES:
        raise BadInput(f"{path}: unknown file type {kind or '(none)'!r}; "
                       f"expected one of {sorted(KNOWN_SUFFIXES)} (optionally .gz)")
    return kind


def default_source_name(path: Path) -> str:
    """Return the file stem without format and ``.gz`` suffixes (``a.csv.gz`` -> ``a``)."""
    name = path.name
    for _ in range(2):
        stem, dot, suffix = name.rpartition(".")
        if dot and f".{suffix.lower()}" in KNOWN_SUFFIXES | {".gz"}:
            name = stem
    return name


def _open_binary(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing ``.gz``."""
    if path.suffix.lower() == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def read_items(
    path: Path | str, *, source: str | None = None, tz: str = "Asia/Shanghai",
    media_type: str = "other", mapping: Mapping[str, str] | None = None,
    fetched_at: datetime | None = None,
) -> Iterator[ReadResult]:
    """Yield a RawItem per good record and a BadInput per bad one, in file order.

    ``source`` defaults to the file stem; ``mapping`` is ``{ours: theirs}``
    (see records.py); ``fetched_at`` defaults to now (UTC), one value for
    the whole file. Origins are ``path:line`` (JSONL, CSV), ``path[i]``
    (JSON array) or ``path#n`` (feed entry). Raises BadInput (before the
    first item) when the file is missing or of an unknown type.
    """
    p = Path(path)
    kind = file_kind(p)
    if not p.is_file():
        raise BadInput(f"{p}: file not found")
    conv = RecordConverter(mapping)
    ctx = {
        "source": source or default_source_name(p), "tz": tz, "media_type": media_type,
        "fetched_at": fetched_at or utc_now(),
    }
    if kind == ".csv":
        reader = _read_csv(p, conv, ctx)
    elif kind in JSONL_SUFFIXES:
        reader = _read_jsonl(p, conv, ctx)
    elif kind == ".json":
        reader = _read_json(p, conv, ctx)
    else:
        reader = _read_feed(p, ctx)
    return _until_unreadable(p, reader)


def _until_unreadable(path: Path, reader: Iterator[ReadResult]) -> Iterator[ReadResult]:
    """Pass ``reader`` through; a file that breaks off (truncated gzip, I/O error) ends
    with one BadInput naming it, and what was read before it is kept."""
    try:
        yield from reader
    except (EOFError, OSError, zlib.error, UnicodeDecodeError) as exc:
        yield BadInput(f"{path}: unreadable from here on ({type(exc).__name__}: {exc})")


def _convert(conv: RecordConverter, rec: Any, origin: str, ctx: dict[str, Any]) -> ReadResult:
    """Return the RawItem of ``rec``, or the BadInput describing why not."""
    if not isinstance(rec, dict):
        return BadInput(f"{origin}: expected an object, got {type(rec).__name__}")
    try:
        return conv.convert(rec, origin=origin, **ctx)
    except BadInput as exc:
        return exc


def _read_jsonl(path: Path, conv: RecordConverter, ctx: dict[str, Any]) -> Iterator[ReadResult]:
    with _open_binary(path) as f:
        for lineno, raw in enumerate(f, start=1):
            line = raw.strip()
            if lineno == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8):]
            if not line:
                continue
            origin = f"{path}:{lineno}"
            try:
                rec = json.loads(line)
            except (UnicodeDecodeError, ValueError) as exc:
                yield BadInput(f"{origin}: not valid JSON ({exc})")
                continue
            yield _convert(conv, rec, origin, ctx)


def _read_json(path: Path, conv: RecordConverter, ctx: dict[str, Any]) -> Iterator[ReadResult]:
    with _open_binary(path) as f:
        try:
            data = json.loads(f.read())
        except (UnicodeDecodeError, ValueError) as exc:
            yield BadInput(f"{path}: not valid JSON ({exc})")
            return
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        yield BadInput(f"{path}: expected a JSON array of items (or {{\"items\": [...]}})")
        return
    for i, rec in enumerate(data):
        yield _convert(conv, rec, f"{path}[{i}]", ctx)


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
    with _open_binary(path) as f:
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
    with _open_binary(path) as f:
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8-sig"
    utf8_lines = gb_lines = 0
    with _open_binary(path) as f:
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


def _read_csv(path: Path, conv: RecordConverter, ctx: dict[str, Any]) -> Iterator[ReadResult]:
    for rec in csv_records(path, lambda header: check_header(path, header, conv)):
        yield rec if isinstance(rec, BadInput) else _convert(conv, rec[1], rec[0], ctx)


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
    with _open_binary(path) as fb:
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


def check_header(path: Path, header: list[str], conv: RecordConverter) -> None:
    """Raise BadInput naming ``path``, the missing column and the header's columns when a
    column the mapping names, the text column, or both the id and url columns are absent
    (every row would be refused for the same reason)."""
    have = set(header)
    missing = sorted(theirs for theirs in conv.mapping.values() if theirs not in have)
    if missing:
        raise BadInput(f"{path}:1: the column mapping names {missing}, not in the header "
                       f"(columns: {header})")
    text_col = conv.mapping.get("text", "text")
    if text_col not in have:
        raise BadInput(f"{path}:1: no text column {text_col!r} in the header (columns: "
                       f"{header}); name it with --mapping text=COLUMN")
    id_cols = [conv.mapping.get(f, f) for f in ("id", "url")]
    if not have.intersection(id_cols):
        raise BadInput(f"{path}:1: neither {id_cols[0]!r} nor {id_cols[1]!r} is a column of "
                       f"the header (columns: {header}); name one with --mapping id=COLUMN")


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


def _read_feed(path: Path, ctx: dict[str, Any]) -> Iterator[ReadResult]:
    with _open_binary(path) as f:
        data = f.read()
    parsed = parse_feed(data, origin=str(path), **ctx)
    if parsed.status == "failed":
        yield BadInput(parsed.error or f"{path}: not a feed")
        return
    if parsed.problems:
        log.warning("%s", parsed.error)
    yield from parsed.items
    yield from parsed.rejected


def count_rows(path: Path | str) -> int | None:
    """Return a cheap upper bound of the records in a CSV/JSONL file, for a progress bar.

    Counts newlines (minus the CSV header), so quoted multi-line CSV fields
    and blank lines make it an over-count. Returns None for JSON and feeds,
    and for a file it cannot read to the end (reading it reports why).
    """
    p = Path(path)
    kind = file_kind(p)
    if kind not in JSONL_SUFFIXES and kind != ".csv":
        return None
    lines, last = 0, b"\n"
    try:
        with _open_binary(p) as f:
            while chunk := f.read(_CHUNK):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except (EOFError, OSError, zlib.error):
        return None
    lines += last != b"\n"
    return max(lines - (kind == ".csv"), 0)


class FileSource(ConfiguredSource):
    """A file of items watched for changes (kind ``"file"``).

    Options: ``path`` (required), ``mapping`` (see records.resolve_mapping).
    Each fetch reads the whole file when its mtime or size changed since the
    previous fetch (cursor ``"mtime_ns:size"``), else reports not_modified.
    The items of one fetch are held in a list: for very large one-off
    imports use :func:`read_items` (``yuqing ingest``), which streams.
    """

    supports_conditional_get: ClassVar[bool] = True
    is_finite: ClassVar[bool] = True
    is_remote: ClassVar[bool] = False

    def __init__(self, config: SourceConfig, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._config = config
        self.path = Path(require_option(config, "path")).expanduser()
        self.mapping = resolve_mapping(config.option("mapping"))
        self._clock = clock

    def fetch(self, state: FetchState) -> FetchResult:
        """Read the file if it changed since ``state.cursor``; never raises."""
        try:
            st = self.path.stat()
        except OSError as exc:
            return FetchResult([], "failed", f"{self.path}: {exc.strerror or exc}")
        cursor = f"{st.st_mtime_ns}:{st.st_size}"
        if cursor == state.cursor:
            return FetchResult([], "not_modified", cursor=cursor)
        cfg = self._config
        try:
            results = list(read_items(
                self.path, source=cfg.name, tz=cfg.timezone, media_type=cfg.media_type,
                mapping=self.mapping, fetched_at=self._clock(),
            ))
        except (BadInput, OSError) as exc:
            return FetchResult([], "failed", str(exc))
        items = [r for r in results if isinstance(r, RawItem)]
        rejected = [r for r in results if isinstance(r, BadInput)]
        status: FetchStatus = "degraded" if rejected else "ok"
        return FetchResult(items, status, rejected_summary(rejected), cursor=cursor,
                           rejected=rejected)
