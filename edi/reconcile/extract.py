"""The facts reconciliation needs, read from 837 claims and 835 remittances."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edi.claims import model as claim_model
from edi.errors import Location, ReadError
from edi.guides import CLAIM_KIND, REMITTANCE_KIND, ClaimGuide, Guide
from edi.remit import model
from edi.remit.model import Procedure, amount
from edi.x12.document import Document
from edi.x12.lalr import Loop
from edi.x12.segment import Segment


@dataclass(slots=True, frozen=True)
class ClaimLine:
    """One 2400 service line of an 837 claim."""

    line_number: str
    control_number: str
    procedure: Procedure | None
    revenue_code: str
    charge: Decimal
    units: Decimal | None
    service_date: date | None


@dataclass(slots=True, frozen=True)
class Payer:
    """A payer of a claim: its place in the COB order (SBR01: P, S, T...), its name and identifiers."""

    order: str
    name: str
    ids: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class Claim:
    """One 2300 claim of an 837, with the payers that may answer it (2010BB, then each 2330B) and its patient."""

    file: str
    patient_control_number: str
    charge: Decimal
    frequency: str
    payer_order: str
    payer_claim_control_number: str
    lines: tuple[ClaimLine, ...]
    payers: tuple[Payer, ...] = ()
    claim_date: date | None = None
    patient_id: str = ""
    patient_name: str = ""


@dataclass(slots=True, frozen=True)
class Adjustment:
    """One CAS triplet: group, reason (CARC), amount and quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None


@dataclass(slots=True, frozen=True)
class ServicePayment:
    """One 2110 SVC of an 835: how the payer adjudicated a service line."""

    procedure: Procedure | None
    submitted: Procedure | None
    charge: Decimal
    paid: Decimal
    paid_units: Decimal | None
    original_units: Decimal | None
    service_date: date | None
    adjustments: tuple[Adjustment, ...]
    control_number: str
    allowed: Decimal | None
    remarks: tuple[str, ...]


@dataclass(slots=True, frozen=True)
class ClaimPayment:
    """One 2100 CLP of an 835 with its claim-level adjustments and its services."""

    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    payer_claim_control_number: str
    frequency: str
    adjustments: tuple[Adjustment, ...]
    crossover_payer: str
    original_reference: str
    statement_dates: tuple[date | None, date | None]
    services: tuple[ServicePayment, ...]
    line: int


@dataclass(slots=True, frozen=True)
class ProviderAdjustment:
    """One PLB adjustment pair; a positive amount lowers the payment."""

    provider: str
    fiscal_date: date | None
    reason: str
    reference: str
    amount: Decimal


@dataclass(slots=True, frozen=True)
class Remittance:
    """One 835 transaction set: the payment, its claims and its provider adjustments."""

    file: str
    trace_number: str
    payer: str
    payer_id: str
    payment: Decimal | None
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    payer_ids: tuple[str, ...] = ()
    payment_date: date | None = None

    @property
    def payer_key(self) -> str:
        """The payer's identifier (N104, else TRN03), else its name: who sent this remittance."""
        return self.payer_id or self.payer


def claims_of(document: Document) -> Iterator[Claim]:
    """Every claim of the 837 transaction sets of ``document``, in file order."""
    for _, _, transaction in document.transactions():
        if transaction.st.get(1) == CLAIM_KIND:
            yield from claims_from_walk(transaction.root.walk(), document.file, transaction.guide)


def remittances_of(document: Document) -> Iterator[Remittance]:
    """Every 835 transaction set of ``document``, in file order."""
    for _, _, transaction in document.transactions():
        if transaction.st.get(1) == REMITTANCE_KIND:
            yield _remittance(list(transaction.segments()), document.file)


def claims_from_walk(walk: Iterable[tuple[Segment, Loop]], file: str, guide: Guide | None) -> Iterator[Claim]:
    """The facts of each claim of an 837's segments in file order, each with its loop (`edi.claims.model.split`).

    Without a claim guide the segments were kept flat, unplaced by any loop: no claim is read.
    """
    if not isinstance(guide, ClaimGuide):
        for _ in walk:  # the walk is still read through: its reader hashes what it hands out
            pass
        return
    for claim in claim_model.split(walk, guide):
        yield claim_facts(claim, file)


def claim_facts(claim: claim_model.Claim, file: str) -> Claim:
    """The facts of one claim; a `ReadError` names an amount missing or not a number, or a line without its service."""
    clm, context = claim.clm, claim.context
    claim_date = claim.service_date
    claim_lines = tuple(_claim_line(line, file, claim_date) for line in claim.lines)
    served = [line.service_date for line in claim_lines if line.service_date]
    return Claim(
        file=file,
        patient_control_number=claim.patient_control_number,
        charge=_money(claim.charge, clm, 2, file),
        frequency=claim.frequency,
        payer_order=context.payer_order,
        payer_claim_control_number=claim.reference("F8"),
        lines=claim_lines,
        payers=tuple(Payer(p.order, p.name, p.ids) for p in context.payers),
        claim_date=claim_date or min(served, default=None),
        patient_id=context.patient_id,
        patient_name=context.patient_name,
    )


