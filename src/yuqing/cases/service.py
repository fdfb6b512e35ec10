"""Cases on the store: open, move, act, attach, transfer, assist, show (the workflow applied).

Every change writes one audit entry (who, when, from, to, note) in the same
transaction as the change (``Store.transaction()``). The unit that opens a case owns it
(首问负责制, first-contact ownership) until a documented ``transfer``;
other units can only be asked to ``assist``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.cases import people, playbooks, upward, workflow
from yuqing.cases.deadlines import (
    WorkCalendar,
    calendar_from_config,
    compute_deadline,
    find_policy,
    policy_deadline,
)
from yuqing.cases.inputs import CaseMove
from yuqing.config import Config, ReportLimitConfig
from yuqing.domain import BadInput, Case, CaseDetail, Deadline
from yuqing.store import Store, Transaction
from yuqing.store.repositories import Repositories

Clock = Callable[[], datetime]
ORIGINS = ("manual", "item", "alert", "event", "petition")
CASE_CHANNELS = ("online", "letter", "visit", "web", "phone", "wechat")
#: the largest attachment accepted, bytes
MAX_ATTACHMENT = 20 * 1024 * 1024


def utc_now() -> datetime:
    """Return the current time, aware UTC."""
    return datetime.now(UTC)


class CaseService:
    """Case operations over ``store`` under ``config`` (units, users, deadlines).

    ``clock`` returns the current aware time (tests pass a fixed one). Every
    method raises BadInput naming the case and the problem for a refused
    operation (unknown case, wrong role, missing note or playbook step).
    """

    def __init__(self, store: Store, config: Config, clock: Clock = utc_now) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.tz = ZoneInfo(config.timezone)
        self.calendar: WorkCalendar = calendar_from_config(config.deadlines)
        self.units = {u.name: u for u in config.cases.units}
        self.users = {u.name: u for u in config.cases.users}
        for name in config.cases.policies:
            policy = find_policy(config.deadlines, name)
            if policy.met_by not in workflow.STATES:
                raise BadInput(f"deadline policy {name!r}: met_by {policy.met_by!r} is not a "
                               f"case state ({', '.join(workflow.STATES)})")

    # ----- checks --------------------------------------------------------------------

    def check_actor(self, actor: str, role: str, what: str, allowed: frozenset[str]) -> None:
        """Raise BadInput unless ``actor`` may act as ``role`` and ``role`` may do ``what``.

        A person with a web account or listed in ``[[cases.users]]`` (one list of people:
        cases/people.py) acts only in their roles; with ``[[cases.users]]`` configured the
        actor must be such a person; otherwise an unknown actor's role is taken as stated.
        """
        if not actor.strip():
            raise BadInput(f"{what}: the actor's name is required")
        roles = people.case_roles(self.store, self.config.cases.users, actor)
        if roles is None and self.users:
            raise BadInput(f"{what}: {actor!r} is neither a web account nor a configured "
                           "case user")
        if roles is not None and role not in roles:
            raise BadInput(f"{what}: {actor!r} does not have the role {role!r} "
                           f"(has: {', '.join(sorted(roles))})")
        workflow.check_role(what, role, allowed)

    def acting_role(self, actor: str, given: str | None, usual: str) -> str:
        """Return the role ``actor`` acts in: ``given`` when stated, else ``usual`` (the
        command's habitual role) when the person may take it or is unknown, else the first
        (by name) of the person's case roles (cases/people.py)."""
        if given:
            return given
        roles = people.case_roles(self.store, self.config.cases.users, actor)
        return usual if not roles or usual in roles else sorted(roles)[0]

    def case(self, repos: Repositories, case_id: int) -> Case:
        """Return case ``case_id`` read through ``repos`` (the store or an open
        transaction); raises BadInput naming the id when there is none."""
        found = repos.cases.get(case_id)
        if found is None:
            raise BadInput(f"case {case_id}: no such case")
        return found

    def log(self, tx: Repositories, case_id: int, actor: str, role: str, action: str,
            states: tuple[str | None, str | None], note: str | None = None,
            data: Mapping[str, Any] | None = None) -> None:
        """Append one audit entry at the current time (inside ``tx``, the change's
        transaction)."""
        tx.cases.append_log({"case_id": case_id, "at": self.clock(), "actor": actor,
                             "role": role, "action": action, "from_state": states[0],
                             "to_state": states[1], "note": note, "data": dict(data or {})})

    # ----- opening -------------------------------------------------------------------

    def open_case(self, title: str, *, actor: str, role: str, unit: str,
                  origin: str = "manual", origin_ref: str | None = None,
                  channel: str = "online", summary: str | None = None,
                  suggested_class: int | None = None, discovered_at: datetime | None = None,
                  links: Sequence[tuple[str, str]] = ()) -> int:
        """Open a case owned by ``unit`` in state ``collected``; return its id.

        Starts the deadlines of ``[cases] policies`` from ``discovered_at``
        (default now) and links ``links`` ((kind, ref) pairs). Raises BadInput
        for an empty title, unknown origin/channel or unit (when units are
        configured), or a class outside 1–4.
        """
        self.check_actor(actor, role, "open a case", frozenset(workflow.ROLES))
        if not title.strip():
            raise BadInput("open a case: the title is empty")
        if origin not in ORIGINS or channel not in CASE_CHANNELS:
            raise BadInput(f"open a case: origin {origin!r} / channel {channel!r}: expected "
                           f"one of {', '.join(ORIGINS)} / {', '.join(CASE_CHANNELS)}")
        if self.units and unit not in self.units:
            raise BadInput(f"open a case: unit {unit!r} is not configured "
                           f"(units: {', '.join(self.units)})")
        if suggested_class is not None:
            playbooks.playbook(suggested_class)
        now = self.clock()
        found = discovered_at or now
        incidents, text = upward.case_evidence(self.store, title, summary, links)
        limit = upward.report_limit(self.config.cases.reporting.limits, incidents, text)
        with self.store.transaction() as tx:
            case_id = tx.cases.insert({
                "title": title.strip()[:200], "summary": summary, "origin": origin,
                "origin_ref": origin_ref, "channel": channel, "state": "collected",
                "handling_class": None, "suggested_class": suggested_class,
                "owner_unit": unit, "opened_by": actor, "discovered_at": found,
                "opened_at": now, "updated_at": now, "closed_at": None, "merged_into": None})
            self.log(tx, case_id, actor, role, "open", (None, "collected"), None,
                     {"origin": origin, "origin_ref": origin_ref, "unit": unit,
                      "report_limit": limit.name if limit else None})
            tx.cases.insert_deadlines(self._deadlines(case_id, found, limit))
            for kind, ref in links:
                tx.cases.add_link({"case_id": case_id, "kind": kind, "ref": ref, "score": None,
                                   "created_at": now})
        return case_id

    def _deadlines(self, case_id: int, start: datetime,
                   limit: ReportLimitConfig | None) -> list[Deadline]:
        """Return the deadlines of a new case from ``start``: ``[cases] policies`` and,
        when a reporting ``limit`` holds for it, ``report_due`` (cases/upward.py)."""
        rows = []
        for name in self.config.cases.policies:
            policy = find_policy(self.config.deadlines, name)
            due = policy_deadline(self.config.deadlines, name, start, tz=self.tz,
                                  calendar=self.calendar)
            rows.append(Deadline(case_id, name, policy.met_by, start, due.due, due.provisional))
        if limit is not None:
            due = compute_deadline(start, tz=self.tz, calendar=self.calendar,
                                   hours=limit.hours, policy=upward.REPORT_DUE)
            rows.append(Deadline(case_id, upward.REPORT_DUE, upward.REPORTED, start, due.due,
                                 due.provisional))
        return rows

    def open_from_item(self, key: str, *, actor: str, role: str, unit: str,
                       title: str | None = None, suggested_class: int | None = None,
                       channel: str = "online") -> int:
        """Open a case about the stored item ``key``: the title and class given, else the
        item's title (or text) and the class its analysis suggests."""
        item = self.store.get_item(key)
        if item is None:
            raise BadInput(f"open a case: item {key!r} is not stored")
        return self.open_case(title or item.title or item.text[:60], actor=actor, role=role,
                              unit=unit, origin="item", origin_ref=key, channel=channel,
                              summary=item.text[:2000],
                              suggested_class=_given(suggested_class, item.handling_class),
                              discovered_at=item.fetched_at, links=[("item", key)])

    def open_from_alert(self, alert_id: int, *, actor: str, role: str, unit: str,
                        title: str | None = None, suggested_class: int | None = None,
                        channel: str = "online") -> int:
        """Open a case about the stored alert ``alert_id``, linking the alert and its items;
        the title given, else the alert's."""
        alert = self.store.cases.alert_source(alert_id)
        if alert is None:
            raise BadInput(f"open a case: alert {alert_id} is not stored")
        links = [("alert", str(alert_id))] + [("item", k) for k in alert["item_keys"]]
        return self.open_case(title or alert["title"], actor=actor, role=role, unit=unit,
                              origin="alert", origin_ref=str(alert_id), channel=channel,
                              summary=alert["body"], suggested_class=suggested_class,
                              discovered_at=alert["created_at"], links=links)

    def open_from_event(self, event_id: str, *, actor: str, role: str, unit: str,
                        title: str | None = None, suggested_class: int | None = None,
                        channel: str = "online") -> int:
        """Open a case about event ``event_id`` from its stored items: the title and class
        given, else the first item's text and the highest class its items suggest."""
        rows = self.store.cases.event_items(event_id)
        if not rows:
            raise BadInput(f"open a case: event {event_id!r} has no stored items")
        classes = [r["handling_class"] for r in rows if r["handling_class"]]
        links = [("event", event_id)] + [("item", r["key"]) for r in rows]
        return self.open_case(title or rows[0]["text"][:60], actor=actor, role=role, unit=unit,
                              origin="event", origin_ref=event_id, channel=channel,
                              suggested_class=_given(suggested_class,
                                                     max(classes) if classes else None),
                              discovered_at=rows[0]["published_at"], links=links)

    def open_from(self, *, actor: str, role: str, unit: str, title: str | None = None,
                  item: str | None = None, alert: int | None = None, event: str | None = None,
                  channel: str = "online", suggested_class: int | None = None) -> int:
        """Open a case from ``item``, else ``alert``, else ``event``, else by hand
        with ``title``; return its id. A title, class or channel given always wins over
        what the item, alert or event would give. Raises BadInput when none is given."""
        given: dict[str, Any] = {"actor": actor, "role": role, "unit": unit, "title": title,
                                 "suggested_class": suggested_class, "channel": channel}
        if item is not None:
            return self.open_from_item(item, **given)
        if alert is not None:
            return self.open_from_alert(alert, **given)
        if event is not None:
            return self.open_from_event(event, **given)
        if not title:
            raise BadInput("open a case: give a title, an item, an alert or an event")
        return self.open_case(title, actor=actor, role=role, unit=unit, channel=channel,
                              suggested_class=suggested_class)

    # ----- moving and acting ---------------------------------------------------------

    def move(self, case_id: int, target: str, *, actor: str, role: str, note: str | None = None,
             handling_class: int | None = None, merge_into: int | None = None) -> Case:
        """Move case ``case_id`` to ``target``; return the updated case.

        Moving to ``verified`` confirms the handling class (``handling_class``,
        else the suggested one). Moving to the playbook's state needs its
        steps. Moving to ``merged`` needs ``merge_into``, an open case.
        """
        with self.store.transaction() as tx:
            case = self.case(tx, case_id)
            found = workflow.find_move(case.state, target)
            what = f"case {case_id} {case.state} → {target}"
            self.check_actor(actor, role, what, found.roles)
            text = workflow.check_note(what, note, found.note)
            values: dict[str, Any] = {"state": target, "updated_at": self.clock()}
            data: dict[str, Any] = {}
            if target == "verified":
                values["handling_class"] = data["handling_class"] = self._confirm_class(
                    case, handling_class, what)
            if target == "merged":
                values["merged_into"] = data["merged_into"] = self._merge_target(
                    tx, case_id, merge_into, what)
            missing = playbooks.missing_steps(case.handling_class, target,
                                              tx.cases.logged_actions(case_id),
                                              len(tx.cases.attachments(case_id)))
            if missing:
                raise BadInput(f"{what}: the class {case.handling_class} playbook still "
                               f"needs: {'; '.join(missing)}")
            if target in workflow.TERMINAL_STATES:
                values["closed_at"] = values["updated_at"]
            tx.cases.update(case_id, values)
            self.log(tx, case_id, actor, role, "move", (case.state, target), text, data)
            tx.cases.meet_deadlines(case_id, [target], values["updated_at"])
            moved = replace(case, **values)
            if target == upward.REPORTED:
                self._report_upward(tx, moved, actor, role)
            return moved

    def _report_upward(self, tx: Transaction, case: Case, actor: str, role: str) -> None:
        """Send ``case`` (just reported) to the units above its owner (cases/upward.py) and
        log each delivery on the case: ``reported_upward`` with the recipient, its
        channels and the outbox alert."""
        for sent in upward.report_case(self.config, tx, case, self.clock()):
            if sent["to_unit"]:
                self.log(tx, case.id, actor, role, "reported_upward", (case.state, case.state),
                         f"报送至 reported to {sent['to_unit']}",
                         {k: sent[k] for k in ("to_unit", "channels", "alert_id")})

    def apply(self, case_id: int, move: CaseMove, *, actor: str, role: str) -> Case:
        """Apply the move request ``move`` (the web's and ``yuqing case move``'s input) to
        case ``case_id``; see ``move``."""
        return self.move(case_id, move.state, actor=actor, role=role, note=move.note,
                         handling_class=move.handling_class, merge_into=move.merge_into)

    def _confirm_class(self, case: Case, given: int | None, what: str) -> int:
        """Return the class a person confirms: ``given``, else the suggested one."""
        chosen = given if given is not None else case.suggested_class
        if chosen is None:
            raise BadInput(f"{what}: confirm a handling class (1–4); none was suggested")
        return playbooks.playbook(chosen).handling_class

    def _merge_target(self, tx: Transaction, case_id: int, target: int | None,
                      what: str) -> int:
        """Return ``target`` when it is another open case, linking the two."""
        if target is None or target == case_id:
            raise BadInput(f"{what}: name another case to merge into")
        other = self.case(tx, target)
        if other.state in workflow.TERMINAL_STATES:
            raise BadInput(f"{what}: case {target} is {other.state}, not open")
        tx.cases.add_link({"case_id": target, "kind": "case", "ref": str(case_id),
                           "score": None, "created_at": self.clock()})
        return target

    def act(self, case_id: int, action: str, *, actor: str, role: str, note: str | None = None,
            data: Mapping[str, Any] | None = None) -> None:
        """Record ``action`` (workflow.MANUAL_ACTIONS) on an open case without moving it."""
        if action not in workflow.MANUAL_ACTIONS:
            raise BadInput(f"case {case_id}: action {action!r}: expected one of "
                           f"{', '.join(workflow.MANUAL_ACTIONS)}")
        with self.store.transaction() as tx:
            self._act(tx, case_id, action, actor, role, note, data)

    def _act(self, tx: Transaction, case_id: int, action: str, actor: str, role: str,
             note: str | None, data: Mapping[str, Any] | None = None) -> Case:
        """Check and log ``action`` inside ``tx``; return the case."""
        case = self.case(tx, case_id)
        what = f"case {case_id} {action}"
        if case.state in workflow.TERMINAL_STATES:
            raise BadInput(f"{what}: the case is {case.state}")
        self.check_actor(actor, role, what, workflow.ACTIONS[action])
        required = "say what was done" if action in workflow.NOTE_ACTIONS else None
        text = workflow.check_note(what, note, required)
        self.log(tx, case_id, actor, role, action, (case.state, case.state), text, data)
        return case

    def attach(self, case_id: int, name: str, content: bytes, *, actor: str,
               role: str) -> dict[str, Any]:
        """Keep an attachment (evidence) with its SHA-256; return ``{"id", "sha256",
        "size", "new"}``. The same content twice is kept once."""
        if not content or len(content) > MAX_ATTACHMENT:
            raise BadInput(f"attachment {name!r}: {len(content)} bytes, expected 1.."
                           f"{MAX_ATTACHMENT}")
        digest = hashlib.sha256(content).hexdigest()
        with self.store.transaction() as tx:
            self._act(tx, case_id, "attach", actor, role, None,
                      {"name": name, "sha256": digest, "size": len(content)})
            att_id, new = tx.cases.add_attachment({
                "case_id": case_id, "name": name, "sha256": digest, "size": len(content),
                "content": content, "added_by": actor, "added_at": self.clock()})
        return {"id": att_id, "sha256": digest, "size": len(content), "new": new}

    def transfer(self, case_id: int, to_unit: str, *, actor: str, role: str,
                 note: str | None) -> None:
        """Change the owning unit: the only way, a leader's documented transfer."""
        if self.units and to_unit not in self.units:
            raise BadInput(f"case {case_id} transfer: unit {to_unit!r} is not configured")
        with self.store.transaction() as tx:
            owner = self.case(tx, case_id).owner_unit
            if owner == to_unit:
                raise BadInput(f"case {case_id} transfer: {to_unit!r} already owns it")
            self._act(tx, case_id, "transfer", actor, role, note,
                      {"from_unit": owner, "to_unit": to_unit})
            tx.cases.update(case_id, {"owner_unit": to_unit, "updated_at": self.clock()})

    def assist(self, case_id: int, unit: str, *, actor: str, role: str, note: str | None) -> bool:
        """Ask ``unit`` to assist (ownership unchanged); return False when it already does."""
        with self.store.transaction() as tx:
            self._act(tx, case_id, "assist", actor, role, note, {"unit": unit})
            return tx.cases.add_assist({"case_id": case_id, "unit": unit,
                                        "requested_by": actor, "requested_at": self.clock()})

    # ----- reading -------------------------------------------------------------------

    def get(self, case_id: int) -> CaseDetail:
        """Return case ``case_id`` with its log, deadlines, attachments, assists, links,
        petitions (contacts masked), the moves it may make next and its playbook (read in
        one snapshot); raises BadInput when there is no such case."""
        with self.store.snapshot() as tx:
            case = self.case(tx, case_id)
            detail = CaseDetail(
                case, log=tx.cases.log(case_id), deadlines=tx.cases.deadlines(case_id),
                attachments=tx.cases.attachments(case_id), assists=tx.cases.assists(case_id),
                links=tx.cases.links(case_id), petitions=tx.petitions.find(case_id),
                next_states=workflow.next_states(case.state), playbook=None)
        cls = case.handling_class or case.suggested_class
        detail.playbook = playbooks.playbook(cls).steps if cls else None
        return detail

    def find(self, *, state: str | None = None, unit: str | None = None,
             limit: int = 100, units: Collection[str] | None = None) -> list[Case]:
        """Return cases (newest first) in ``state`` and owned by ``unit`` when given, within
        ``units`` (a viewer's scope) unless None; raises BadInput for an unknown state."""
        if state is not None and state not in workflow.STATES:
            raise BadInput(f"case state {state!r}: expected one of {', '.join(workflow.STATES)}")
        return self.store.cases.find(state=state, unit=unit, limit=limit, units=units)

    def show(self, case_id: int) -> dict[str, Any]:
        """Return the JSON form of ``get(case_id)`` (``CaseDetail.to_json``, office zone)."""
        return self.get(case_id).to_json(self.tz)

    def list(self, *, state: str | None = None, unit: str | None = None,
             limit: int = 100, units: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Return the JSON form of ``find(...)`` (``Case.to_json``, office zone)."""
        return [c.to_json(self.tz)
                for c in self.find(state=state, unit=unit, limit=limit, units=units)]


def _given(value: int | None, default: int | None) -> int | None:
    """Return ``value`` when it was given (not None), else ``default``."""
    return default if value is None else value
