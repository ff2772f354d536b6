"""Remittance JSON -> 835 X12: schema check, balancing check, segments in guide order, envelope.

Named fields are written in the guide's segment order; each ``extra_segments`` entry goes
where the guide places it within its level (after the named ones at the same place), or at
the end of its level when the guide does not place it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from edi.claims.envelope import Envelope, EnvelopeOptions, build_interchange
from edi.convert.structure import segment_from_json
from edi.errors import InputError
from edi.fields import SegmentMap, write_fields
from edi.guides import REMITTANCE_KIND
from edi.remit.adjustments import cas_segments, plb_segment
from edi.remit.balance import balance_problems
from edi.remit.fields import (
    BPR,
    CLAIM_DATES,
    CLAIM_NAMES,
    CLP,
    LX,
    MIA,
    MOA,
    N1,
    N3,
    N4,
    NM1,
    PER,
    REF,
    SERVICE_PERIOD,
    SVC,
    TRN,
    TS2,
    TS3,
    pair_segment,
)
from edi.remit.positions import guide_position
from edi.schemas import check_against
from edi.validate.gate import refuse_invalid
from edi.x12.document import Document
from edi.x12.reader import read_document
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import UnsafeValue, check_charset, located
from edi.x12.writer import segment_text

VERSION = "005010X221A1"
Placed = list[tuple[int, Segment]]


def build_835(
    data: dict[str, Any],
    file: str = "",
    allow_unbalanced: bool = False,
    delimiters: Delimiters | None = None,
    check: bool = True,
    options: EnvelopeOptions | None = None,
) -> str:
    """X12 835 text for remittance JSON; refuses JSON off the schema, or unbalanced unless allowed.

    With ``check`` (the default) the text must also pass SNIP types 1 and 2 of `edi validate` and
    hold only X12 characters (see `build_837`). ``options`` (command-line envelope values) win
    over the JSON's, as for `build_837`.
    """
    check_against("remittance", data, file)
    problems = balance_problems(data)
    if problems and not allow_unbalanced:
        raise InputError("the remittance does not balance", problems, file=file)
    d = delimiters or Delimiters()
    if d.check():
        raise InputError(f"cannot write with these delimiters: {d.check()}", file=file)
    segments: list[Segment] = []
    try:
        for number, run in enumerate(_runs(data["transactions"]), start=1):
            segments += _interchange(run, number, d, file, options or EnvelopeOptions())
        if check:
            check_charset(segments)
        text = segment_text(segments)
    except UnsafeValue as error:
        raise located(error, data, file) from None
    document = read_document(text.encode("utf-8", "surrogateescape"), file=file or "<built 835>")
    _check_output(document, data, file)
    if check:
        refuse_invalid(document, data, file, REMITTANCE_KIND)
    return text


def _runs(transactions: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive transactions that share one envelope go into one interchange and group."""
    runs: list[list[dict[str, Any]]] = []
    for transaction in transactions:
        if runs and runs[-1][0].get("envelope") == transaction.get("envelope"):
            runs[-1].append(transaction)
        else:
            runs.append([transaction])
    return runs


def _interchange(
    transactions: list[dict[str, Any]], number: int, d: Delimiters, file: str, options: EnvelopeOptions
) -> list[Segment]:
    envelope = options.applied(_envelope(transactions[0], number, file))
    bodies = [transaction_segments(t, d, f"{index:04d}") for index, t in enumerate(transactions, start=1)]
    try:
        return build_interchange(bodies, envelope, d)
    except UnsafeValue:
        raise
    except InputError as error:
        raise InputError(error.message, error.problems, file=file) from error


