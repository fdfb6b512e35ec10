"""Petitions (信访举报): protected contacts, and repeat and cross-level detection.

Intake channels are 信 letter, 访 visit, 网 web, 电 phone and 微 WeChat. A
contact is shown masked; the same petitioner is found again by keyed hashes
(HMAC-SHA256 under a secret kept in the store) of the ID number, the phone
number, and name with address (any one shared). A petition repeats an earlier
one when the same petitioner raises a similar matter, or anyone raises a closely
similar matter (IDF-weighted character-bigram overlap; thresholds chosen on
tests/fixtures/petitions, measured with ``yuqing eval petitions``). It is
cross-level (越级) when addressed more than one level above the level
responsible: the level of the accused unit (from the configured units, else the
last administrative word in its name), county when unknown (属地管理: matters
start where they arise).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yuqing.domain import BadInput, Contact
from yuqing.pipeline.dedup import ngram_set

CHANNELS = ("letter", "visit", "web", "phone", "wechat")
CHANNEL_LABELS = {"letter": "信", "visit": "访", "web": "网", "phone": "电", "wechat": "微"}
LEVELS = ("township", "county", "city", "province", "national")
DEFAULT_RESPONSIBLE_LEVEL = "county"

# Thresholds on the IDF-weighted subject overlap, chosen on the odd-numbered matters of
# tests/fixtures/petitions (grid search, best F1) and reported on the even ones.
#: same petitioner
SAME_PERSON_SIMILARITY = 0.04
#: another or unknown petitioner, same accused
SAME_MATTER_SIMILARITY = 0.10
#: another or unknown petitioner, accused different or not given
SAME_TEXT_SIMILARITY = 0.20
#: two accused names are the same when their bigram overlap (shared / smaller set) is
#: at least this (城关镇政府 vs 城关镇人民政府: 0.75)
SAME_ACCUSED_SIMILARITY = 0.6

# the administrative word that sets a unit's level; the last one in a name wins
_LEVEL_WORDS = (
    ("national", r"国务院|国家|中央|部$"),
    ("province", r"省|自治区"),
    ("city", r"市(?!场)|州|盟"),
    ("county", r"县|(?<![小社园])区|旗"),
    ("township", r"镇|(?<!城)乡(?!村)|街道|社区|小区|(?<!农)村"),
)
_LEVEL_RE = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _LEVEL_WORDS))
_NOT_WORD = re.compile(r"[\W_]+")
_GENERIC_UNIT = re.compile(
    r"(人民政府|政府|村民委员会|居民委员会|委员会|办事处|有限责任公司|有限公司|"
    r"公司|管理局|局|厅|中心|大队|支队)$"
)


@dataclass
class PetitionText:
    """What matching looks at: ``id``, ``case_id``, ``identity`` hash, subject
    bigrams and accused bigrams (built once per petition)."""

    id: int
    case_id: int
    identity: frozenset[str]
    subject: set[str] = field(default_factory=set)
    accused: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class RepeatMatch:
    """An earlier petition a new one repeats: its id and case, the score, and why."""

    petition_id: int
    case_id: int
    score: float
    reason: str


def mask(value: str | None, keep_start: int, keep_end: int) -> str:
    """Return ``value`` with all but ``keep_start`` leading and ``keep_end`` trailing
    characters replaced by ``*`` (empty string for None)."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return value[:1] + "*" * (len(value) - 1)
    tail = value[len(value) - keep_end:]
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + tail


def masked_contact(contact: Contact) -> str:
    """Return the contact as shown on screens: ``张* 138****5678 110101**********1234``
    (address kept to its first 6 characters)."""
    parts = [mask(contact.name, 1, 0), mask(_digits(contact.phone), 3, 4),
             mask(contact.id_number, 6, 4),
             (contact.address or "")[:6] + ("…" if len(contact.address or "") > 6 else "")]
    return " ".join(p for p in parts if p)


def _digits(value: str | None) -> str:
    """Return the digits of ``value`` (the last 11 for a phone with a country code)."""
    digits = re.sub(r"\D", "", value or "")
    return digits[-11:] if len(digits) > 11 and digits.startswith("86") else digits


def identity_hash(contact: Contact, key: str) -> str | None:
    """Return the hashes naming the petitioner, space-separated (one each for the
    ID number, the phone, and name + address when both are given), or None when
    the contact says nothing that identifies. Two petitions share a petitioner
    when they share any hash.

    Each is HMAC-SHA256 under ``key`` (the deployment's secret, see
    cases/intake.py), cut to 24 hex digits: a plain hash of a phone number is
    reversed by hashing the 10^11 possible numbers, a keyed one is not without
    the key, which lives apart from the petition rows.
    """
    keys = []
    if contact.id_number and contact.id_number.strip():
        keys.append("id:" + contact.id_number.strip().upper())
    if _digits(contact.phone):
        keys.append("phone:" + _digits(contact.phone))
    if contact.name and contact.address:
        keys.append("name:" + normalize(contact.name) + "|" + normalize(contact.address))
    hashes = [hmac.new(key.encode(), k.encode(), hashlib.sha256).hexdigest()[:24] for k in keys]
    return " ".join(hashes) or None


