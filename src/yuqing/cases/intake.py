"""Petition intake on the store: repeat and cross-level detection, links, protected contacts.

A new petition is compared with the earlier petitions its receiving unit may
read: those in the cases owned by the unit or by a unit under it
(cases/units.py), never a sibling's or a parent's, so that taking in a
petition reveals nothing of another unit (not even, by the answer, that a
phone number petitioned there). A repeat joins the earlier petition's case
(following merges) when the receiving unit owns that case. A repeat of a
petition in a case owned by a unit under it (a township's matter raised
again at the county) opens a case of the receiving unit, linked to the
earlier case and marked ``repeat_of`` the earlier petition: the parent sees
both, the child does not see the parent's petition, which may complain
about the child itself (《信访工作条例》: a complaint is not passed to the
accused). Otherwise it opens a case owned by the receiving unit. Either way
it is linked to stored online items about the same accused and matter. The
contact is stored apart and shown masked; reading it is logged.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from yuqing.cases import petitions as pet
from yuqing.cases import workflow
from yuqing.cases.deadlines import parse_time
from yuqing.cases.inputs import PetitionInput
from yuqing.cases.service import CaseService
from yuqing.cases.units import units_under
from yuqing.domain import BadInput, Contact, Petition, PetitionContact, PetitionIntake
from yuqing.pipeline.dedup import jaccard
from yuqing.store import Store
from yuqing.store.shared_secrets import shared_secret

#: how far back a repeat is looked for, days
REPEAT_WINDOW_DAYS = 365
#: an online item is about the same matter when its text's bigram Jaccard with
#: the subject is at least this (and it names the accused)
ITEM_LINK_SIMILARITY = 0.08
#: online items looked at per petition
ITEM_CANDIDATES = 50
#: the rarest bigrams of a new subject (fewest petitions ever) whose petitions are
#: candidates of a repeat: on tests/fixtures/petitions, 12 give every decision that
#: reading all the petitions in reach gives, 8 miss two (tests/cases/test_intake.py)
RARE_GRAMS = 12
#: petitions read per rare bigram: the ones indexed last (the most recent)
RECENT_PER_GRAM = 100
#: name of the store's secret that keys the petitioner hashes (petitions.identity_hash)
PETITIONER_KEY = "petitioner-identity"


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
                 role: str) -> PetitionIntake:
    """Take in one petition; return what was stored and done (``PetitionIntake``: the
    petition, whether it opened a new case, the repeat's reason, the linked items).

    Raises BadInput for unknown contact fields, an unparsable time, an unknown
    channel or level, or an empty subject.
    """
    contact = p.petitioner()
    received = parse_time(p.received_at, service.tz) if p.received_at else service.clock()
    if p.channel not in pet.CHANNELS:
        raise BadInput(f"petition channel {p.channel!r}: expected one of {', '.join(pet.CHANNELS)}")
    if not p.subject.strip():
        raise BadInput("petition: the subject is empty")
    service.check_actor(actor, role, "take in a petition", workflow.ACTIONS["petition"])
    addressed, responsible = _levels(service, p)
    identity = pet.identity_hash(contact, shared_secret(service.store, PETITIONER_KEY))
    new = pet.PetitionText(0, 0, frozenset((identity or "").split()), pet.bigrams(p.subject),
                           pet.accused_bigrams(p.accused))
    seen = units_under(service.config.cases.units, service.store, p.unit)
    match = stored_repeat(service.store, new, received - timedelta(days=REPEAT_WINDOW_DAYS), seen)
    cross = pet.is_cross_level(addressed, responsible)
    joined = None if match is None else _joinable(service, match.case_id, p.unit)
    if joined is None:
        case_id = service.open_case(p.subject[:60], actor=actor, role=role, unit=p.unit,
                                    origin="petition", channel=p.channel, summary=p.subject,
                                    discovered_at=received)
    else:
        case_id = joined
    with service.store.transaction() as tx:
        if match is not None and joined is None:
            tx.cases.add_link({"case_id": case_id, "kind": "case", "ref": str(match.case_id),
                               "score": match.score, "created_at": service.clock()})
        values: dict[str, Any] = {
            "case_id": case_id, "channel": p.channel, "received_at": received,
            "unit": p.unit, "subject": p.subject, "accused": p.accused,
            "addressed_level": addressed, "responsible_level": responsible,
            "identity_hash": identity, "contact_masked": pet.masked_contact(contact),
            "repeat_of": match.petition_id if match else None,
            "repeat_score": match.score if match else None, "cross_level": cross,
        }
        pid = tx.petitions.insert(values, contact, new.subject)
        state = service.case(tx, case_id).state
        service.log(tx, case_id, actor, role, "petition", (state, state), None,
                    {"petition_id": pid, "repeat": bool(match), "cross_level": cross})
        tx.cases.add_link({"case_id": case_id, "kind": "petition", "ref": str(pid),
                           "score": None, "created_at": service.clock()})
    linked = link_items(service, case_id, p.subject, p.accused)
    return PetitionIntake(Petition(id=pid, **values), new_case=joined is None,
                          repeat_reason=match.reason if match else None, linked_items=linked)


def stored_repeat(store: Store, new: pet.PetitionText, since: datetime,
                  units: Collection[str] | None) -> pet.RepeatMatch | None:
    """Return what ``pet.find_repeat`` returns for ``new`` against the candidates among the
    petitions received at or after ``since`` in the cases of ``units`` (None: every case),
    with the IDF of the store's counts of every petition ever indexed.

    The candidates (``PetitionsRepository.recent_sharing``): every petition sharing one of
    ``new``'s identity hashes, and the RECENT_PER_GRAM petitions indexed last with each of
    the RARE_GRAMS rarest bigrams of ``new``'s subject (bigrams no petition had are left
    out). The reads are bounded by those two numbers and the petitioner's own petitions,
    not by the petitions of the year (docs/SCALEOUT.md, "Petition intake").
    """
    index_missing(store)
    if not new.subject:
        return None
    n, df = store.petitions.gram_counts(new.subject)
    rare = sorted((g for g in new.subject if g in df), key=lambda g: (df[g], g))[:RARE_GRAMS]
    rows = store.petitions.recent_sharing(since, units, rare, new.identity, RECENT_PER_GRAM)
    earlier = [pet.petition_text(r) for r in rows]
    wanted = set().union(*(old.subject for old in earlier)) - new.subject
    if wanted:
        df.update(store.petitions.gram_counts(wanted)[1])
    return pet.find_repeat(new, earlier, pet.idf_from_counts(df, n))


def index_missing(store: Store) -> None:
    """Put the petitions stored before the repeat index (or without it) in it."""
    while rows := store.petitions.unindexed():
        store.petitions.index({int(r["id"]): pet.bigrams(r["subject"]) for r in rows})


def _joinable(service: CaseService, case_id: int, unit: str) -> int | None:
    """Return the case ``case_id`` was merged into (or itself) when ``unit`` owns it,
    else None (the repeat opens a case of its own)."""
    target = service.store.cases.follow_merges(case_id)
    case = service.store.cases.get(target)
    return target if case is not None and case.owner_unit == unit else None


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
    with service.store.transaction() as tx:
        for score, key in keep:
            tx.cases.add_link({"case_id": case_id, "kind": "item", "ref": key,
                               "score": round(score, 3), "created_at": service.clock()})
    return [k for _, k in keep]


def reveal_contact(service: CaseService, petition_id: int, *, actor: str, role: str,
                   reason: str) -> PetitionContact:
    """Return the full contact of a petition, logging who read it, when and why
    (action ``contact_access`` in its case's audit log)."""
    with service.store.transaction() as tx:
        found = tx.petitions.get(petition_id)
        if found is None:
            raise BadInput(f"petition {petition_id}: no such petition")
        state = service.case(tx, found.case_id).state
        what = f"petition {petition_id} contact"
        service.check_actor(actor, role, what, workflow.ACTIONS["contact_access"])
        note = workflow.check_note(what, reason, "why the contact is needed")
        service.log(tx, found.case_id, actor, role, "contact_access", (state, state), note,
                    {"petition_id": petition_id})
        contact = tx.petitions.contact(petition_id)
    return PetitionContact(petition_id, contact or Contact())
