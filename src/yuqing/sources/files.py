"""Files of items in the exchange format: JSON Lines, JSON, CSV, RSS/Atom XML, gzipped or not.

:func:`read_items` streams: it yields one RawItem per good record and one
BadInput (NOT raised) per bad record, so a caller counts rejects and goes
on. Only a ``.json`` array and an XML feed are read whole (their formats
cannot be streamed with the standard library); JSON Lines and CSV are read
row by row, so a 48k-row gzipped CSV never sits in memory as a list.

CSV files are read by :func:`yuqing.sources.csv_decode.csv_records`: each line
decoded strictly on its own (UTF-8, GB18030 or UTF-16 with BOM), lines holding a
NUL byte and unclosed quotes refused by ``file:line``, the rows around them kept
(the rules are in that module's doc).

Whole-file problems raise BadInput when the first row is asked for, before
any item: a binary file, a header with missing or repeated names, a column
named by the mapping (or ``text``, or both ``id`` and ``url``) that the
header lacks.
"""

from __future__ import annotations

import codecs
import glob
import json
import logging
import zlib
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from yuqing.config import SourceConfig
from yuqing.domain import BadInput, RawItem
from yuqing.sources.base import (
    POLL_OPTIONS,
    ConfiguredSource,
    FetchResult,
    FetchState,
    FetchStatus,
    check_options,
    rejected_summary,
    require_option,
    utc_now,
)
from yuqing.sources.csv_decode import csv_records, open_binary
from yuqing.sources.records import RecordConverter, resolve_mapping
from yuqing.sources.rss import parse_feed

log = logging.getLogger(__name__)

JSONL_SUFFIXES = frozenset((".jsonl", ".ndjson"))
FEED_SUFFIXES = frozenset((".xml", ".rss", ".atom"))
KNOWN_SUFFIXES = JSONL_SUFFIXES | FEED_SUFFIXES | {".json", ".csv"}
_CHUNK = 1 << 20  # read size of count_rows

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
    with open_binary(path) as f:
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
    with open_binary(path) as f:
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


def _read_csv(path: Path, conv: RecordConverter, ctx: dict[str, Any]) -> Iterator[ReadResult]:
    for rec in csv_records(path, lambda header: check_header(path, header, conv)):
        yield rec if isinstance(rec, BadInput) else _convert(conv, rec[1], rec[0], ctx)


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


def _read_feed(path: Path, ctx: dict[str, Any]) -> Iterator[ReadResult]:
    with open_binary(path) as f:
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
        with open_binary(p) as f:
            while chunk := f.read(_CHUNK):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except (EOFError, OSError, zlib.error):
        return None
    lines += last != b"\n"
    return max(lines - (kind == ".csv"), 0)


#: characters that make a ``path`` option a glob pattern
GLOB_CHARS = frozenset("*?[")


def is_glob(path: str) -> bool:
    """True when ``path`` is a glob pattern (``exports/*.csv``), not one file's name."""
    return any(c in GLOB_CHARS for c in path)


def _signature(path: Path) -> str:
    """``"mtime_ns:size"`` of ``path`` (raises OSError)."""
    st = path.stat()
    return f"{st.st_mtime_ns}:{st.st_size}"