def normalize(text: str) -> str:
    """Return ``text`` NFKC-folded, lower-cased, without punctuation or spaces."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def bigrams(text: str | None) -> set[str]:
    """Return the character bigrams of the normalised ``text`` (empty for None)."""
    words = normalize(text or "")
    return ngram_set(words, 2) if words else set()


def overlap(a: set[str], b: set[str]) -> float:
    """Return |a & b| / min(|a|, |b|) (0.0 when either is empty)."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def infer_level(unit: str | None, known: Mapping[str, str] | None = None) -> str:
    """Return the level responsible for ``unit``: its configured level, else
    the last administrative word in its name, else DEFAULT_RESPONSIBLE_LEVEL."""
    if not unit:
        return DEFAULT_RESPONSIBLE_LEVEL
    if known and unit in known:
        return known[unit]
    found = [m.lastgroup for m in _LEVEL_RE.finditer(unit)]
    return found[-1] if found and found[-1] else DEFAULT_RESPONSIBLE_LEVEL


def check_level(level: str, what: str) -> str:
    """Return ``level`` if it is one of LEVELS; raises BadInput naming ``what``."""
    if level not in LEVELS:
        raise BadInput(f"{what} {level!r}: expected one of {', '.join(LEVELS)}")
    return level


def is_cross_level(addressed_level: str, responsible_level: str) -> bool:
    """Return True when a petition skipped a level (越级): addressed more than one
    level above the level responsible. A petition goes to the body with the
    power to handle it or to the one directly above (信访条例 2005, art. 16;
    kept by 信访工作条例 2022)."""
    return LEVELS.index(addressed_level) > LEVELS.index(responsible_level) + 1


def idf_weights(docs: Sequence[set[str]]) -> tuple[dict[str, float], float]:
    """Return (bigram -> inverse document frequency over ``docs``, the weight of an
    unseen bigram) (``idf_from_counts``)."""
    return idf_from_counts(Counter(g for doc in docs for g in doc), len(docs))


def idf_from_counts(df: Mapping[str, int], n: int) -> tuple[dict[str, float], float]:
    """Return (bigram -> inverse document frequency, the weight of an unseen bigram) for
    ``n`` documents of which ``df[g]`` have bigram g: ``ln((n + 1) / (df + 1)) + 1``
    (at least 1), so words every petition uses (反映, 问题, 部门) count little."""
    return {g: math.log((n + 1) / (c + 1)) + 1 for g, c in df.items()}, math.log(n + 1) + 1


def weighted_overlap(a: set[str], b: set[str], idf: Mapping[str, float], unseen: float) -> float:
    """Return the IDF weight of ``a & b`` over the weight of the lighter set (0.0 if one is
    empty)."""
    if not a or not b:
        return 0.0
    shared = sum(idf.get(g, unseen) for g in a & b)
    return shared / min(sum(idf.get(g, unseen) for g in a), sum(idf.get(g, unseen) for g in b))


def find_repeat(new: PetitionText, earlier: Sequence[PetitionText],
                idf: tuple[Mapping[str, float], float] | None = None) -> RepeatMatch | None:
    """Return the earlier petition ``new`` repeats best, or None.

    The subject similarity is the IDF-weighted bigram overlap (``idf``: the
    weights and the unseen weight, by default ``idf_weights`` over ``earlier``).
    Same petitioner: similarity >= SAME_PERSON_SIMILARITY; another or unknown
    petitioner: >= SAME_MATTER_SIMILARITY about the same accused, else >=
    SAME_TEXT_SIMILARITY. Ties go to the earliest petition.
    """
    weights, unseen = idf or idf_weights([old.subject for old in earlier])
    best: RepeatMatch | None = None
    for old in earlier:
        score = weighted_overlap(new.subject, old.subject, weights, unseen)
        if new.identity & old.identity:
            ok, reason = score >= SAME_PERSON_SIMILARITY, "same petitioner"
        elif new.accused and overlap(new.accused, old.accused) >= SAME_ACCUSED_SIMILARITY:
            ok, reason = score >= SAME_MATTER_SIMILARITY, "same matter, same accused"
        else:
            ok, reason = score >= SAME_TEXT_SIMILARITY, "same matter"
        if ok and (best is None or score > best.score):
            best = RepeatMatch(old.id, old.case_id, round(score, 3), reason)
    return best


def accused_bigrams(accused: str | None) -> set[str]:
    """Return the bigrams of an accused unit's name without its generic kind
    (人民政府, 委员会, 局, 有限公司...), so that 区教育局 and 县教育局 differ by place."""
    return bigrams(_GENERIC_UNIT.sub("", normalize(accused or "")))


def petition_text(row: Mapping[str, Any]) -> PetitionText:
    """Return the matching view of a stored petition row (id, case_id, identity_hash,
    subject, accused)."""
    return PetitionText(int(row["id"]), int(row["case_id"]),
                        frozenset((row.get("identity_hash") or "").split()),
                        bigrams(row.get("subject")), accused_bigrams(row.get("accused")))
