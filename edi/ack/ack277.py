"""The 277CA claim acknowledgment (005010X214) written from the validator's findings for an 837.

Where the 999 answers the file's syntax, the 277CA answers claim by claim. A claim is
rejected when an error finding lies in it: in its 2300 loop and lines, or in the levels
above it (billing provider, subscriber, patient), which every claim below shares. Its
STC gives a status category (A6 missing, A7 invalid, A8 relational field in error) and
a status code for each kind of fault (`claim_status`); the others are accepted (A2:20).
An error outside every claim (header, submitter, receiver, trailer) returns the whole
transaction set as unprocessable (A3:21). Warnings reject nothing.

The levels follow the 837: information source (the 837's receiver, as AY), information
receiver (the submitter, with the batch's BHT03 as trace), one billing provider level
per 837 billing provider, and one patient level per claim with TRN*2 = CLM01, the
charge and the service dates (claim level, else the span of the lines), and a 2220D for
each of its service lines that holds an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from edi.ack.ack999 import AckOptions, clean, interchange_lines, x12_text
from edi.validate.issue import Issue
from edi.x12.document import Document, Group, Transaction
from edi.x12.lalr import Loop
from edi.x12.segment import Segment

VERSION = "005010X214"
ACCEPTED = ("A2", "20", "")
RECEIVED = ("A1", "19", "")
UNPROCESSABLE = ("A3", "21", "")
MISSING_ELEMENT = {"1", "2", "I9"}
MISSING_SEGMENT = {"3", "I6", "I7", "I8"}
# Claim status codes (code list 508) by what the finding is about.
OUT_OF_BALANCE, CHARGES, DATES, NPI, INVALID = "400", "178", "187", "562", "21"
PRINCIPAL_DIAGNOSIS, DIAGNOSIS, PROCEDURE, MODIFIERS = "254", "255", "454", "453"
SERVICE_SEGMENTS = {"SV1", "SV2", "SV3"}
PROCEDURE_ELEMENTS = {"SV101-2", "SV202-2", "SV301-2"}
MODIFIER_ELEMENTS = {f"{seg}-{n}" for seg in ("SV101", "SV202", "SV301") for n in range(3, 7)}
CHARGE_ELEMENTS = {"CLM02", "SV102", "SV203", "SV302"}
# Entity identifier (STC01-3) of the party a name segment's loop describes.
ENTITY_BY_LOOP = {
    "2010AA": "85",
    "2010AB": "85",
    "2010BA": "IL",
    "2010BB": "PR",
    "2010CA": "QC",
    "2310A": "DN",
    "2310B": "82",
    "2310C": "77",
    "2310D": "DQ",
    "2420A": "82",
    "2420C": "77",
    "2420D": "DQ",
    "2420E": "DK",
    "2420F": "DN",
}
REJECTING = {"A3", "A4", "A6", "A7", "A8"}
PROCEDURE_QUALIFIERS = {"AD", "ER", "HC", "HP", "IV", "NU"}  # SVC01-1 in the 2220D
DATE = re.compile(r"\d{8}")
DATE_RANGE = re.compile(r"\d{8}-\d{8}")

Status = tuple[str, str, str]  # category (507), status code (508), entity identifier or ""


@dataclass(slots=True, frozen=True)
class ClaimAck:
    """The acknowledgment of one claim: its 2300 loop and the statuses its findings give."""

    claim: Loop
    provider: Loop
    patient: Segment | None
    subscriber: Segment | None
    statuses: tuple[Status, ...]
    lines: tuple[tuple[Loop, tuple[Status, ...]], ...] = ()

    @property
    def accepted(self) -> bool:
        return not any(category in REJECTING for category, _, _ in self.statuses)

    @property
    def charge(self) -> Decimal:
        return _decimal(self.claim.trigger.get(2))


def claim_status(issue: Issue) -> Status:
    """The status category, status code and entity that report one error finding."""
    if issue.snip == 4:
        category = "A8"
    elif issue.element_error in MISSING_ELEMENT or (issue.segment_error in MISSING_SEGMENT and not issue.element):
        category = "A6"
    else:
        category = "A7"
    code = _status_code(issue)
    entity = ENTITY_BY_LOOP.get(issue.loop or "", "") if code == NPI else ""
    return category, code, entity


def _status_code(issue: Issue) -> str:
    segment, element = issue.segment_id or "", issue.element or ""
    if issue.snip == 3:
        return OUT_OF_BALANCE
    if element in CHARGE_ELEMENTS:
        return CHARGES
    if segment == "HI":
        return PRINCIPAL_DIAGNOSIS if element.startswith("HI01") else DIAGNOSIS
    if segment in SERVICE_SEGMENTS and element in PROCEDURE_ELEMENTS:
        return PROCEDURE
    if segment in SERVICE_SEGMENTS and element in MODIFIER_ELEMENTS:
        return MODIFIERS
    if segment == "DTP":
        return DATES
    if issue.rule == "snip5.npi_check_digit":
        return NPI
    return INVALID


def acknowledge_claims(transaction: Transaction, issues: list[Issue]) -> tuple[list[ClaimAck], bool]:
    """Each claim of an 837 with its statuses, and whether an error outside every claim rejects the set."""
    errors = [i for i in issues if i.severity == "error" and i.transaction == transaction.control_number]
    claims = [(top, *found) for top in transaction.root.loops("2000A") for found in _claims(top, (), None, None)]
    owners: dict[int, list[int]] = {}
    for index, (_, _, _, _, positions) in enumerate(claims):
        for position in positions:
            owners.setdefault(position, []).append(index)
    by_claim: dict[int, list[Status]] = {}
    set_rejected = False
    for issue in sorted(errors, key=lambda i: i.segment_position or 0):
        found = owners.get(issue.segment_position or 0)
        if found is None:
            set_rejected = True
            continue
        for index in found:
            by_claim.setdefault(index, []).append(claim_status(issue))
    acks = []
    for index, (provider, claim, patient, subscriber, _) in enumerate(claims):
        statuses = tuple(dict.fromkeys(by_claim.get(index, [])))
        if set_rejected:
            statuses = (UNPROCESSABLE, *statuses)
        lines = _line_statuses(claim, errors)
        acks.append(ClaimAck(claim, provider, patient, subscriber, statuses or (ACCEPTED,), lines))
    return acks, set_rejected


def _line_statuses(claim: Loop, errors: list[Issue]) -> tuple[tuple[Loop, tuple[Status, ...]], ...]:
    """The claim's service lines that hold an error finding, each with the statuses of its findings."""
    found = []
    for line in claim.loops("2400"):
        positions = {segment.position for segment, _ in line.walk()}
        statuses = [claim_status(i) for i in errors if i.segment_position in positions]
        if statuses:
            found.append((line, tuple(dict.fromkeys(statuses))))
    return tuple(found)


