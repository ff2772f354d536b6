"""999 and 277CA transaction sets as rows of the ledger's ``acknowledgments`` table.

A 999 gives one row per acknowledged transaction set (AK2 loop): the group (AK102) and
transaction (AK202) control numbers it answers, its IK5 code and the IK3/IK4/CTX segments
that explain it; a 999 without AK2 gives one row for the whole group (AK9). A 277CA gives
one row per claim status (2200D, read by `edi.ack.read277`): the patient control number
(TRN02), the STC categories and codes, the charge and the payer that sent it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from edi.ack.read277 import read_claim_acks
from edi.errors import Location, ReadError
from edi.guides import CLAIM_ACK, CLAIM_ACK_KIND, IMPLEMENTATION_ACK_KIND
from edi.ledger.facts import dumps
from edi.ledger.money import cents
from edi.x12.document import Document, Group, Interchange, Transaction
from edi.x12.segment import DEFAULT_DELIMITERS, Segment
from edi.x12.values import x12_date

ACK_KINDS = (IMPLEMENTATION_ACK_KIND, CLAIM_ACK_KIND)
REJECTING_999 = {"R", "M", "W", "X"}
EXPLAINING = {"IK3", "IK4", "CTX"}


def submitter(interchange: Interchange, group: Group) -> str:
    """Who sent what an acknowledgment answers: its receiver (ISA08, else GS03)."""
    isa, gs = interchange.isa, group.gs
    return (isa.get(8).strip() if isa else "") or (gs.get(3) if gs else "")


def group_date(group: Group) -> date | None:
    """The group's date (GS04), when it is one."""
    return x12_date(group.gs.get(4) if group.gs else "")


def set_answers(file: str, interchange: Interchange, group: Group, transaction: Transaction) -> list[dict[str, Any]]:
    """One row per transaction set a 999 acknowledges (or one for its whole group when it names none)."""
    base = {"submitter": submitter(interchange, group), "ack_date": group_date(group), "charge_cents": None}
    group_control, group_kind = "", ""
    rows: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for segment in transaction.segments():
        seg_id = segment.id
        if seg_id == "AK1":
            group_control, group_kind = segment.get(2), segment.get(1)
        elif seg_id == "AK2":
            if current is not None:
                raise _error(file, segment, "an AK2 loop without its IK5", "IK5 closing each AK2 loop")
            current = {"set_kind": segment.get(1), "transaction_control": segment.get(2), "details": []}
        elif seg_id in EXPLAINING and current is not None:
            current["details"].append(_text(segment))
        elif seg_id == "IK5":
            if current is None:
                raise _error(file, segment, "an IK5 outside an AK2 loop", "AK2 before IK5")
            rows.append(_row(base, group_control, current, segment))
            current = None
        elif seg_id == "SE" and current is not None:
            raise _error(file, segment, "an AK2 loop without its IK5", "IK5 closing each AK2 loop")
        elif seg_id == "AK9" and not rows:
            whole = {"set_kind": "", "transaction_control": "", "details": [f"AK1*{group_kind}*{group_control}"]}
            rows.append(_row(base, group_control, whole, segment))
    return [{**row, "position": position} for position, row in enumerate(rows)]


def _row(base: dict[str, Any], group_control: str, loop: dict[str, Any], code: Segment) -> dict[str, Any]:
    return {
        **base,
        "set_kind": loop["set_kind"],
        "group_control": group_control,
        "transaction_control": loop["transaction_control"],
        "patient_control_number": None,
        "accepted": code.get(1) not in REJECTING_999,
        "codes": _text(code),
        "facts": dumps({"details": loop["details"]}),
    }


def claim_statuses(document: Document, interchange: Interchange, group: Group) -> list[dict[str, Any]]:
    """One row per claim status of the 277CA ``document`` (a document holding that one transaction set)."""
    transaction = document.interchanges[0].groups[0].transactions[0]
    if transaction.guide is None or transaction.guide.id != CLAIM_ACK:
        raise _error(
            document.file,
            transaction.st,
            "this 277 is not a claim acknowledgment (277CA, 005010X214)",
            "ST03 005010X214 and the 277CA loops",
        )
    data = read_claim_acks(document)
    payer = data["batches"][0].get("information_source") or {}
    base = {"submitter": submitter(interchange, group), "set_kind": None, "group_control": None}
    received = group_date(group)
    rows = []
    for position, claim in enumerate(data["claims"]):
        rows.append(
            {
                **base,
                "transaction_control": None,
                "position": position,
                "patient_control_number": claim["patient_control_number"],
                "accepted": claim["accepted"],
                "codes": ", ".join(_status(s) for s in claim["statuses"]),
                "charge_cents": _cents(claim.get("charge", "")),
                "ack_date": x12_date(claim.get("status_date", "").replace("-", "")) or received,
                "facts": dumps({**claim, "payer": payer}),
            }
        )
    return rows


def _status(status: dict[str, str]) -> str:
    return f"{status['category']}:{status['code']}" if status["code"] else status["category"]


def _cents(value: str) -> int | None:
    try:
        return cents(Decimal(value)) if value else None
    except InvalidOperation:
        return None


def _text(segment: Segment) -> str:
    return segment.text(DEFAULT_DELIMITERS)


def _error(file: str, segment: Segment, message: str, expected: str) -> ReadError:
    return ReadError(message, Location(file=file, line=segment.line, segment=segment.text()), expected)
