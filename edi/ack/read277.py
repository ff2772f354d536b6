"""A 277CA (005010X214) loop tree to claim acknowledgments JSON (`edi.claim-acks/1`).

One entry per claim (2200D) with what a ledger needs first: the patient control number
(TRN02), whether the claim was accepted, the status category and codes of every STC
composite, and the payer's claim control number when one was assigned; plus one entry
per transaction set for the batch (2200B) and billing provider (2200C) counts.
"""

from __future__ import annotations

from typing import Any

from edi.errors import InputError
from edi.guides import CLAIM_ACK
from edi.x12.document import Document, Transaction
from edi.x12.lalr import Loop
from edi.x12.segment import Segment

FORMAT = "edi.claim-acks/1"
REJECTING = {"A3", "A4", "A6", "A7", "A8"}
STATUS_ELEMENTS = (1, 10, 11)


def read_claim_acks(document: Document) -> dict[str, Any]:
    """Claim acknowledgments JSON for every 277CA transaction set in ``document``."""
    batches: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for _, _, transaction in document.transactions():
        if transaction.guide is None or transaction.guide.id != CLAIM_ACK:
            raise InputError(
                f"transaction set {transaction.control_number} is not a 277CA (005010X214)", file=document.file
            )
        batch, found = _transaction(transaction)
        batches.append(batch)
        claims.extend(found)
    if not batches:
        raise InputError("no 277CA transaction set in the file", file=document.file)
    return {"format": FORMAT, "batches": batches, "claims": claims}


def _transaction(transaction: Transaction) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    root = transaction.root
    bht = root.find("BHT")
    batch: dict[str, Any] = {"transaction": transaction.control_number}
    _put(batch, "reference", bht.get(3) if bht else "")
    _put(batch, "created", _date(bht.get(4)) if bht else None)
    claims: list[dict[str, Any]] = []
    for source in root.loops("2000A"):
        _put(batch, "information_source", _party(_first(source, "2100A")))
        receipt = _first(source, "2200A")
        if receipt is not None:
            _put(batch, "receipt_control_number", receipt.trigger.get(2))
            for qualifier, key in (("050", "received"), ("009", "processed")):
                found = receipt.find("DTP", qualifier)
                _put(batch, key, _date(found.get(3)) if found else None)
        for receiver in source.loops("2000B"):
            _put(batch, "information_receiver", _party(_first(receiver, "2100B")))
            trace = _first(receiver, "2200B")
            if trace is not None:
                _put(batch, "batch_trace", trace.trigger.get(2))
                batch.update(_tally(trace, "90", "AA"))
            for provider in receiver.loops("2000C"):
                claims.extend(_provider_claims(provider, transaction.control_number))
    return batch, claims


def _provider_claims(provider: Loop, control_number: str) -> list[dict[str, Any]]:
    billing = _party(_first(provider, "2100C"))
    found: list[dict[str, Any]] = []
    for patient_level in provider.loops("2000D"):
        patient = _party(_first(patient_level, "2100D"))
        for claim in patient_level.loops("2200D"):
            entry = _claim(claim)
            entry["transaction"] = control_number
            _put(entry, "patient", patient)
            _put(entry, "billing_provider", billing)
            found.append(entry)
    return found


def _claim(claim: Loop) -> dict[str, Any]:
    statuses, first = _statuses(claim)
    entry: dict[str, Any] = {
        "patient_control_number": claim.trigger.get(2),
        "accepted": bool(statuses) and not any(s["category"] in REJECTING for s in statuses) and first.get(3) != "U",
        "category": statuses[0]["category"] if statuses else "",
        "status_codes": list(dict.fromkeys(s["code"] for s in statuses if s["code"])),
        "statuses": statuses,
    }
    _put(entry, "action", first.get(3))
    _put(entry, "status_date", _date(first.get(2)))
    _put(entry, "charge", first.get(4))
    for qualifier, key in (("1K", "payer_claim_control_number"), ("D9", "clearinghouse_trace_number")):
        found = claim.find("REF", qualifier)
        _put(entry, key, found.get(2) if found else "")
    bill_type = claim.find("REF", "BLT")
    _put(entry, "bill_type", bill_type.get(2) if bill_type else "")
    dates = claim.find("DTP", "472")
    if dates is not None:
        start, _, end = dates.get(3).partition("-")
        _put(entry, "service_from", _date(start))
        _put(entry, "service_to", _date(end or start))
    lines = [_line(line) for line in claim.loops("2220D")]
    if lines:
        entry["lines"] = lines
    return entry


def _line(line: Loop) -> dict[str, Any]:
    svc = line.trigger
    statuses, first = _statuses(line)
    entry: dict[str, Any] = {"procedure": svc.components(1), "charge": svc.get(2), "statuses": statuses}
    _put(entry, "paid", svc.get(3))
    _put(entry, "units", svc.get(7))
    _put(entry, "status_date", _date(first.get(2)))
    control = line.find("REF", "FJ")
    _put(entry, "line_control_number", control.get(2) if control else "")
    dates = line.find("DTP", "472")
    if dates is not None:
        start, _, end = dates.get(3).partition("-")
        _put(entry, "service_from", _date(start))
        _put(entry, "service_to", _date(end or start))
    return entry


def _statuses(loop: Loop) -> tuple[list[dict[str, str]], Segment]:
    """Every status composite of the loop's STC segments, and its first STC (an empty one when there is none)."""
    found = loop.find_all("STC")
    statuses = []
    for stc in found:
        for index in STATUS_ELEMENTS:
            parts = stc.components(index)
            if not parts:
                continue
            status = {"category": parts[0], "code": parts[1] if len(parts) > 1 else ""}
            if len(parts) > 2 and parts[2]:
                status["entity"] = parts[2]
            statuses.append(status)
    return statuses, found[0] if found else Segment("STC", [])


def _tally(loop: Loop, accepted: str, rejected: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for qualifier, key in ((accepted, "accepted_count"), (rejected, "rejected_count")):
        found = loop.find("QTY", qualifier)
        if found is not None and found.get(2).isdigit():
            out[key] = int(found.get(2))
    for qualifier, key in (("YU", "accepted_amount"), ("YY", "rejected_amount")):
        found = loop.find("AMT", qualifier)
        if found is not None:
            out[key] = found.get(2)
    stc = loop.find("STC")
    if stc is not None:
        out["statuses"] = _statuses(loop)[0]
    return out


def _party(loop: Loop | None) -> dict[str, str] | None:
    if loop is None:
        return None
    nm1 = loop.trigger
    party = {"entity": nm1.get(1), "name": " ".join(p for p in (nm1.get(4), nm1.get(5)) if p)}
    party["name"] = f"{nm1.get(3)}, {party['name']}" if party["name"] else nm1.get(3)
    if nm1.get(9):
        party.update(id_qualifier=nm1.get(8), id=nm1.get(9))
    return party


def _first(loop: Loop, loop_id: str) -> Loop | None:
    found = loop.loops(loop_id)
    return found[0] if found else None


def _date(value: str) -> str | None:
    if len(value) != 8 or not value.isdigit():
        return None
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        target[key] = value