def _claims(
    loop: Loop, inherited: tuple[int, ...], patient: Segment | None, subscriber: Segment | None
) -> Iterator[tuple[Loop, Segment | None, Segment | None, tuple[int, ...]]]:
    """Every 2300 loop below ``loop`` with its patient and subscriber names and the positions it answers for."""
    own = list(inherited)
    children: list[Loop] = []
    for item in loop.items:
        if isinstance(item, Segment):
            own.append(item.position)
        elif item.id == "2300" or item.id.startswith("2000"):
            children.append(item)
        else:
            own.extend(segment.position for segment, _ in item.walk())
            name = item.find("NM1")
            if item.id == "2010BA":
                subscriber = patient = name
            elif item.id == "2010CA":
                patient = name
    for child in children:
        if child.id == "2300":
            yield child, patient, subscriber, (*own, *(segment.position for segment, _ in child.walk()))
        else:
            yield from _claims(child, tuple(own), patient, subscriber)


def build_277ca(document: Document, issues: list[Issue], options: AckOptions | None = None) -> str | None:
    """A 277CA interchange answering every 837 transaction set of ``document`` with claims, or None when none has."""
    options = options or AckOptions()
    sets: list[list[str]] = []
    source_isa: Segment | None = None
    source_group: Group | None = None
    for interchange in document.interchanges:
        for group in interchange.groups:
            for transaction in group.transactions:
                if transaction.st.get(1) != "837" or transaction.guide is None:
                    continue
                answer = _transaction_277(transaction, issues, len(sets) + 1, options)
                if answer is None:
                    continue
                source_isa = source_isa or interchange.isa
                source_group = source_group or group
                sets.append(answer)
    if not sets:
        return None
    now = options.stamp()
    gs = source_group.gs if source_group else None
    head = [
        "GS", "HN", clean(gs.get(3), 15) if gs else "RECEIVER", clean(gs.get(2), 15) if gs else "SENDER",
        now.strftime("%Y%m%d"), now.strftime("%H%M"), str(options.control_number), "X", VERSION,
    ]  # fmt: skip
    body = ["*".join(head), *(line for lines in sets for line in lines), f"GE*{len(sets)}*{options.control_number}"]
    return x12_text(interchange_lines(source_isa, body, 1, options))


