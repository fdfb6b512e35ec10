"""Tables of the scale-out mode (migration branch ``scaleout``, 0012_scaleout.py).

- ``scaleout_counters``: named counters: ``ticket`` (the next batch ticket to issue),
  ``commit`` (the lowest ticket whose batch may not have committed yet: batches
  commit their shared state in ticket order, store/scaleout.py) and ``stalled`` (since
  when, in ms since the epoch, no live batch holds that ticket; 0: it is held).
- ``batch_done``: the tickets whose batch committed, with the batch's counts
  (``outcome``: the ``ingest --json`` shape), so a batch delivered twice (a worker
  killed after its commit, before its acknowledgement) does nothing the second time,
  and whoever enqueued it can read what it did.
- ``source_leases``: one row per polled source: who polls it now and until when
  (``holder``, ``lease_until``), and until when a poll of it sits in the broker's
  queue (``queued_until``), so each source is polled by one worker at a time.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table

from yuqing.store.tables import UTCDateTime, json_type, metadata

scaleout_counters = Table(
    "scaleout_counters",
    metadata,
    Column("name", String, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

batch_done = Table(
    "batch_done",
    metadata,
    Column("ticket", BigInteger, primary_key=True, autoincrement=False),
    Column("done_at", UTCDateTime, nullable=False),
    Column("outcome", json_type()),
)

source_leases = Table(
    "source_leases",
    metadata,
    Column("name", String, primary_key=True),
    Column("holder", String),
    Column("lease_until", UTCDateTime),
    Column("queued_until", UTCDateTime),
)
