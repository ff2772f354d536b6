"""Which claims each stored acknowledgment answers, matched when asked so the import order never matters.

A 999 answers the 837 transaction set sent by its receiver (ISA08) with its group (AK102) and
transaction (AK202) control numbers; when several sets share them, the last one sent (GS04,
GS05) no later than the 999, else the first. A 277CA status answers the claim with its
patient control number; among the claim's submissions, those with its charge, then those to
its payer, and of these the last sent no later than the 277CA, else the first. A claim's
front-door state comes from what answers its latest submission: rejected when any of it
rejects, else accepted, else none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from edi.guides import CLAIM_KIND, IMPLEMENTATION_ACK_KIND, ClaimAck, ImplementationAck
from edi.jsontext import loads as json_loads
from edi.ledger import schema as t
from edi.ledger.money import cents

KIND_NAMES = {guide.st01: guide.id for guide in (ImplementationAck, ClaimAck)}


@dataclass(slots=True, frozen=True)
class AckEvent:
    """One acknowledgment of a claim: what sent it, when, its outcome and codes, and the submission it answers."""

    kind: str
    file: str
    date: date | None
    accepted: bool
    codes: str
    details: tuple[str, ...]
    answers: int
    order: tuple[str, bool, int, int]

    def label(self) -> str:
        """The codes, prefixed with the kind for a 999 (``999 IK5*R*5``, ``A7:400``)."""
        return f"999 {self.codes}" if self.kind == IMPLEMENTATION_ACK_KIND else self.codes

    def describe(self) -> str:
        """One line for the claim's history: ``277CA rejected: A7:400``."""
        outcome = "accepted" if self.accepted else "rejected"
        explained = "; ".join(part for part in (self.codes, *self.details) if part)
        if self.kind == IMPLEMENTATION_ACK_KIND and self.accepted and explained == "IK5*A":
            return "999 accepted"
        return f"{self.kind} {outcome}: {explained}" if explained else f"{self.kind} {outcome}"


@dataclass(slots=True)
class ClaimAcks:
    """A claim's acknowledgments in order, and how many submissions it has (the last is the latest)."""

    events: list[AckEvent]
    submissions: int

    def state(self) -> str | None:
        """``accepted``, ``rejected (A7:400)``, or None when nothing answers the latest submission."""
        current = [e for e in self.events if e.answers == self.submissions - 1]
        rejecting = list(dict.fromkeys(e.label() for e in current if not e.accepted))
        if rejecting:
            return f"rejected ({'; '.join(rejecting)})"
        return "accepted" if current else None


@dataclass(slots=True, frozen=True)
class _Submission:
    set_id: int
    sender: str
    group_control: str
    transaction_control: str
    sort_key: str
    charge_cents: int
    payer: tuple[str, frozenset[str]]


def any_acknowledgment(connection: Connection) -> bool:
    """Whether the ledger holds any acknowledgment at all."""
    return connection.execute(select(t.acknowledgments.c.id).limit(1)).first() is not None


def claim_acks(connection: Connection, numbers: Sequence[str]) -> dict[str, ClaimAcks]:
    """The acknowledgments of each submitted claim of ``numbers`` (a chunk of a few hundred at most)."""
    submitted = _submissions(connection, numbers)
    found = {number: ClaimAcks([], len(items)) for number, items in submitted.items()}
    for number, index, event in _set_events(connection, submitted) + _claim_events(connection, submitted):
        found[number].events.append(dataclasses.replace(event, answers=index))
    for acks in found.values():
        acks.events.sort(key=lambda e: (e.order, e.answers))
    return found


def _submissions(connection: Connection, numbers: Sequence[str]) -> dict[str, list[_Submission]]:
    s, ts = t.submissions.c, t.transaction_sets.c
    query = (
        select(s.patient_control_number, ts.id, ts.sender, ts.group_control, ts.transaction_control, ts.sort_key)
        .add_columns(s.facts)
        .join(t.transaction_sets, ts.id == s.transaction_set_id)
        .where(s.patient_control_number.in_(numbers))
        .order_by(ts.sort_key, ts.id, s.position)
    )
    found: dict[str, list[_Submission]] = {}
    for number, set_id, sender, group_control, control, sort_key, facts in connection.execute(query):
        claim = json_loads(facts)
        payers = claim.get("payers") or [{}]
        payer = (payers[0].get("name", ""), frozenset(payers[0].get("ids", ())))
        charge = cents(Decimal(claim["charge"]))
        found.setdefault(number, []).append(
            _Submission(set_id, sender, group_control, control, sort_key, charge, payer)
        )
    return found