def _transaction_277(
    transaction: Transaction, issues: list[Issue], number: int, options: AckOptions
) -> list[str] | None:
    """The 277CA set answering one 837 set, or None when no claim could be read in it (the 999 answers it)."""
    acks, set_rejected = acknowledge_claims(transaction, issues)
    if not acks:
        return None
    root = transaction.root
    today = options.stamp().strftime("%Y%m%d")
    bht = root.find("BHT")
    reference = clean(bht.get(3) if bht else "", 50) or transaction.control_number
    lines = [
        f"ST*277*{number:04d}*{VERSION}",
        "*".join(["BHT", "0085", "08", reference, today, options.stamp().strftime("%H%M"), "TH"]),
    ]
    receiver = _name(root, "1000B")
    submitter = _name(root, "1000A")
    lines.append("HL*1**20*1")
    lines.append(_nm1("AY", receiver, "2", "46", fallback="RECEIVER"))
    lines.append(f"TRN*1*{clean(transaction.control_number, 50)}")
    lines += [f"DTP*050*D8*{today}", f"DTP*009*D8*{today}"]
    lines.append("HL*2*1*21*1")
    lines.append(_nm1("41", submitter, None, "46", fallback="SUBMITTER"))
    lines.append(f"TRN*2*{reference}")
    batch = UNPROCESSABLE if set_rejected else RECEIVED
    lines.append(_stc(batch, today, acks))
    lines += _totals(acks, "90", "AA")
    hl = 2
    by_provider: dict[int, list[ClaimAck]] = {}
    for ack in acks:
        by_provider.setdefault(id(ack.provider), []).append(ack)
    for provider_loop in root.loops("2000A"):
        mine = by_provider.get(id(provider_loop), [])
        if not mine:
            continue
        hl += 1
        provider_hl = hl
        lines.append(f"HL*{provider_hl}*2*19*1")
        lines.append(_nm1("85", _name(provider_loop, "2010AA"), None, None, fallback="BILLING PROVIDER"))
        lines.append(f"TRN*1*{clean(transaction.control_number, 40)}-{provider_hl}")
        lines.append(_stc((*RECEIVED[:2], "85"), None, mine))
        lines += _totals(mine, "QA", "QC")
        for ack in mine:
            hl += 1
            lines.append(f"HL*{hl}*{provider_hl}*PT")
            lines += _claim_lines(ack, transaction, today)
    lines.append(f"SE*{len(lines) + 1}*{number:04d}")
    return lines


def _claim_lines(ack: ClaimAck, transaction: Transaction, today: str) -> list[str]:
    clm = ack.claim.trigger
    subscriber = ack.subscriber
    patient = ack.patient
    qualifier = subscriber.get(8) if subscriber and subscriber.get(8) in ("MI", "II") else "MI"
    names = [clean(patient.get(i), 60) if patient else "" for i in range(3, 8)]
    member = clean(subscriber.get(9), 80) if subscriber else ""
    lines = ["*".join(["NM1", "QC", "1", names[0] or "UNKNOWN", *names[1:], qualifier, member or "UNKNOWN"])]
    lines.append(f"TRN*2*{clean(clm.get(1), 50)}")
    action = "WQ" if ack.accepted else "U"
    statuses = list(ack.statuses)
    for start in range(0, len(statuses), 3):
        lines.append(_stc_line(statuses[start : start + 3], today, action, clm.get(2)))
    trace = ack.claim.find("REF", "D9")
    if trace is not None and trace.get(2):
        lines.append(f"REF*D9*{clean(trace.get(2), 50)}")
    if transaction.guide is not None and transaction.guide.id == "837I":
        lines.append(f"REF*BLT*{clean(clm.get(5, 1) + clm.get(5, 3), 50)}")
    lines.append("*".join(["DTP", "472", *_service_dates(ack.claim, transaction)]))
    for line, line_statuses in ack.lines:
        lines += _service_line(line, line_statuses, today)
    return lines