def _envelope(transaction: dict[str, Any], number: int, file: str) -> Envelope:
    """The transaction's envelope, with defaults from its payment and parties for what it leaves out."""
    given = transaction.get("envelope", {})
    payment = transaction.get("payment", {})
    sender = given.get("sender_id") or payment.get("originator") or "SENDER"
    receiver = given.get("receiver_id") or transaction.get("payee", {}).get("id") or "RECEIVER"
    clock = given.get("time", "0000")
    try:
        created = datetime.combine(
            date.fromisoformat(given.get("date") or payment.get("date", "2000-01-01")),
            time(int(clock[:2]), int(clock[2:4])),
        )
    except ValueError as error:
        raise InputError(f"envelope time {clock!r} is not a time of day (HHMM)", file=file) from error
    return Envelope(
        sender_id=sender,
        receiver_id=receiver,
        functional_id="HP",
        version=transaction.get("version", VERSION),
        created=created,
        control_number=int(given.get("interchange_control_number", number)),
        group_control_number=int(given.get("group_control_number", number)),
        sender_qualifier=given.get("sender_qualifier", "ZZ"),
        receiver_qualifier=given.get("receiver_qualifier", "ZZ"),
        usage=given.get("usage", "T"),
        acknowledgment_requested=given.get("acknowledgment_requested") == "1",
        application_sender=given.get("application_sender"),
        application_receiver=given.get("application_receiver"),
    )


def transaction_segments(transaction: dict[str, Any], d: Delimiters, number: str = "0001") -> list[Segment]:
    """ST..SE of one remittance transaction, SE01 counted."""
    control = transaction.get("control_number") or number
    st = Segment("ST", [REMITTANCE_KIND, control, *([transaction["version"]] if transaction.get("version") else [])], d)
    segments = [st, *_header(transaction, d)]
    for role, qualifier in (("payer", "PR"), ("payee", "PE")):
        if role in transaction:
            segments += _party(transaction[role], qualifier, "1000A" if role == "payer" else "1000B", d)
    segments += _children(transaction.get("groups", []), _group, d)
    segments += [plb_segment(plb, d) for plb in transaction.get("provider_adjustments", [])]
    segments += [segment_from_json(s, d) for s in transaction.get("extra_trailer_segments", [])]
    segments.append(Segment("SE", [str(len(segments) + 1), control], d))
    return segments


def _ordered(placed: Placed, data: dict[str, Any], loop: str, d: Delimiters) -> list[Segment]:
    extras = [segment_from_json(s, d) for s in data.get("extra_segments", [])]
    items = [(pos, 0, seg) for pos, seg in placed] + [(guide_position(loop, seg), 1, seg) for seg in extras]
    return [seg for _, _, seg in sorted(items, key=lambda item: (item[0], item[1]))]


def _optional(pos: int, smap: SegmentMap, data: dict[str, Any] | None, d: Delimiters) -> Placed:
    if not data or not smap.present_in(data):
        return []
    return [(pos, write_fields(smap, data, d))]


def _references(pos: int, items: list[dict[str, Any]], d: Delimiters) -> Placed:
    return [(pos, write_fields(REF, item, d)) for item in items]


def _children(
    items: list[dict[str, Any]], build: Callable[[dict[str, Any], Delimiters], list[Segment]], d: Delimiters
) -> list[Segment]:
    return [segment for item in items for segment in build(item, d)]


def _pairs(pos: int, seg_id: str, values: dict[str, str], kind: str, d: Delimiters) -> Placed:
    return [(pos, pair_segment(seg_id, q, v, kind, d)) for q, v in values.items()]


def _single(pos: int, seg_id: str, qualifier: str, data: dict[str, Any], name: str, kind: str, d: Delimiters) -> Placed:
    """The two-element segment of the field ``name``, when ``data`` has it."""
    return [(pos, pair_segment(seg_id, qualifier, data[name], kind, d))] if name in data else []


def _header(transaction: dict[str, Any], d: Delimiters) -> list[Segment]:
    payment = transaction.get("payment", {})
    placed = _optional(200, BPR, payment, d) + _optional(400, TRN, payment, d)
    placed += _references(600, transaction.get("references", []), d)
    placed += _single(700, "DTM", "405", transaction, "production_date", "exact_date", d)
    return _ordered(placed, transaction, "ST", d)


