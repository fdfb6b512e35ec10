"""Tables of case handling: cases, their append-only audit log, attachments,
deadlines, assisting units, links, and petitions with their protected contacts.

The audit log ``case_log`` is append-only: store/cases.py has no update or
delete for it, and the migration adds triggers that refuse UPDATE and
DELETE on both backends. A petitioner's contact lives in its own table
``petition_contacts`` so that listings never read it; it is read only
through a function that logs the access.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from yuqing.store.tables import UTCDateTime, json_type, metadata


def _case_fk() -> ForeignKey:
    """Return a new foreign key to ``cases.id`` (deleting a case deletes its rows)."""
    return ForeignKey("cases.id", ondelete="CASCADE")


cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("summary", Text),
    Column("origin", String, nullable=False),        # alert, event, item, petition, manual
    Column("origin_ref", String),
    Column("channel", String, nullable=False),       # online, letter, visit, web, phone, wechat
    Column("state", String, nullable=False),
    Column("handling_class", Integer),               # confirmed by a person
    Column("suggested_class", Integer),              # pre-filled by the analysis
    Column("owner_unit", String, nullable=False),    # first-contact ownership
    Column("opened_by", String, nullable=False),
    Column("discovered_at", UTCDateTime, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("merged_into", Integer),
    Index("ix_cases_state", "state"),
    Index("ix_cases_owner_unit", "owner_unit"),
    Index("ix_cases_opened_at", "opened_at"),
    sqlite_autoincrement=True,
)

case_log = Table(
    "case_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, _case_fk(), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("role", String, nullable=False),
    Column("action", String, nullable=False),        # "move" or an action name
    Column("from_state", String),
    Column("to_state", String),
    Column("note", Text),
    Column("data", json_type(), nullable=False),
    Index("ix_case_log_case_id", "case_id"),
    sqlite_autoincrement=True,
)

case_attachments = Table(
    "case_attachments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, _case_fk(), nullable=False),
    Column("name", Text, nullable=False),
    Column("sha256", String, nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("added_by", String, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    UniqueConstraint("case_id", "sha256", name="uq_case_attachments_hash"),
    sqlite_autoincrement=True,
)

case_deadlines = Table(
    "case_deadlines",
    metadata,
    Column("case_id", Integer, _case_fk(), primary_key=True),
    Column("policy", String, primary_key=True),
    Column("met_by", String, nullable=False),
    Column("start", UTCDateTime, nullable=False),
    Column("due", UTCDateTime, nullable=False),
    Column("provisional", Boolean, nullable=False),
    Column("met_at", UTCDateTime),
    Column("reminded_at", UTCDateTime),
    Column("escalated_at", UTCDateTime),
    Index("ix_case_deadlines_due", "due"),
)

case_assists = Table(
    "case_assists",
    metadata,
    Column("case_id", Integer, _case_fk(), primary_key=True),
    Column("unit", String, primary_key=True),
    Column("requested_by", String, nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
)

case_links = Table(
    "case_links",
    metadata,
    Column("case_id", Integer, _case_fk(), primary_key=True),
    Column("kind", String, primary_key=True),        # item, case, alert, event, petition
    Column("ref", String, primary_key=True),
    Column("score", Float),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_case_links_ref", "kind", "ref"),
)

petitions = Table(
    "petitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, _case_fk(), nullable=False),
    Column("channel", String, nullable=False),       # letter, visit, web, phone, wechat
    Column("received_at", UTCDateTime, nullable=False),
    Column("unit", String, nullable=False),          # the receiving unit
    Column("subject", Text, nullable=False),
    Column("accused", Text),
    Column("addressed_level", String, nullable=False),
    Column("responsible_level", String),
    Column("identity_hash", String),                 # space-separated hashes
    Column("contact_masked", Text, nullable=False),
    Column("repeat_of", Integer),
    Column("repeat_score", Float),
    Column("cross_level", Boolean, nullable=False),
    Column("gram_count", Integer),                   # subject bigrams; NULL: not indexed yet
    Index("ix_petitions_received_at", "received_at"),
    Index("ix_petitions_unindexed", "id", sqlite_where=text("gram_count IS NULL"),
          postgresql_where=text("gram_count IS NULL")),
    sqlite_autoincrement=True,
)

# The repeat index of petitions (cases/intake.py): kind "s" rows are the subject's
# character bigrams, kind "i" the petitioner's identity hashes.
petition_terms = Table(
    "petition_terms",
    metadata,
    Column("petition_id", Integer, ForeignKey("petitions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("kind", String(1), primary_key=True),
    Column("term", String, primary_key=True),
    # newest first per term (migration 0016_growth15)
    Index("ix_petition_terms_recent", "kind", "term", "petition_id"),
)

# How many petitions ever indexed have each subject bigram (never decreased), and under
# the empty term how many petitions were ever indexed: the document frequencies of the
# repeat weights (cases/intake.py).
petition_gram_counts = Table(
    "petition_gram_counts",
    metadata,
    Column("term", String, primary_key=True),
    Column("n", Integer, nullable=False),
)

petition_contacts = Table(
    "petition_contacts",
    metadata,
    Column("petition_id", Integer, ForeignKey("petitions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("name", Text),
    Column("phone", Text),
    Column("id_number", Text),
    Column("address", Text),
)
