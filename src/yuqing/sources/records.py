"""The item exchange format of docs/INTERFACES.md: one record (dict) -> RawItem.

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

import tomllib
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from yuqing.domain import BadInput, RawItem
from yuqing.exchange import field_string, is_lossy_id, parse_count

#: Exchange fields copied as strings (empty string -> None).
STRING_FIELDS = (
    "id", "title", "url", "guid", "author", "author_id", "parent_id", "published_at",
)
#: Exchange fields converted to int.
COUNT_FIELDS = ("reposts", "comments", "likes")
#: Every exchange field a record may carry (``source``/``media_type`` override the defaults).
EXCHANGE_FIELDS = frozenset((*STRING_FIELDS, *COUNT_FIELDS, "text", "source", "media_type"))
#: field names other exports give a publication time (compared lower-cased): a record with one
#: of them and no ``published_at`` gets the flag ``date_field_unread``, so the sender hears
#: why every post got the time received
DATE_LIKE_FIELDS = frozenset((
    "published", "publish_time", "publishtime", "pub_date", "pubdate", "date", "datetime",
    "time", "timestamp", "created", "created_at", "createdat", "post_time", "posted_at",
    "发布时间", "时间", "日期", "发帖时间",
))

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
        text = field_string(text, "text", origin) or ""
        if not text.strip():
            flags.append("empty_text")
        get = ours.get

        def string(name: str) -> str | None:
            return field_string(get(name), name, origin)

        item_id, url = string("id"), string("url")
        if item_id is None and url is None:
            raise BadInput(f"{origin}: neither 'id' nor 'url' is given")
        if is_lossy_id(get("id")):
            flags.append("lossy_id")
        if get("published_at") is None and any(k.lower() in DATE_LIKE_FIELDS for k in extra):
            flags.append("date_field_unread")
        return RawItem(
            source=string("source") or source, text=text, fetched_at=fetched_at,
            id=item_id, title=string("title"),
            media_type=string("media_type") or media_type, url=url,
            guid=string("guid"), author=string("author"),
            author_id=string("author_id"), published_at=string("published_at"),
            parent_id=string("parent_id"), reposts=_count(get("reposts"), flags),
            comments=_count(get("comments"), flags), likes=_count(get("likes"), flags),
            tz=tz, origin=origin, flags=flags, extra=extra,
        )

    def _rename(self, rec: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split ``rec`` into (exchange fields by our names, everything else). A mapped field
        whose column a record lacks is read under its own name when the record has it (an
        export mixing ``published`` and ``published_at`` rows, mapped published_at=published,
        keeps both dates)."""
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
        for name in self.mapping.keys() - ours.keys():
            if name in extra:  # its mapped column is absent here: the record says it itself
                ours[name] = extra.pop(name)
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


def _count(value: Any, flags: list[str]) -> int | None:
    """Return a count (exchange.parse_count); an unreadable one adds the flag ``bad_count``."""
    count, ok = parse_count(value)
    if not ok and "bad_count" not in flags:
        flags.append("bad_count")
    return count


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