def _service_line(line: Loop, statuses: tuple[Status, ...], today: str) -> list[str]:
    """The 2220D of a service line with findings: SVC, one STC (up to three statuses), REF*FJ and DTP*472."""
    service = next((s for s in line.segments() if s.id in SERVICE_SEGMENTS), None)
    if service is None:
        return []
    procedure_at, charge_at = (2, 3) if service.id == "SV2" else (1, 2)
    parts = service.components(procedure_at)
    if not parts or parts[0] not in PROCEDURE_QUALIFIERS:
        return []  # SVC01 cannot echo it; the claim's STC reports the fault
    procedure = ":".join(clean(part, 48) for part in parts[:6])
    revenue = clean(service.get(1), 48) if service.id == "SV2" else ""
    units = {"SV1": 4, "SV2": 5, "SV3": 6}[service.id]
    svc = ["SVC", procedure, clean(service.get(charge_at), 18) or "0", "", revenue, "", "", ""]
    svc[7] = clean(service.get(units), 15)
    out = ["*".join(svc).rstrip("*")]
    composites = [":".join(part for part in status if part) for status in statuses[:3]]
    stc = ["STC", composites[0], today, "U"]
    if len(composites) > 1:
        stc += ["", "", "", "", "", "", *composites[1:]]
    out.append("*".join(stc))
    control = line.find("REF", "6R")
    if control is not None and control.get(2):
        out.append(f"REF*FJ*{clean(control.get(2), 50)}")
    dates = line.find("DTP", "472")
    if dates is not None and _date_value(dates.get(2), dates.get(3)):
        out.append(f"DTP*472*{dates.get(2)}*{dates.get(3)}")
    return out


def _date_value(qualifier: str, value: str) -> bool:
    """Whether ``value`` is a date (D8) or a date range (RD8) as its qualifier says."""
    pattern = DATE_RANGE if qualifier == "RD8" else DATE if qualifier == "D8" else None
    return pattern is not None and pattern.fullmatch(value) is not None


def _stc(status: Status, date: str | None, acks: list[ClaimAck]) -> str:
    action = "U" if status[0] in REJECTING else "WQ"
    return _stc_line([status], date, action, _amount(sum((a.charge for a in acks), Decimal(0))))


def _stc_line(statuses: list[Status], date: str | None, action: str, charge: str) -> str:
    composites = [":".join(part for part in status if part) for status in statuses]
    elements = ["STC", composites[0], date or "", action, charge or "0"]
    if len(composites) > 1:
        elements += ["", "", "", "", "", *composites[1:]]
    return "*".join(elements)


def _totals(acks: list[ClaimAck], accepted_qty: str, rejected_qty: str) -> list[str]:
    accepted = [a for a in acks if a.accepted]
    rejected = [a for a in acks if not a.accepted]
    lines = []
    if accepted:
        lines.append(f"QTY*{accepted_qty}*{len(accepted)}")
    if rejected:
        lines.append(f"QTY*{rejected_qty}*{len(rejected)}")
    if accepted:
        lines.append(f"AMT*YU*{_amount(sum((a.charge for a in accepted), Decimal(0)))}")
    if rejected:
        lines.append(f"AMT*YY*{_amount(sum((a.charge for a in rejected), Decimal(0)))}")
    return lines


def _service_dates(claim: Loop, transaction: Transaction) -> list[str]:
    """DTP02 and DTP03 of the claim's service dates: its own DTP*472 or DTP*434, else the span of its lines."""
    for qualifier in ("472", "434"):
        found = claim.find("DTP", qualifier)
        if found is not None and _date_value(found.get(2), found.get(3)):
            return [found.get(2), found.get(3)]
    dates: list[str] = []
    for line in claim.loops("2400"):
        found = line.find("DTP", "472")
        if found is not None and found.get(3):
            dates.extend(found.get(3).split("-"))
    dates = sorted(d for d in dates if len(d) == 8 and d.isdigit())
    if not dates:
        bht = transaction.root.find("BHT")
        created = bht.get(4) if bht else ""
        return ["D8", created if len(created) == 8 and created.isdigit() else "19000101"]
    return ["D8", dates[0]] if dates[0] == dates[-1] else ["RD8", f"{dates[0]}-{dates[-1]}"]


def _name(loop: Loop, loop_id: str) -> Segment | None:
    found = loop.loops(loop_id)
    return found[0].find("NM1") if found else None


def _nm1(entity: str, source: Segment | None, kind: str | None, id_qualifier: str | None, fallback: str) -> str:
    """An NM1 copying name and ID from ``source``; ``kind`` and ``id_qualifier`` fix NM102 and NM108."""
    name = [clean(source.get(i), 60) if source else "" for i in range(3, 8)]
    entity_type = kind or (source.get(2) if source and source.get(2) in ("1", "2") else "2")
    if entity_type == "2":
        name = [name[0], "", "", "", ""]
    qualifier = id_qualifier or (source.get(8) if source else "") or "XX"
    identifier = clean(source.get(9), 80) if source else ""
    return "*".join(["NM1", entity, entity_type, name[0] or fallback, *name[1:], qualifier, identifier or fallback])


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        return Decimal(0)


def _amount(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
