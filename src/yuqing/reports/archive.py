"""Store a generated report with its evidence: the items it quotes and their quote hashes."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from yuqing.reports.model import Report
from yuqing.store import Store


def report_digest(report: Report) -> str:
    """Return the SHA-256 of the report's content (kind, period, figures, sentences, quoted
    keys and quote hashes) as canonical JSON; equal content gives an equal digest."""
    doc = {
        "kind": report.kind, "since": report.since.isoformat(), "until": report.until.isoformat(),
        "scheme": report.scheme, "subject": report.subject,
        "figures": [[f.label, f.value, f.note] for f in report.figures],
        "summary": report.summary, "suggestions": report.suggestions,
        "posts": [[p.ref, p.key, p.quote_hash] for p in report.posts],
    }
    blob = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def save_report(store: Store, report: Report, schedule: str | None = None,
                now: datetime | None = None, *, fmt: str | None = None,
                content: bytes | None = None, created_by: str | None = None,
                unit: str | None = None) -> int | None:
    """Store ``report``, one evidence row per quoted post and, when given, the file
    ``content`` in format ``fmt`` (kept for the history of generated reports); return the
    report id. ``created_by`` names who made it (a user, ``cli``; None for a schedule);
    ``unit`` the unit whose cases it counts (None: every unit), who may download it again.

    Returns None (nothing written) when ``schedule`` already stored a report
    for this period, so a scheduled report is made and sent once.
    """
    row = {"kind": report.kind, "period_start": report.since, "period_end": report.until,
           "scheme": report.scheme, "subject": report.subject, "title": report.title,
           "digest": report_digest(report), "schedule": schedule,
           "created_at": now or datetime.now(UTC), "created_by": created_by, "format": fmt,
           "unit": unit}
    evidence = [{"ref": p.ref, "item_key": p.key, "role": "typical_post",
                 "text_hash": p.quote_hash} for p in report.posts]
    return store.reports.record(row, evidence, content)