class FileSource(ConfiguredSource):
    """Files of items watched for changes (kind ``"file"``): one file, or a drop folder.

    Options: ``path`` (required): a file, or a glob such as ``exports/*.csv`` (``**``
    for sub-folders); relative to the config file's folder. ``mapping`` (see
    records.resolve_mapping). Each fetch reads the files that are new or whose
    mtime or size changed since the previous fetch, each whole, and reports
    not_modified when none did. The cursor remembers every file's ``"mtime_ns:size"``
    (JSON ``{path: signature}``; a single file's cursor of older versions is read as
    that file's). A missing single file, or a glob whose folder is missing, fails the
    fetch; a file that cannot be read is one rejection naming it, the others are read.
    The items of one fetch are held in a list: for very large one-off imports use
    :func:`read_items` (``yuqing ingest``), which streams.
    """

    supports_conditional_get: ClassVar[bool] = True
    is_finite: ClassVar[bool] = True
    is_remote: ClassVar[bool] = False

    def __init__(self, config: SourceConfig, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._config = config
        check_options(config, POLL_OPTIONS | {"path", "mapping"})
        self.pattern = require_option(config, "path")
        self.path = config.resolve_path(self.pattern)
        self.mapping = resolve_mapping(config.option("mapping"))
        self._clock = clock

    def files(self) -> list[Path]:
        """Return the files ``path`` names now, sorted; raises BadInput naming the path
        when a single file or a glob's folder is missing."""
        if not is_glob(self.pattern):
            if not self.path.is_file():
                raise BadInput(f"{self.path}: file not found")
            return [self.path]
        folder = glob_folder(self.path)
        if not folder.is_dir():
            raise BadInput(f"{self.path}: folder {folder} not found")
        return sorted(Path(p) for p in glob.glob(str(self.path), recursive=True)
                      if Path(p).is_file())

    def _seen(self, cursor: str | None) -> dict[str, str]:
        if not cursor:
            return {}
        if not cursor.startswith("{"):  # one file's "mtime_ns:size" (before globs)
            return {str(self.path): cursor}
        try:
            seen = json.loads(cursor)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in seen.items()} if isinstance(seen, dict) else {}

    def fetch(self, state: FetchState) -> FetchResult:
        """Read the files that are new or changed since ``state.cursor``; never raises."""
        try:
            files = self.files()
            now = {str(f): _signature(f) for f in files}
        except BadInput as exc:
            return FetchResult([], "failed", str(exc))
        except OSError as exc:
            return FetchResult([], "failed", f"{self.path}: {exc.strerror or exc}")
        seen = self._seen(state.cursor)
        cursor = json.dumps(now, ensure_ascii=False, sort_keys=True)
        changed = [f for f in files if seen.get(str(f)) != now[str(f)]]
        if not changed:
            return FetchResult([], "not_modified", cursor=cursor)
        items: list[RawItem] = []
        rejected: list[BadInput] = []
        for path in changed:
            for r in self._read(path):
                if isinstance(r, BadInput):
                    rejected.append(r)
                else:
                    items.append(r)
        status: FetchStatus = "degraded" if rejected else "ok"
        return FetchResult(items, status, rejected_summary(rejected), cursor=cursor,
                           rejected=rejected)

    def _read(self, path: Path) -> list[ReadResult]:
        """Every record of ``path``; a file that cannot be read at all is one BadInput."""
        cfg = self._config
        try:
            return list(read_items(path, source=cfg.name, tz=cfg.timezone,
                                   media_type=cfg.media_type, mapping=self.mapping,
                                   fetched_at=self._clock()))
        except (BadInput, OSError) as exc:
            return [exc if isinstance(exc, BadInput) else BadInput(f"{path}: {exc}")]


def glob_folder(pattern: Path) -> Path:
    """Return the folder part of a glob ``pattern`` before its first wildcard
    (``/data/exports/*.csv`` -> ``/data/exports``)."""
    parts = pattern.parts
    fixed = next((i for i, part in enumerate(parts) if is_glob(part)), len(parts))
    return Path(*parts[:fixed]) if fixed else Path(".")


def path_problem(config: SourceConfig) -> tuple[str | None, str | None]:
    """Return ``(error, warning)`` about the ``path`` option of a file source: an error
    when the folder it names (a file's, or a glob's before its first wildcard) does not
    exist; a warning when that folder exists but no file is there yet (a drop folder
    waiting for exports). Both name the path as written and as resolved."""
    value = require_option(config, "path")
    path = config.resolve_path(value)
    folder = glob_folder(path) if is_glob(value) else path.parent
    shown = f"path {value!r}" + ("" if str(path) == value else f" ({path})")
    if not folder.is_dir():
        return f"{shown}: folder {folder} does not exist", None
    found = bool(glob.glob(str(path), recursive=True)) if is_glob(value) else path.is_file()
    return None, None if found else f"{shown}: no file there yet"
