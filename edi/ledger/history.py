"""A claim's history as one list in date order: its submissions, acknowledgments (999, 277CA) and remittances."""

from __future__ import annotations

from typing import Any

from edi.guides import CLAIM_KIND, REMITTANCE_KIND
from edi.ledger.ack_events import ClaimAcks
from edi.reconcile.ledger import ClaimResult
from edi.reconcile.render import amount

LAST = "9999-12-31"


def acknowledgments_json(acks: ClaimAcks, submissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each acknowledgment of the claim, in order, with the submission (interchange, ST02) it answers."""
    found = []
    for event in acks.events:
        answered = submissions[event.answers]
        found.append(
            {
                "kind": event.kind,
                "file": event.file,
                "date": event.date.isoformat() if event.date else None,
                "accepted": event.accepted,
                "codes": event.codes,
                "details": list(event.details),
                "event": event.describe(),
                "interchange_control_number": answered["interchange_control_number"],
                "transaction_control_number": answered["transaction_control_number"],
            }
        )
    return found


def history(submissions: list[dict[str, Any]], acks: ClaimAcks, result: ClaimResult) -> list[dict[str, Any]]:
    """Every event of the claim by date (submissions by GS04, acknowledgments by their date, 835s by BPR16);
    on the same date, submissions, then acknowledgments, then remittances, each in the ledger's order."""
    events = [_event(s["date"], CLAIM_KIND, f"submitted, billed {s['billed']}", s["file"]) for s in submissions]
    for ack in acks.events:
        events.append(_event(ack.date.isoformat() if ack.date else None, ack.kind, ack.describe(), ack.file))
    for entry in result.entries:
        paid_on = entry.remittance.payment_date
        payment = entry.payment
        text = (
            f"{entry.kind}: CLP02 {payment.status_code}, paid {amount(payment.paid)} by {entry.remittance.payer}"
            f" (trace {entry.remittance.trace_number})"
        )
        events.append(_event(paid_on.isoformat() if paid_on else None, REMITTANCE_KIND, text, entry.remittance.file))
    return sorted(events, key=lambda e: e["date"] or LAST)


def _event(when: str | None, kind: str, text: str, file: str) -> dict[str, Any]:
    return {"date": when, "kind": kind, "event": text, "file": file}