def _claim_line(line: claim_model.ServiceLine, file: str, claim_date: date | None) -> ClaimLine:
    service, guide = line.service, line.guide
    if service is None:
        raise _error(file, line.lx, f"the service line has no {guide.service_segment} segment", guide.service_segment)
    return ClaimLine(
        line_number=line.number,
        control_number=line.control_number,
        procedure=line.procedure,
        revenue_code=line.revenue_code,
        charge=_money(line.charge, service, guide.charge, file),
        units=_optional_money(line.units, service, guide.units, file),
        service_date=next((found for q, found in line.dates if q == "472"), claim_date),
    )


def remittance_facts(header: model.PaymentHeader, file: str, claims: tuple[ClaimPayment, ...] = ()) -> Remittance:
    """The facts of an 835's payment header (with its provider adjustments so far), holding ``claims``."""
    bpr, payer = header.bpr, header.payer
    payer_id = (payer.id if payer else "") or header.trace_originator
    return Remittance(
        file=file,
        trace_number=header.trace_number,
        payer=payer.name if payer else "",
        payer_id=payer_id,
        payment=_optional_money(header.payment, bpr, 2, file) if bpr else None,
        claims=claims,
        provider_adjustments=tuple(
            _provider_adjustment(a, file) for a in header.provider_adjustments if a.reason or a.reference
        ),
        payer_ids=tuple(i for i in (payer.id if payer else "", header.reference("2U")) if i),
        payment_date=header.payment_date,
    )


def _remittance(segments: list[Segment], file: str) -> Remittance:
    header, claims = model.split(segments)
    return remittance_facts(header, file, tuple(payment_facts(claim, file) for claim in claims))


def payment_facts(claim: model.ClaimPayment, file: str) -> ClaimPayment:
    """The facts of one claim payment; a `ReadError` names an amount that is missing or not a number."""
    clp = claim.clp
    crossover = claim.crossover_carrier
    return ClaimPayment(
        patient_control_number=claim.patient_control_number,
        status_code=claim.status_code,
        charge=_money(claim.charge, clp, 3, file),
        paid=_money(claim.paid, clp, 4, file),
        patient_responsibility=_optional_money(claim.patient_responsibility, clp, 5, file),
        payer_claim_control_number=claim.payer_claim_control_number,
        frequency=claim.frequency,
        adjustments=_adjustments(claim.adjustments, file),
        crossover_payer=(crossover.last_name or crossover.id or "crossover payer") if crossover else "",
        original_reference=claim.reference("F8"),
        statement_dates=(claim.date("232"), claim.date("233")),
        services=tuple(_service(line, file) for line in claim.lines),
        line=clp.line,
    )


def _service(line: model.ServiceLine, file: str) -> ServicePayment:
    svc = line.svc
    dates = dict(line.dates)
    allowed = line.find("AMT", "B6")
    return ServicePayment(
        procedure=line.procedure,
        submitted=line.submitted,
        charge=_money(line.charge, svc, 2, file),
        paid=_money(line.paid, svc, 3, file),
        paid_units=_optional_money(line.paid_units, svc, 5, file),
        original_units=_optional_money(line.original_units, svc, 7, file),
        service_date=dates.get("472") or dates.get("150"),
        adjustments=_adjustments(line.adjustments, file),
        control_number=line.control_number,
        allowed=_optional_money(amount(allowed, 2), allowed, 2, file) if allowed else None,
        remarks=line.remarks,
    )


def _adjustments(found: tuple[model.Adjustment, ...], file: str) -> tuple[Adjustment, ...]:
    return tuple(
        Adjustment(
            a.group,
            a.reason,
            _money(a.amount, a.segment, a.index, file),
            _optional_money(a.quantity, a.segment, a.index + 1, file),
        )
        for a in found
        if a.reason
    )


def _provider_adjustment(found: model.ProviderAdjustment, file: str) -> ProviderAdjustment:
    return ProviderAdjustment(
        provider=found.provider,
        fiscal_date=found.fiscal_date,
        reason=found.reason,
        reference=found.reference,
        amount=_money(found.amount, found.segment, found.index, file),
    )


def _money(value: Decimal | None, segment: Segment, index: int, file: str) -> Decimal:
    """``value`` read from element ``index`` of ``segment``; a `ReadError` when that is empty or not a number."""
    checked = _optional_money(value, segment, index, file)
    if checked is None:
        raise _error(file, segment, f"{segment.id}{index:02d} is empty", "an amount")
    return checked


def _optional_money(value: Decimal | None, segment: Segment, index: int, file: str) -> Decimal | None:
    """``value`` read from element ``index`` of ``segment``; a `ReadError` when that holds text that is not a number."""
    if value is None and (text := segment.get(index).strip()):
        raise _error(file, segment, f"{segment.id}{index:02d} is not a number: {text!r}", "a decimal number")
    return value


def _error(file: str, segment: Segment, message: str, expected: str) -> ReadError:
    location = Location(file=file, position=segment.position or None, line=segment.line, segment=segment.text())
    return ReadError(message, location, expected)
