"""The item exchange format of INTERFACES.md: one record (dict) -> RawItem.

A *record* is one JSON object or one CSV row. A *column mapping* renames
the columns of somebody else's export to ours: ``{ours: theirs}``, e.g.
``{"published_at": "time", "parent_id": "root_id"}``. Columns that are not
exchange fields after mapping go to ``RawItem.extra`` unchanged.

Decisions (documented here, tested in tests/sources/test_records.py):

- ``text`` must be PRESENT (key or column); an EMPTY text is kept and flagged
  ``"empty_text"`` — real reposts often have no text of their own (390 of the
  CHECKED replay stream's reposts do); the normaliser decides what to do.
- ``id`` or ``url`` is required. Ids are strings: a JSON integer becomes its
  exact decimal string (Python's json keeps big integers exact). A JSON float
  id, or a CSV id written in scientific notation (``7.31234567890123E+18``,
  ``5.01E+15``: Excel's lossy export of long numbers) is KEPT as its text and
  flagged ``"lossy_id"``: the digits are already lost, and the normaliser
  rejects such an item with a message naming its origin.
- Counts (``reposts``, ``comments``, ``likes``) become ``int``. Accepted:
  integers, digit strings, ``"1,234"``, ``"1.2万"`` / ``"3亿"`` (Weibo display
  style). Anything else becomes None and the item is flagged ``"bad_count"``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from yuqing.domain import BadInput, RawItem, is_lossy_id

#: Exchange fields copied as strings (empty string -> None).
STRING_FIELDS = (
    "id", "title", "url", "guid", "author", "author_id", "parent_id", "published_at",
)
#: Exchange fields converted to int.
COUNT_FIELDS = ("reposts", "comments", "likes")
#: Every exchange field a record may carry (``source``/``media_type`` override the defaults).
EXCHANGE_FIELDS = frozenset((*STRING_FIELDS, *COUNT_FIELDS, "text", "source", "media_type"))

_CN_UNITS = {"万": 10_000, "亿": 100_000_000}
BUILTIN_PREFIX = "builtin:"


class RecordConverter:
    """Converts records to RawItems with one column mapping, compiled once.

    ``mapping`` is ``{ours: theirs}``; ``None`` means the record already uses
    our column names. Raises BadInput at construction when the mapping names
    a target that is not an exchange field.
    """

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})
        unknown = sorted(set(self.mapping) - EXCHANGE_FIELDS)
        if unknown:
            raise BadInput(
                f"column mapping: {unknown} are not exchange fields "
                f"(known: {sorted(EXCHANGE_FIELDS)})"
            )
        self._theirs_to_ours = {theirs: ours for ours, theirs in self.mapping.items()}

    def convert(
        self, rec: Mapping[str, Any], *, source: str, tz: str, media_type: str,
        origin: str, fetched_at: datetime,
    ) -> RawItem:
        """Return the RawItem of ``rec``; raises BadInput naming ``origin`` and the problem.

        ``fetched_at`` must be an aware UTC datetime; ``tz`` is the IANA zone
        for dates without an offset.
        """
        ours, extra = self._rename(rec)
        text = ours.get("text")
        if text is None:
            raise BadInput(f"{origin}: no 'text' field (columns: {sorted(rec)[:12]})")
        flags: list[str] = []
        if not isinstance(text, str):
            text = str(text)
        if not text.strip():
            flags.append("empty_text")
        get = ours.get
        item_id, url = _as_str(get("id")), _as_str(get("url"))
        if item_id is None and url is None:
            raise BadInput(f"{origin}: neither 'id' nor 'url' is given")
        if is_lossy_id(get("id")):
            flags.append("lossy_id")
        return RawItem(
            source=_as_str(get("source")) or source, text=text, fetched_at=fetched_at,
            id=item_id, title=_as_str(get("title")),
            media_type=_as_str(get("media_type")) or media_type, url=url,
            guid=_as_str(get("guid")), author=_as_str(get("author")),
            author_id=_as_str(get("author_id")), published_at=_as_str(get("published_at")),
            parent_id=_as_str(get("parent_id")), reposts=_as_count(get("reposts"), flags),
            comments=_as_count(get("comments"), flags), likes=_as_count(get("likes"), flags),
            tz=tz, origin=origin, flags=flags, extra=extra,
        )

    def _rename(self, rec: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split ``rec`` into (exchange fields by our names, everything else)."""
        ours: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        t2o = self._theirs_to_ours
        for key, value in rec.items():
            name = t2o.get(key)
            if name is None and key in EXCHANGE_FIELDS and key not in self.mapping:
                name = key
            if name is None:
                extra[key] = value
            else:
                ours[name] = value
        return ours, extra


