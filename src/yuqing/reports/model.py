"""The content of a report, independent of its format (HTML, PDF, DOCX, XLSX).

Every sentence is filled from templates and stored data (reports/build.py);
every quoted post carries the key of its stored item and the SHA-256 of the
quoted text (:func:`text_hash`), numbered ``ref`` for the reader.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KIND_LABELS = {"daily": "日报", "weekly": "周报", "monthly": "月报", "special": "专报",
               "review": "处置总结"}


def text_hash(text: str) -> str:
    """Return the SHA-256 hex digest of ``text`` encoded as UTF-8 (the quoted text's hash)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Figure:
    """One headline figure: ``label`` (e.g. 信息总量), ``value`` as shown, optional ``note``."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Post:
    """A typical post quoted in the report.

    ``ref`` is its number in the report; ``quote`` the quoted text (the
    stored text, shortened with an ellipsis when long) and ``quote_hash``
    its :func:`text_hash`; ``link`` points at the stored item in the web
    app, ``url`` at the original page (may be empty).
    """

    ref: int
    key: str
    quote: str
    quote_hash: str
    source: str
    author: str
    published: str
    sentiment: str
    engagement: int
    link: str
    url: str


@dataclass(frozen=True)
class Chart:
    """A rendered chart: ``name`` (file stem), ``title`` and the PNG bytes."""

    name: str
    title: str
    png: bytes


#: the table columns that hold counts: HTML and PDF show their integers with thousands
#: separators (``12,345``); XLSX keeps them as numbers
COUNT_COLUMNS = frozenset({"信息量", "负面", "涉敏", "突发", "互动量", "条数", "总量", "中性",
                           "正面", "未判定"})


@dataclass(frozen=True)
class Table:
    """A data table: ``title``, ``columns`` and ``rows`` of plain values (str, int, float)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Report:
    """A whole report. ``zero`` marks a zero report (零报告: nothing matched in the period),
    which has figures and a statement but no charts, tables or posts. ``as_of`` is the
    moment its figures hold for (the earlier of the period's end and the time it was
    made; None for the subject reports, whose figures hold at ``generated_at``); ``lang``
    its language (reports/lang.py: table titles and columns are Chinese ids translated
    when written, every other text is in ``lang``)."""

    kind: str
    title: str
    organisation: str
    period_label: str
    since: datetime
    until: datetime
    generated_at: datetime
    tz: str
    as_of: datetime | None = None
    lang: str = "zh"
    scheme: str | None = None
    subject: str | None = None
    zero: bool = False
    summary: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        """Return the Chinese name of the kind (日报, 周报...)."""
        return KIND_LABELS.get(self.kind, self.kind)

    def table(self, title: str) -> Table | None:
        """Return the table titled ``title``, or None."""
        return next((t for t in self.tables if t.title == title), None)
