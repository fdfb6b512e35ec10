"""Petition intake on the store: repeat and cross-level detection, links, protected contacts.

A new petition that repeats an earlier one (cases/petitions.py) joins the
earlier petition's case (following merges) instead of opening a fresh
case; otherwise it opens a case owned by the receiving unit. Either way it
is linked to stored online items about the same accused and matter. The
contact is stored apart and shown masked; reading it is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from yuqing.cases import petitions as pet
from yuqing.cases import workflow
from yuqing.cases.service import CaseService, to_json
from yuqing.domain import BadInput
from yuqing.pipeline.dedup import jaccard
from yuqing.store import cases as q
from yuqing.store.shared_secrets import shared_secret

#: how far back a repeat is looked for, days
REPEAT_WINDOW_DAYS = 365
#: an online item is about the same matter when its text's bigram Jaccard with
#: the subject is at least this (and it names the accused)
ITEM_LINK_SIMILARITY = 0.08
#: online items looked at per petition
ITEM_CANDIDATES = 50
#: name of the store's secret that keys the petitioner hashes (petitions.identity_hash)
PETITIONER_KEY = "petitioner-identity"


@dataclass
class PetitionInput:
    """One petition as received. ``unit`` receives it; ``addressed_level``
    defaults to that unit's configured level; ``responsible_level`` defaults
    to the accused unit's level (petitions.infer_level)."""

    channel: str
    subject: str
    unit: str
    accused: str | None = None
    addressed_level: str | None = None
    responsible_level: str | None = None
    contact: pet.Contact = field(default_factory=pet.Contact)
    received_at: datetime | None = None


def _levels(service: CaseService, p: PetitionInput) -> tuple[str, str]:
    """Return (addressed, responsible) levels, checked."""
    known = {u.name: u.level for u in service.config.cases.units}
    if known and p.unit not in known:
        raise BadInput(f"petition: receiving unit {p.unit!r} is not configured "
                       f"(units: {', '.join(known)})")
    addressed = p.addressed_level or known.get(p.unit)
    if addressed is None:
        raise BadInput(f"petition: give the level it was addressed to (unit {p.unit!r} "
                       f"is not configured); one of {', '.join(pet.LEVELS)}")
    responsible = p.responsible_level or pet.infer_level(p.accused, known)
    return (pet.check_level(addressed, "addressed level"),
            pet.check_level(responsible, "responsible level"))


def add_petition(service: CaseService, p: PetitionInput, *, actor: str,
                 role: str) -> dict[str, Any]:
    """Take in one petition; return ``{"petition_id", "case_id", "new_case",
    "repeat_of", "repeat_score", "repeat_reason", "cross_level",
    "responsible_level", "linked_items", "contact"}`` (contact masked).

    Raises BadInput for an unknown channel or level, or an empty subject.
    """
    if p.channel not in pet.CHANNELS:
        raise BadInput(f"petition channel {p.channel!r}: expected one of {', '.join(pet.CHANNELS)}")
    if not p.subject.strip():
        raise BadInput("petition: the subject is empty")
    service.check_actor(actor, role, "take in a petition", workflow.ACTIONS["petition"])
    addressed, responsible = _levels(service, p)
    received = p.received_at or service.clock()
    identity = pet.identity_hash(p.contact, shared_secret(service.store, PETITIONER_KEY))
    new = pet.PetitionText(0, 0, frozenset((identity or "").split()), pet.bigrams(p.subject),
                           pet.accused_bigrams(p.accused))
    with service.store.read() as conn:
        earlier = [pet.petition_text(r) for r in q.petition_candidates(
            conn, received - timedelta(days=REPEAT_WINDOW_DAYS))]
    match = pet.find_repeat(new, earlier)
    cross = pet.is_cross_level(addressed, responsible)
    if match is None:
        case_id = service.open_case(p.subject[:60], actor=actor, role=role, unit=p.unit,
                                    origin="petition", channel=p.channel, summary=p.subject,
                                    discovered_at=received)
    with service.store.write() as conn:
        if match is not None:
            case_id = _follow_merges(conn, match.case_id)
        pid = q.insert_petition(conn, {
            "case_id": case_id, "channel": p.channel, "received_at": received,
            "unit": p.unit, "subject": p.subject, "accused": p.accused,
            "addressed_level": addressed, "responsible_level": responsible,
            "identity_hash": identity, "contact_masked": pet.masked_contact(p.contact),
            "repeat_of": match.petition_id if match else None,
            "repeat_score": match.score if match else None, "cross_level": cross,
        }, p.contact.as_row())
        state = service.case_row(conn, case_id)["state"]
        service.log(conn, case_id, actor, role, "petition", (state, state), None,
                    {"petition_id": pid, "repeat": bool(match), "cross_level": cross})
        q.add_link(conn, {"case_id": case_id, "kind": "petition", "ref": str(pid),
                          "score": None, "created_at": service.clock()})
    linked = link_items(service, case_id, p.subject, p.accused)
    return {"petition_id": pid, "case_id": case_id, "new_case": match is None,
            "repeat_of": match.petition_id if match else None,
            "repeat_score": match.score if match else None,
            "repeat_reason": match.reason if match else None, "cross_level": cross,
            "addressed_level": addressed, "responsible_level": responsible,
            "linked_items": linked, "contact": pet.masked_contact(p.contact)}


def _follow_merges(conn: Connection, case_id: int) -> int:
    """Return the case ``case_id`` was (transitively) merged into, or itself."""
    seen = {case_id}
    row = q.get_case(conn, case_id)
    while row is not None and row["merged_into"] is not None and row["merged_into"] not in seen:
        seen.add(row["merged_into"])
        row = q.get_case(conn, row["merged_into"])
    return int(row["id"]) if row is not None else case_id


def link_items(service: CaseService, case_id: int, subject: str,
               accused: str | None) -> list[str]:
    """Link the case to stored items that name ``accused`` and resemble ``subject``;
    return the linked item keys (best first)."""
    query = pet.normalize(accused or "")
    if len(query) < 2:
        return []
    try:
        found = service.store.search(query, limit=ITEM_CANDIDATES)
    except ValueError:
        return []
    wanted = pet.bigrams(subject)
    scored = sorted(((jaccard(wanted, pet.bigrams(it.match_text)), it.key) for it in found),
                    reverse=True)
    keep = [(s, k) for s, k in scored if s >= ITEM_LINK_SIMILARITY]
    if not keep:
        return []
    with service.store.write() as conn:
        for score, key in keep:
            q.add_link(conn, {"case_id": case_id, "kind": "item", "ref": key,
                              "score": round(score, 3), "created_at": service.clock()})
    return [k for _, k in keep]


def reveal_contact(service: CaseService, petition_id: int, *, actor: str, role: str,
                   reason: str) -> dict[str, Any]:
    """Return the full contact of a petition, logging who read it, when and why
    (action ``contact_access`` in its case's audit log)."""
    with service.store.write() as conn:
        found = q.get_petition(conn, petition_id)
        if found is None:
            raise BadInput(f"petition {petition_id}: no such petition")
        case_id = int(found["case_id"])
        state = service.case_row(conn, case_id)["state"]
        what = f"petition {petition_id} contact"
        service.check_actor(actor, role, what, workflow.ACTIONS["contact_access"])
        note = workflow.check_note(what, reason, "why the contact is needed")
        service.log(conn, case_id, actor, role, "contact_access", (state, state), note,
                    {"petition_id": petition_id})
        contact = q.read_contact(conn, petition_id) or {}
    return to_json(contact, service.tz)
