"""The figures shown at the top of a view: claims and charges, payments, acknowledgment outcomes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from edi.guides import CLAIM_ACK_KIND, CLAIM_KIND, IMPLEMENTATION_ACK_KIND, REMITTANCE_KIND
from edi.x12.document import Document, Transaction

REJECTING = {"A3", "A4", "A6", "A7", "A8"}


def totals(document: Document) -> list[tuple[str, str]]:
    """(label, value) pairs summing every transaction set of the file, by kind."""
    rows: list[tuple[str, str]] = []
    by_kind: dict[str, list[Transaction]] = {}
    for _, _, transaction in document.transactions():
        by_kind.setdefault(transaction.st.get(1), []).append(transaction)
    for kind, found in by_kind.items():
        rows += KINDS.get(kind, _other)(found)
    return rows


def _claims(transactions: list[Transaction]) -> list[tuple[str, str]]:
    claims = lines = 0
    charge = Decimal(0)
    for transaction in transactions:
        for segment in transaction.segments():
            if segment.id == "CLM":
                claims += 1
                charge += _amount(segment.get(2))
            elif segment.id == "LX":
                lines += 1
    return [("Claims", str(claims)), ("Service lines", str(lines)), ("Total charge", _money(charge))]


def _remittances(transactions: list[Transaction]) -> list[tuple[str, str]]:
    payment = billed = paid = patient = Decimal(0)
    claims = 0
    for transaction in transactions:
        for segment in transaction.segments():
            if segment.id == "BPR":
                payment += _amount(segment.get(2))
            elif segment.id == "CLP":
                claims += 1
                billed += _amount(segment.get(3))
                paid += _amount(segment.get(4))
                patient += _amount(segment.get(5))
    return [
        ("Payment (BPR02)", _money(payment)),
        ("Claims paid", str(claims)),
        ("Billed", _money(billed)),
        ("Paid (CLP04)", _money(paid)),
        ("Patient responsibility", _money(patient)),
    ]


def _implementation_acks(transactions: list[Transaction]) -> list[tuple[str, str]]:
    outcomes = {"accepted": 0, "rejected": 0}
    for transaction in transactions:
        for segment in transaction.segments():
            if segment.id == "IK5":
                outcomes["accepted" if segment.get(1) in ("A", "E") else "rejected"] += 1
    return [("Sets accepted", str(outcomes["accepted"])), ("Sets rejected", str(outcomes["rejected"]))]


def _claim_acks(transactions: list[Transaction]) -> list[tuple[str, str]]:
    accepted = rejected = 0
    accepted_charge = rejected_charge = Decimal(0)
    for transaction in transactions:
        for segment, loop in transaction.root.walk():
            if segment.id != "STC" or loop.id != "2200D" or segment is not loop.find("STC"):
                continue
            if segment.get(1, 1) in REJECTING or segment.get(3) == "U":
                rejected += 1
                rejected_charge += _amount(segment.get(4))
            else:
                accepted += 1
                accepted_charge += _amount(segment.get(4))
    return [
        ("Claims accepted", str(accepted)),
        ("Accepted charge", _money(accepted_charge)),
        ("Claims rejected", str(rejected)),
        ("Rejected charge", _money(rejected_charge)),
    ]


def _other(transactions: list[Transaction]) -> list[tuple[str, str]]:
    return [(f"Transaction sets {transactions[0].st.get(1)}", str(len(transactions)))]


KINDS = {
    CLAIM_KIND: _claims,
    REMITTANCE_KIND: _remittances,
    IMPLEMENTATION_ACK_KIND: _implementation_acks,
    CLAIM_ACK_KIND: _claim_acks,
}


def _amount(value: str) -> Decimal:
    try:
        return Decimal(value) if value else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"
