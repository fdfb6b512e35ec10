"""Field values of the item exchange format (docs/INTERFACES.md): ids, counts, strings.

One place for the rules that both the sources (reading files and pushes)
and the normaliser apply, so a value is judged the same way wherever it
enters. Ids are strings end to end; a count is a non-negative integer that
fits the database; strings lose what no store can keep.
"""

from __future__ import annotations

import re
from typing import Any

from yuqing.domain import BadInput

#: an id that went through a float: ``7.31234567890123E+18`` (spreadsheet), ``5.01e+15``
#: (JSON number), ``5012345678901234.0``. Without a decimal point the exponent sign is
#: required (float printers always write it), so hex ids such as ``3e47199473151162`` pass.
_LOSSY_ID = re.compile(r"[+-]?\d+\.\d+[eE][+-]?\d{1,3}|[+-]?\d+[eE][+-]\d{1,3}|\d+\.0+")
#: what a spreadsheet leaves of a long id written out again: 15 significant digits (IEEE
#: doubles as Excel shows them), then zeros; 17 digits or more, so at least two zeros
#: stand for lost digits (1 real id in 100 of 17 digits ends so, 1 in 10,000 of 19).
#: A 16-digit id ending in one zero is too common among real ids (1 in 10) to judge.
_ROUNDED_ID = re.compile(r"[1-9]\d{14}0{2,}")

#: C0 controls other than tab and line breaks (PostgreSQL refuses NUL in text) and lone
#: UTF-16 surrogates (valid in JSON, not encodable in UTF-8)
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

#: counts as Weibo and portals print them: 1,234 / 1.2万 / 3k / 10w+
_COUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿|[kKwW])?\+?")
_COUNT_UNITS = {None: 1, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000,
                "k": 1000, "K": 1000}
#: the largest count stored (a 32-bit signed INTEGER column on both databases)
MAX_COUNT = 2**31 - 1


def is_lossy_id(value: object) -> bool:
    """True when ``value`` is an id mangled by a float (digits lost): a float, a string
    in scientific notation or ending in ``.0``, or a long number (an int or digits) that
    looks rounded to 15 significant digits (``7312345678901230000``; docs/FIELD_CASES.md
    F20.2)."""
    if isinstance(value, float):
        return True
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return False
    text = value.strip()
    return _LOSSY_ID.fullmatch(text) is not None or _ROUNDED_ID.fullmatch(text) is not None


def clean_string(text: str) -> str:
    """Return ``text`` without the characters no store keeps (see _UNSTORABLE)."""
    return _UNSTORABLE.sub("", text)


def field_string(value: Any, field: str, origin: str) -> str | None:
    """Return a scalar field value as a clean string; None and blanks become None.

    Numbers become their decimal text (a float keeps its repr, so the id
    check can see it). Raises BadInput naming ``origin`` and ``field`` for an
    object, array or boolean, which no exchange field holds.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadInput(f"{origin}: field {field!r} must be a string or a number, "
                       f"got {type(value).__name__}")
    text = clean_string(value if isinstance(value, str) else repr(value)
                        if isinstance(value, float) else str(value))
    return text if text.strip() else None


def parse_count(value: object) -> tuple[int | None, bool]:
    """Return ``(count, ok)`` for a reposts/comments/likes value.

    Integers and ``"1,234"``, ``"1.2万"``, ``"3k"``, ``"10w+"`` are read;
    missing or blank gives ``(None, True)``; anything else, a negative number
    or one above MAX_COUNT gives ``(None, False)``.
    """
    if value is None or value == "":
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int):
        return (value, True) if 0 <= value <= MAX_COUNT else (None, False)
    m = _COUNT.fullmatch(str(value).replace(",", "").strip())
    if m is None:
        return None, False
    number, unit = float(m.group(1)), m.group(2)
    if unit is None and not number.is_integer():
        return None, False  # 1.5 reposts: not a count
    count = number * _COUNT_UNITS[unit]
    return (int(count), True) if count <= MAX_COUNT else (None, False)
