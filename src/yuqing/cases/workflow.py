"""The case workflow (处置流程) as a state machine: states, allowed roles, required notes.

收集 collected → 核实 verified → 报送 reported → 处置 handling → 回复 replied →
跟踪 tracking → 总结 reviewed → closed (ARCHITECTURE.md, "case workflow");
from any open state a case may also be rejected as not ours (with a
reason) or merged into another case. Each move names the roles allowed to
make it and whether a note is required (the reply text, the review
summary, the reason). Actions (leader review, referral...) are recorded
without changing the state; playbooks.py says which a class needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from yuqing.domain import BadInput

STATES = ("collected", "verified", "reported", "handling", "replied", "tracking",
          "reviewed", "closed", "rejected", "merged")
OPEN_STATES = STATES[:7]
TERMINAL_STATES = ("closed", "rejected", "merged")
STATE_LABELS = {"collected": "收集", "verified": "核实", "reported": "报送", "handling": "处置",
                "replied": "回复", "tracking": "跟踪", "reviewed": "总结", "closed": "办结",
                "rejected": "不予受理", "merged": "已合并"}
ROLES = ("monitor", "handler", "leader", "admin")


@dataclass(frozen=True)
class Move:
    """One allowed move: ``roles`` that may make it; ``note`` is what the
    required note must hold, or None when a note is optional."""

    source: tuple[str, ...]
    target: str
    roles: frozenset[str]
    note: str | None = None


_STAFF = frozenset({"monitor", "handler", "leader", "admin"})
_HANDLERS = frozenset({"handler", "leader", "admin"})
_LEADERS = frozenset({"leader", "admin"})

MOVES: tuple[Move, ...] = (
    Move(("collected",), "verified", _STAFF, "what was verified and how"),
    Move(("verified",), "reported", _HANDLERS),
    Move(("reported",), "handling", _HANDLERS),
    Move(("handling",), "replied", _HANDLERS, "the reply text"),
    Move(("replied",), "tracking", _HANDLERS),
    Move(("tracking",), "reviewed", _LEADERS, "the review summary"),
    Move(("reviewed",), "closed", _LEADERS),
    Move(OPEN_STATES, "rejected", _HANDLERS, "the reason the case is not ours"),
    Move(OPEN_STATES, "merged", _HANDLERS, "why the cases are one matter"),
)

#: actions recorded in the audit log without a change of state: action -> roles allowed
ACTIONS: dict[str, frozenset[str]] = {
    "leader_review": _LEADERS,      # the responsible leader reviewed the reply (class 1)
    "facts_published": _HANDLERS,   # the facts were published (class 2)
    "clarified": _HANDLERS,         # a clarification was issued (class 3)
    "referred": _HANDLERS,          # referred to law enforcement (class 3)
    "adopted": _HANDLERS,           # the suggestion is adopted (class 4)
    "declined": _HANDLERS,          # the suggestion is declined (class 4)
    "comment": _STAFF,
    "assist": _HANDLERS,            # another unit asked to assist
    "transfer": _LEADERS,           # documented change of the owning unit
    "attach": _STAFF,
    "contact_access": _HANDLERS,    # the protected contact was read
    "petition": _STAFF,             # a petition about this matter was received
}
#: actions a person records directly (``yuqing case act``); the others are written by
#: the operation they belong to (transfer, assist, attach, petition intake, contact reads)
MANUAL_ACTIONS = ("leader_review", "facts_published", "clarified", "referred", "adopted",
                  "declined", "comment")
#: actions whose note is required
NOTE_ACTIONS = frozenset({"leader_review", "facts_published", "clarified", "referred",
                          "adopted", "declined", "comment", "assist", "transfer",
                          "contact_access"})


def find_move(state: str, target: str) -> Move:
    """Return the move from ``state`` to ``target``; raises BadInput naming the
    states and listing the moves allowed from ``state``."""
    if target not in STATES:
        raise BadInput(f"case state {target!r}: expected one of {', '.join(STATES)}")
    for move in MOVES:
        if state in move.source and move.target == target:
            return move
    allowed = [m.target for m in MOVES if state in m.source]
    raise BadInput(f"a case in state {state!r} cannot move to {target!r} "
                   f"(allowed: {', '.join(allowed) or 'none, the case is finished'})")


def check_role(what: str, role: str, allowed: frozenset[str]) -> None:
    """Raise BadInput unless ``role`` is in ``allowed``; ``what`` names the move or action."""
    if role not in ROLES:
        raise BadInput(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if role not in allowed:
        raise BadInput(f"{what}: role {role!r} may not do this (allowed: "
                       f"{', '.join(sorted(allowed))})")


def check_note(what: str, note: str | None, required: str | None) -> str | None:
    """Return the stripped note; raises BadInput when ``required`` and the note is empty."""
    text = (note or "").strip() or None
    if required and text is None:
        raise BadInput(f"{what}: a note is required ({required})")
    return text


def next_states(state: str) -> list[str]:
    """Return the states a case in ``state`` may move to, workflow order first."""
    return [m.target for m in MOVES if state in m.source]
