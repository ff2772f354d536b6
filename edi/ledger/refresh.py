"""Reconcile claims from the facts stored in the ledger, and keep their summary rows, denials and front-door state
up to date."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from edi.ledger import schema as t
from edi.ledger.ack_events import any_acknowledgment, claim_acks
from edi.ledger.facts import loads
from edi.ledger.money import cents
from edi.reconcile.extract import Claim, ClaimPayment, Remittance
from edi.reconcile.ledger import ClaimResult, denial_adjustments, reconcile_claim

CHUNK = 500
LOOKUP = 1000  # claim numbers per IN (...) when only asking which exist


def claim_numbers(connection: Connection) -> list[str]:
    """Every claim's CLM01, in the order the ledger first saw them."""
    column = t.claims.c
    return list(connection.execute(select(column.patient_control_number).order_by(column.first_seen)).scalars())


def known_claims(connection: Connection, numbers: Sequence[str]) -> set[str]:
    """Those of ``numbers`` that are claims of the ledger."""
    found: set[str] = set()
    column = t.claims.c.patient_control_number
    for start in range(0, len(numbers), LOOKUP):
        found.update(connection.execute(select(column).where(column.in_(numbers[start : start + LOOKUP]))).scalars())
    return found


def results(connection: Connection, numbers: Sequence[str]) -> Iterator[ClaimResult]:
    """The reconciled result of each claim of ``numbers``, in that order."""
    for start in range(0, len(numbers), CHUNK):
        yield from _chunk(connection, numbers[start : start + CHUNK])


def _chunk(connection: Connection, numbers: Sequence[str]) -> Iterator[ClaimResult]:
    s, ts, cp, r = t.submissions.c, t.transaction_sets.c, t.claim_payments.c, t.remittances.c
    submitted: dict[str, list[Claim]] = {n: [] for n in numbers}
    query = (
        select(s.patient_control_number, s.facts)
        .join(t.transaction_sets, ts.id == s.transaction_set_id)
        .where(s.patient_control_number.in_(numbers))
        .order_by(ts.sort_key, ts.id, s.position)
    )
    for number, facts in connection.execute(query):
        submitted[number].append(loads(Claim, facts))
    answers: dict[str, list[tuple[int, int, Remittance, ClaimPayment]]] = {n: [] for n in numbers}
    remittances: dict[int, Remittance] = {}
    ranks: dict[int, int] = {}
    query = (
        select(cp.claim_number, cp.position, cp.facts, r.id, r.facts)
        .join(t.remittances, r.id == cp.remittance_id)
        .where(cp.claim_number.in_(numbers))
        .order_by(r.sort_key, r.id, cp.position)
    )
    for row in connection.execute(query):
        claim_number: str = row[0]
        position: int = row[1]
        payment_facts: str = row[2]
        remittance_id: int = row[3]
        header: str = row[4]
        if remittance_id not in remittances:
            remittances[remittance_id] = loads(Remittance, header)
            ranks[remittance_id] = len(ranks)
        answer = (ranks[remittance_id], position, remittances[remittance_id], loads(ClaimPayment, payment_facts))
        answers[claim_number].append(answer)
    for number in numbers:
        if submitted[number]:
            yield reconcile_claim(number, submitted[number], answers[number])


def refresh(connection: Connection, numbers: Collection[str]) -> None:
    """Reconcile the claims of ``numbers`` again and store their status, amounts and denials."""
    ordered = sorted(numbers)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        connection.execute(delete(t.claim_denials).where(t.claim_denials.c.patient_control_number.in_(chunk)))
        found = list(_chunk(connection, chunk))
        if not found:
            continue
        connection.execute(
            update(t.claims)
            .where(t.claims.c.patient_control_number == bindparam("number"))
            .values(
                status=bindparam("status"),
                paid_cents=bindparam("paid"),
                patient_cents=bindparam("patient"),
                payer_claim_control_number=bindparam("icn"),
            ),
            [
                {
                    "number": result.patient_control_number,
                    "status": result.status,
                    "paid": cents(result.paid) if result.paid is not None else None,
                    "patient": cents(result.share.total) if result.share is not None else None,
                    "icn": result.payer_claim_control_number,
                }
                for result in found
            ],
        )
        denials = [
            {
                "patient_control_number": result.patient_control_number,
                "payer_name": entry.remittance.payer,
                "group_code": adjustment.group,
                "reason": adjustment.reason,
                "amount_cents": cents(adjustment.amount),
            }
            for result in found
            for entry, adjustment in denial_adjustments(result)
        ]
        if denials:
            connection.execute(insert(t.claim_denials), denials)


def refresh_acknowledgments(connection: Connection, numbers: Collection[str]) -> None:
    """Store the front-door state (accepted, rejected with its codes, or none) of the claims of ``numbers``."""
    if not numbers or not any_acknowledgment(connection):
        return
    ordered = sorted(numbers)
    for start in range(0, len(ordered), CHUNK):
        found = claim_acks(connection, ordered[start : start + CHUNK])
        if found:
            connection.execute(
                update(t.claims)
                .where(t.claims.c.patient_control_number == bindparam("number"))
                .values(acknowledgment=bindparam("state")),
                [{"number": number, "state": acks.state()} for number, acks in found.items()],
            )