def raw_from_record(
    rec: Mapping[str, Any], *, source: str, tz: str, media_type: str, origin: str,
    fetched_at: datetime, mapping: Mapping[str, str] | None = None,
) -> RawItem:
    """Return the RawItem of one exchange-format record (see the module doc).

    For many records build one :class:`RecordConverter` instead (this
    function compiles the mapping on every call). Raises BadInput naming
    ``origin`` (e.g. ``"export.csv:12"``) and the problem.
    """
    return RecordConverter(mapping).convert(
        rec, source=source, tz=tz, media_type=media_type, origin=origin, fetched_at=fetched_at
    )


def _as_str(value: Any) -> str | None:
    """Return ``value`` as a string id/field; None and "" become None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _as_count(value: Any, flags: list[str]) -> int | None:
    """Return a count as int; None when absent; None + flag ``bad_count`` when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        flags.append("bad_count")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    count = _parse_count_text(str(value))
    if count is None and "bad_count" not in flags:
        flags.append("bad_count")
    return count


def _parse_count_text(text: str) -> int | None:
    """Parse ``"1234"``, ``"1,234"``, ``"12.0"``, ``"1.2万"``; None when not a count."""
    s = text.strip().replace(",", "")
    mult = 1
    if s and s[-1] in _CN_UNITS:
        mult, s = _CN_UNITS[s[-1]], s[:-1]
    try:
        number = float(s) if "." in s else int(s)
    except ValueError:
        return None
    if number < 0 or (mult == 1 and isinstance(number, float) and not number.is_integer()):
        return None
    return int(round(number * mult))


def load_mapping(ref: str | Path) -> dict[str, str]:
    """Return the ``[mapping]`` table ``{ours: theirs}`` of a TOML file.

    ``ref`` is a path or ``"builtin:NAME"`` for
    ``yuqing/data/mappings/NAME.toml`` shipped in the package. Raises
    BadInput naming the file when it is missing, not TOML, has no
    ``[mapping]`` table, or maps to a field that is not an exchange field.
    """
    name = str(ref)
    try:
        if name.startswith(BUILTIN_PREFIX):
            builtin = name[len(BUILTIN_PREFIX):]
            res = resources.files("yuqing").joinpath("data", "mappings", f"{builtin}.toml")
            content = res.read_text(encoding="utf-8")
        else:
            content = Path(name).read_text(encoding="utf-8")
        data = tomllib.loads(content)
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise BadInput(f"{name}: column mapping file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{name}: not a valid TOML file: {exc}") from exc
    table = data.get("mapping")
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise BadInput(f"{name}: needs a [mapping] table of ours = \"theirs\" strings")
    RecordConverter(table)  # validates the target names
    return dict(table)


def parse_mapping_option(text: str) -> dict[str, str]:
    """Parse the command-line form ``"published_at=time,id=id"`` into ``{ours: theirs}``.

    Raises BadInput naming the malformed pair or an unknown target field.
    """
    mapping: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise BadInput(f"--mapping: {pair!r} is not of the form ours=theirs")
        mapping[ours.strip()] = theirs.strip()
    RecordConverter(mapping)
    return mapping


def resolve_mapping(
    value: str | Mapping[str, str] | None, named: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, str] | None:
    """Return a mapping from a source option: a dict, a name in ``named``
    (the config's ``column_mappings``), ``builtin:NAME``, a TOML path, or the
    command-line ``a=b,c=d`` form. None stays None. Raises BadInput."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        RecordConverter(value)
        return dict(value)
    if named and value in named:
        RecordConverter(named[value])
        return dict(named[value])
    if "=" in value and not value.startswith(BUILTIN_PREFIX):
        return parse_mapping_option(value)
    return load_mapping(value)