def _party(party: dict[str, Any], qualifier: str, loop: str, d: Delimiters) -> list[Segment]:
    placed: Placed = [(800, write_fields(N1[qualifier], party, d))]
    address = party.get("address")
    placed += _optional(1000, N3, address, d) + _optional(1100, N4, address, d)
    placed += _references(1200, party.get("references", []), d)
    placed += [(1300, write_fields(PER, contact, d)) for contact in party.get("contacts", [])]
    return _ordered(placed, party, loop, d)


def _group(group: dict[str, Any], d: Delimiters) -> list[Segment]:
    placed = _optional(30, LX, group, d)
    placed += _optional(50, TS3, group.get("provider_summary"), d)
    placed += _optional(70, TS2, group.get("provider_supplemental_summary"), d)
    return _ordered(placed, group, "2000", d) + _children(group.get("claims", []), _claim, d)


def _claim(claim: dict[str, Any], d: Delimiters) -> list[Segment]:
    placed: Placed = [(100, write_fields(CLP, claim, d))]
    placed += [(200, seg) for seg in cas_segments(claim.get("adjustments", []), d)]
    qualifiers = {role: qualifier for qualifier, role in CLAIM_NAMES.items()}
    # Names are written in the order the claim object lists them, which is the order they were read in.
    for key in claim:
        if key in qualifiers:
            placed.append((300, write_fields(NM1[qualifiers[key]], claim[key], d)))
    placed += _optional(330, MIA, claim.get("inpatient"), d) + _optional(350, MOA, claim.get("outpatient"), d)
    placed += _references(400, claim.get("references", []), d)
    codes = {name: code for code, name in CLAIM_DATES.items()}
    placed += [(500, pair_segment("DTM", codes[k], v, "exact_date", d)) for k, v in claim.get("dates", {}).items()]
    placed += [(600, write_fields(PER, contact, d)) for contact in claim.get("contacts", [])]
    placed += _pairs(620, "AMT", claim.get("amounts", {}), "amount", d)
    placed += _pairs(640, "QTY", claim.get("quantities", {}), "amount", d)
    return _ordered(placed, claim, "2100", d) + _children(claim.get("lines", []), _line, d)


def _line(line: dict[str, Any], d: Delimiters) -> list[Segment]:
    placed: Placed = [(700, write_fields(SVC, line, d))]
    period = line.get("service_period", {})
    for qualifier, key in SERVICE_PERIOD.items():
        placed += _single(800, "DTM", qualifier, period, key, "exact_date", d)
    placed += _single(800, "DTM", "472", line, "service_date", "exact_date", d)
    placed += [(900, seg) for seg in cas_segments(line.get("adjustments", []), d)]
    placed += _single(1000, "REF", "6R", line, "line_control_number", "raw", d)
    placed += _references(1000, line.get("references", []), d)
    placed += _single(1100, "AMT", "B6", line, "allowed", "amount", d)
    placed += _pairs(1100, "AMT", line.get("amounts", {}), "amount", d)
    placed += _pairs(1200, "QTY", line.get("quantities", {}), "amount", d)
    placed += [(1300, pair_segment("LQ", r["qualifier"], r["code"], "raw", d)) for r in line.get("remarks", [])]
    return _ordered(placed, line, "2110", d)


def _check_output(document: Document, data: dict[str, Any], file: str) -> None:
    """The built text read back: a segment the guide cannot place is an error unless the JSON kept it so."""
    unplaced = [s for s in document.segments() if s.unplaced]
    if unplaced and not _declares_unplaced(data):
        shown = ", ".join(f"{s.id} (segment {s.position})" for s in unplaced[:5])
        raise InputError("the built 835 has segments its guide does not place", [shown], file=file)


def _declares_unplaced(data: dict[str, Any]) -> bool:
    for transaction in data["transactions"]:
        if any(not LX.present_in(group) for group in transaction.get("groups", [])):
            return True
    return _marked_unplaced(data)


def _marked_unplaced(value: Any) -> bool:
    if isinstance(value, dict):
        return value.get("unplaced") is True or any(_marked_unplaced(v) for v in value.values())
    if isinstance(value, list):
        return any(_marked_unplaced(v) for v in value)
    return False
