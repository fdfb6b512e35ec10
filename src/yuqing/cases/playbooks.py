"""Handling-class playbooks (分类处置): what each of the four classes needs before its reply.

1 inquiry/appeal → reply after review by the responsible leader;
2 malicious hype → publish the facts, then track;
3 fabrication/defamation/illegal → clarify, and refer to law enforcement
  with the evidence kept (at least one attachment);
4 constructive suggestion → adopt or decline, with a reply.
(The classes and their handling: ARCHITECTURE.md, "handling class 1–4".)
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from yuqing.domain import BadInput


@dataclass(frozen=True)
class Playbook:
    """The steps of one class: ``all_of`` actions and one of ``any_of`` (when
    not empty) must be in the audit log, and ``evidence`` attachments kept,
    before the case may move to ``before``."""

    handling_class: int
    name: str
    steps: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    evidence: int = 0
    before: str = "replied"


PLAYBOOKS: dict[int, Playbook] = {
    1: Playbook(1, "询问/质疑/诉求 inquiry or appeal",
                "verify, draft the reply, leader reviews, reply, track",
                all_of=("leader_review",)),
    2: Playbook(2, "恶意传播/炒作 malicious hype", "publish the facts, reply, track the spread",
                all_of=("facts_published",)),
    3: Playbook(3, "捏造/诽谤/违法 fabrication, defamation, illegal",
                "keep the evidence, clarify, refer to law enforcement",
                all_of=("clarified", "referred"), evidence=1),
    4: Playbook(4, "建设性意见 constructive suggestion",
                "adopt or decline, reply with the decision", any_of=("adopted", "declined")),
}


def playbook(handling_class: int) -> Playbook:
    """Return the playbook of ``handling_class``; raises BadInput unless it is 1–4."""
    if handling_class not in PLAYBOOKS:
        raise BadInput(f"handling class {handling_class!r}: expected 1, 2, 3 or 4")
    return PLAYBOOKS[handling_class]


def missing_steps(handling_class: int | None, target: str, done: Collection[str],
                  attachments: int) -> list[str]:
    """Return what the playbook still needs before a move to ``target`` (empty when ready).

    ``done`` holds the actions already in the audit log. A case whose class
    is not confirmed (None) cannot reach the playbook's state at all.
    """
    if handling_class is None:
        return ["a confirmed handling class"] if target == "replied" else []
    book = playbook(handling_class)
    if target != book.before:
        return []
    missing = [a for a in book.all_of if a not in done]
    if book.any_of and not any(a in done for a in book.any_of):
        missing.append(" or ".join(book.any_of))
    if attachments < book.evidence:
        missing.append(f"{book.evidence} evidence attachment(s)")
    return missing