def _ack_query() -> Any:
    a, ts, f = t.acknowledgments.c, t.transaction_sets.c, t.files.c
    return (
        select(
            a.group_control,
            a.transaction_control,
            a.submitter,
            a.patient_control_number,
            a.set_kind,
            a.accepted,
            a.codes,
            a.charge_cents,
            a.ack_date,
            a.facts,
            ts.kind,
            ts.sort_key,
            ts.id,
            a.position,
            f.name,
        )
        .join(t.transaction_sets, ts.id == a.transaction_set_id)
        .join(t.files, f.id == ts.file_id)
    )


def _event(row: Any, details: tuple[str, ...]) -> AckEvent:
    return AckEvent(
        KIND_NAMES[row.kind],
        row.name,
        row.ack_date,
        bool(row.accepted),
        row.codes,
        details,
        -1,
        (row.sort_key, row.kind != IMPLEMENTATION_ACK_KIND, row.id, row.position),  # a 999 before a 277CA sent with it
    )


def _set_events(connection: Connection, submitted: dict[str, list[_Submission]]) -> list[tuple[str, int, AckEvent]]:
    """The 999 answers to the 837 sets holding the claims, each with the claim and submission it answers."""
    where: dict[int, list[tuple[str, int]]] = {}
    groups: dict[tuple[str, str], set[int]] = {}  # (sender, GS06) to the chunk's sets in that group
    controls: set[str] = set()
    for number, items in submitted.items():
        for index, item in enumerate(items):
            where.setdefault(item.set_id, []).append((number, index))
            groups.setdefault((item.sender, item.group_control), set()).add(item.set_id)
            controls.add(item.transaction_control)
    if not where:
        return []
    a, ts = t.acknowledgments.c, t.transaction_sets.c
    query = _ack_query().where(
        a.group_control.in_({group for _, group in groups}),
        a.transaction_control.in_(controls | {""}),
        a.set_kind.in_((CLAIM_KIND, "")),
    )
    acks = [row for row in connection.execute(query) if (row.submitter, row.group_control) in groups]
    named = {(row.submitter, row.group_control, row.transaction_control) for row in acks if row.transaction_control}
    sets: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
    if named:
        query = select(ts.id, ts.sender, ts.group_control, ts.transaction_control, ts.sort_key).where(
            ts.kind == CLAIM_KIND,
            ts.group_control.in_({key[1] for key in named}),
            ts.transaction_control.in_({key[2] for key in named}),
        )
        for set_id, sender, group_control, control, sort_key in connection.execute(query):
            sets.setdefault((sender, group_control, control), []).append((sort_key, set_id))
    found = []
    for row in acks:
        if row.transaction_control:
            candidates = sets.get((row.submitter, row.group_control, row.transaction_control), [])
            chosen = {_answered(candidates, row.sort_key)} if candidates else set()
        else:
            chosen = groups[(row.submitter, row.group_control)]
        event = _event(row, tuple(json_loads(row.facts)["details"]))
        for set_id in chosen:
            found += [(number, index, event) for number, index in where.get(set_id, [])]
    return found


def _answered(candidates: list[tuple[str, int]], sort_key: str) -> int:
    """Of (sort key, id) ``candidates``, the id of the last sent no later than ``sort_key``, else of the first."""
    ordered = sorted(candidates)
    earlier = [c for c in ordered if c[0] <= sort_key]
    return (earlier or ordered[:1])[-1][1]


def _claim_events(connection: Connection, submitted: dict[str, list[_Submission]]) -> list[tuple[str, int, AckEvent]]:
    """The 277CA statuses of the claims, each with the submission it answers."""
    if not submitted:
        return []
    a = t.acknowledgments.c
    query = _ack_query().where(a.patient_control_number.in_(list(submitted)))
    found = []
    for row in connection.execute(query):
        facts = json_loads(row.facts)
        items = list(enumerate(submitted[row.patient_control_number]))
        items = [i for i in items if i[1].charge_cents == row.charge_cents] or items
        items = [i for i in items if _same_payer(i[1].payer, facts.get("payer") or {})] or items
        index = _answered([(item.sort_key, index) for index, item in items], row.sort_key)
        found.append((row.patient_control_number, index, _event(row, ())))
    return found


def _same_payer(payer: tuple[str, frozenset[str]], source: dict[str, str]) -> bool:
    name, ids = payer
    return bool(source) and (source.get("id", "") in ids or source.get("name", "") == name)
