"""The table of language-model event summaries (migration branch ``llm``, 0014_llm.py).

``event_summaries`` keeps every summary written (assist/summary.py), newest last:
the event and its size then, the model, the whole prompt sent, the raw answer, the
sentences kept (``[{"text", "keys"}]``), how many were dropped for lack of support,
the keys of the items the kept sentences cite, and the seconds the endpoint took.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from yuqing.store.tables import UTCDateTime, json_type, metadata

event_summaries = Table(
    "event_summaries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String, nullable=False),
    Column("event_size", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("model", String, nullable=False),
    Column("prompt", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("sentences", json_type(), nullable=False),
    Column("dropped", Integer, nullable=False),
    Column("cited", json_type(), nullable=False),
    Column("seconds", Float, nullable=False),
    Index("ix_event_summaries_event", "event_id", "id"),
    sqlite_autoincrement=True,
)
