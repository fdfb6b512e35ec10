"""The inputs the web API and the command line share: a petition as received and a case move.

One pydantic model per input. The web takes it as the request body (with who
acts); the CLI builds it from its options. Types are checked by the model
(the web answers 422 naming the field); what the values mean (a known
channel, a configured unit, a parsable time) is checked where they are used
(cases/intake.py, cases/service.py), which raise BadInput: the web answers 400
and the CLI exits 2 with the same message.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from yuqing.domain import BadInput, Contact

#: the fields of a petitioner's contact
CONTACT_FIELDS = ("name", "phone", "id_number", "address")


class PetitionInput(BaseModel):
    """One petition as received. ``unit`` receives it; ``addressed_level`` defaults to
    that unit's configured level; ``responsible_level`` to the accused unit's level
    (petitions.infer_level); ``contact`` holds any of name, phone, id_number, address
    (stored protected); ``received_at`` is an ISO time (no offset: the office's zone),
    default now."""

    channel: str
    subject: str
    unit: str
    accused: str | None = None
    addressed_level: str | None = None
    responsible_level: str | None = None
    contact: dict[str, str | None] = Field(default_factory=dict)
    received_at: str | None = None

    def petitioner(self) -> Contact:
        """Return the contact; raises BadInput naming fields other than CONTACT_FIELDS."""
        unknown = set(self.contact) - set(CONTACT_FIELDS)
        if unknown:
            raise BadInput(f"contact: unknown fields {sorted(unknown)}")
        return Contact(**self.contact)


class CaseMove(BaseModel):
    """A move of a case to ``state`` with its note; ``handling_class`` confirms the class
    (moving to verified), ``merge_into`` names the case it joins (moving to merged)."""

    state: str
    note: str | None = None
    handling_class: int | None = None
    merge_into: int | None = None
