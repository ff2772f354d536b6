"""The facts reconciliation needs, read from 837 claims and 835 remittances."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from edi.errors import Location, ReadError
from edi.guides import CLAIM_KIND, REMITTANCE_KIND
from edi.x12.document import Document
from edi.x12.lalr import Loop
from edi.x12.segment import Segment
from edi.x12.values import x12_decimal

CLAIM_LOOPS = {"2300", "2400"}
SERVICE_SEGMENTS = {"SV1": (1, 2, 4), "SV2": (2, 3, 5), "SV3": (1, 2, 6)}


@dataclass(slots=True, frozen=True)
class Procedure:
    """A procedure composite: qualifier (HC, AD, NU...), code and modifiers."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...] = ()

    def label(self) -> str:
        """The code with its modifiers, e.g. ``99214-25``."""
        return "-".join((self.code, *self.modifiers))


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
            yield from claims_from_walk(transaction.root.walk(), document.file)


def remittances_of(document: Document) -> Iterator[Remittance]:
    """Every 835 transaction set of ``document``, in file order."""
    for _, _, transaction in document.transactions():
        if transaction.st.get(1) == REMITTANCE_KIND:
            yield _remittance(list(transaction.segments()), document.file)


@dataclass(slots=True)
class _Party:
    """What the walk has seen of the subscriber, patient and payers above and inside the current claim."""

    payer_order: str = ""
    patient_id: str = ""
    patient_name: str = ""
    payers: list[list[str]] = field(default_factory=list)

    def see(self, segment: Segment, loop: str) -> None:
        """Note a subscriber (2000B SBR, 2010BA), patient (2010CA), payer (2010BB) or other payer (2320, 2330B)."""
        seg_id, qualifier = segment.id, segment.get(1)
        if seg_id == "SBR" and loop == "2000B":
            self.payer_order, self.patient_id, self.patient_name = qualifier, "", ""
            self.payers = [[qualifier, ""]]
        elif seg_id == "SBR" and loop == "2320":
            self.payers.append([qualifier, ""])
        elif seg_id == "NM1" and qualifier == "PR" and loop in ("2010BB", "2330B") and self.payers:
            self.payers[-1][1:] = [segment.get(3), segment.get(9)]
        elif seg_id == "REF" and qualifier == "2U" and loop in ("2010BB", "2330B") and self.payers:
            self.payers[-1].append(segment.get(2))
        elif seg_id == "NM1" and (loop, qualifier) in (("2010BA", "IL"), ("2010CA", "QC")):
            self.patient_id = self.patient_id or segment.get(9)
            self.patient_name = " ".join(p for p in (segment.get(4), segment.get(3)) if p)

    def claim_payers(self) -> tuple[Payer, ...]:
        return tuple(Payer(p[0], p[1], tuple(i for i in p[2:] if i)) for p in self.payers)


def claims_from_walk(walk: Iterable[tuple[Segment, Loop]], file: str) -> Iterator[Claim]:
    """Group the segments of claim and service-line loops by claim (CLM) and line (LX).

    Segments of other loops below a claim (providers, other subscribers) are left out, except the
    payers, subscriber and patient noted by `_Party`; a segment the guide could not place is taken
    where it stands, so a CLM outside a 2300 loop still counts.
    """
    party = _Party()
    claim_party = _Party()
    claim: list[Segment] = []
    lines: list[list[Segment]] = []
    for segment, loop in walk:
        seg_id = segment.id
        if seg_id in ("HL", "SE", "CLM") and claim:
            yield _claim(claim, lines, claim_party, file)
            claim, lines = [], []
        (claim_party if claim else party).see(segment, loop.id)
        if loop.id not in CLAIM_LOOPS and not segment.unplaced:
            continue
        if seg_id == "CLM":
            claim = [segment]
            claim_party = _Party(
                party.payer_order, party.patient_id, party.patient_name, [list(p) for p in party.payers]
            )
        elif not claim:
            continue
        elif seg_id == "LX":
            lines.append([segment])
        elif lines:
            lines[-1].append(segment)
        else:
            claim.append(segment)


def _claim(segments: list[Segment], lines: list[list[Segment]], party: _Party, file: str) -> Claim:
    clm = segments[0]
    claim_date = next(
        (_date(d.get(3)) for q in ("472", "434") for d in segments if d.id == "DTP" and d.get(1) == q), None
    )
    ref = _first(segments, "REF", "F8")
    claim_lines = tuple(_claim_line(line, file, claim_date) for line in lines)
    served = [line.service_date for line in claim_lines if line.service_date]
    return Claim(
        file=file,
        patient_control_number=clm.get(1),
        charge=_money(clm, 2, file),
        frequency=clm.get(5, 3),
        payer_order=party.payer_order,
        payer_claim_control_number=ref.get(2) if ref else "",
        lines=claim_lines,
        payers=party.claim_payers(),
        claim_date=claim_date or min(served, default=None),
        patient_id=party.patient_id,
        patient_name=party.patient_name,
    )


def _claim_line(segments: list[Segment], file: str, claim_date: date | None) -> ClaimLine:
    service = next((s for s in segments if s.id in SERVICE_SEGMENTS), None)
    if service is None:
        raise _error(file, segments[0], "the service line has no SV1, SV2 or SV3 segment", "SV1, SV2 or SV3")
    dtp = _first(segments, "DTP", "472")
    ref = _first(segments, "REF", "6R")
    procedure_at, charge_at, units_at = SERVICE_SEGMENTS[service.id]
    return ClaimLine(
        line_number=segments[0].get(1),
        control_number=ref.get(2) if ref else "",
        procedure=_procedure(service, procedure_at),
        revenue_code=service.get(1) if service.id == "SV2" else "",
        charge=_money(service, charge_at, file),
        units=_optional_money(service, units_at, file),
        service_date=_date(dtp.get(3)) if dtp else claim_date,
    )


class RemittanceReader:
    """Reads one 835 transaction set segment by segment: CLP starts a claim, SVC a service.

    `feed` hands back each claim payment as soon as the next CLP ends it, and `finish` the last
    one, so a large 835 can be read without holding all of its claims.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.header: list[Segment] = []
        self.plb: list[Segment] = []
        self._own: list[Segment] = []
        self._services: list[list[Segment]] = []

    def feed(self, segment: Segment) -> ClaimPayment | None:
        """Take the next segment; a claim payment when this segment (a CLP) ends the previous claim."""
        seg_id = segment.id
        finished = None
        if seg_id == "CLP":
            finished = self.finish()
            self._own = [segment]
        elif seg_id == "PLB":
            self.plb.append(segment)
        elif seg_id in ("SE", "LX", "TS3", "TS2") or not self._own:
            self.header.append(segment)
        elif seg_id == "SVC":
            self._services.append([segment])
        elif self._services:
            self._services[-1].append(segment)
        else:
            self._own.append(segment)
        return finished

    def finish(self) -> ClaimPayment | None:
        """The claim payment still open, if any (call at the end of the transaction set)."""
        if not self._own:
            return None
        own, services = self._own, self._services
        self._own, self._services = [], []
        return _claim_payment(own, services, self.file)

    def remittance(self, claims: tuple[ClaimPayment, ...] = ()) -> Remittance:
        """The transaction set's payment, payer and provider adjustments read so far, with ``claims``."""
        header, file = self.header, self.file
        bpr = _first(header, "BPR")
        trn = _first(header, "TRN")
        payer = _first(header, "N1", "PR")
        payer_id = (payer.get(4) if payer else "") or (trn.get(3) if trn else "")
        ref_2u = _first(header, "REF", "2U")
        payer_ids = tuple(i for i in (payer.get(4) if payer else "", ref_2u.get(2) if ref_2u else "") if i)
        return Remittance(
            file=file,
            trace_number=trn.get(2) if trn else "",
            payer=payer.get(2) if payer else "",
            payer_id=payer_id,
            payment=_optional_money(bpr, 2, file) if bpr else None,
            claims=claims,
            provider_adjustments=tuple(a for segment in self.plb for a in _provider_adjustments(segment, file)),
            payer_ids=payer_ids,
            payment_date=_date(bpr.get(16)) if bpr else None,
        )


def _remittance(segments: list[Segment], file: str) -> Remittance:
    """Split the 835 into claims (CLP starts one, SVC a service) and read each part."""
    reader = RemittanceReader(file)
    claims = [claim for segment in segments if (claim := reader.feed(segment)) is not None]
    last = reader.finish()
    return reader.remittance(tuple([*claims, *([last] if last else [])]))


def _claim_payment(own: list[Segment], services: list[list[Segment]], file: str) -> ClaimPayment:
    clp = own[0]
    crossover = _first(own, "NM1", "TT")
    original = _first(own, "REF", "F8")
    start = _first(own, "DTM", "232")
    end = _first(own, "DTM", "233")
    return ClaimPayment(
        patient_control_number=clp.get(1),
        status_code=clp.get(2),
        charge=_money(clp, 3, file),
        paid=_money(clp, 4, file),
        patient_responsibility=_optional_money(clp, 5, file),
        payer_claim_control_number=clp.get(7),
        frequency=clp.get(9),
        adjustments=_adjustments(own, file),
        crossover_payer=(crossover.get(3) or crossover.get(9) or "crossover payer") if crossover else "",
        original_reference=original.get(2) if original else "",
        statement_dates=(_date(start.get(2)) if start else None, _date(end.get(2)) if end else None),
        services=tuple(_service(segments, file) for segments in services),
        line=clp.line,
    )


def _service(segments: list[Segment], file: str) -> ServicePayment:
    svc = segments[0]
    dates = {s.get(1): _date(s.get(2)) for s in segments if s.id == "DTM"}
    ref = _first(segments, "REF", "6R")
    allowed = _first(segments, "AMT", "B6")
    submitted = _procedure(svc, 6)
    return ServicePayment(
        procedure=_procedure(svc, 1),
        submitted=submitted,
        charge=_money(svc, 2, file),
        paid=_money(svc, 3, file),
        paid_units=_optional_money(svc, 5, file),
        original_units=_optional_money(svc, 7, file),
        service_date=dates.get("472") or dates.get("150"),
        adjustments=_adjustments(segments, file),
        control_number=ref.get(2) if ref else "",
        allowed=_optional_money(allowed, 2, file) if allowed else None,
        remarks=tuple(s.get(2) for s in segments if s.id == "LQ"),
    )


def _adjustments(segments: list[Segment], file: str) -> tuple[Adjustment, ...]:
    found: list[Adjustment] = []
    for cas in segments:
        if cas.id != "CAS":
            continue
        for start in range(2, 20, 3):
            reason = cas.get(start)
            if reason:
                amount = _money(cas, start + 1, file)
                found.append(Adjustment(cas.get(1), reason, amount, _optional_money(cas, start + 2, file)))
    return tuple(found)


def _provider_adjustments(plb: Segment, file: str) -> Iterator[ProviderAdjustment]:
    for start in range(3, 15, 2):
        if plb.get(start):
            yield ProviderAdjustment(
                provider=plb.get(1),
                fiscal_date=_date(plb.get(2)),
                reason=plb.get(start, 1),
                reference=plb.get(start, 2),
                amount=_money(plb, start + 1, file),
            )


def _procedure(segment: Segment, index: int) -> Procedure | None:
    parts = segment.components(index)
    if len(parts) < 2 or not parts[1]:
        return None
    return Procedure(parts[0], parts[1], tuple(m for m in parts[2:6] if m))


def _first(segments: list[Segment], seg_id: str, qualifier: str | None = None) -> Segment | None:
    for segment in segments:
        if segment.id == seg_id and (qualifier is None or segment.get(1) == qualifier):
            return segment
    return None


def _date(text: str) -> date | None:
    """The first date of a D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD) value, or None when it is not one."""
    text = text[:8]
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _money(segment: Segment, index: int, file: str) -> Decimal:
    value = _optional_money(segment, index, file)
    if value is None:
        raise _error(file, segment, f"{segment.id}{index:02d} is empty", "an amount")
    return value


def _optional_money(segment: Segment, index: int, file: str) -> Decimal | None:
    text = segment.get(index).strip()
    if not text:
        return None
    value = x12_decimal(text)
    if value is None:
        raise _error(file, segment, f"{segment.id}{index:02d} is not a number: {text!r}", "a decimal number")
    return value


def _error(file: str, segment: Segment, message: str, expected: str) -> ReadError:
    location = Location(file=file, position=segment.position or None, line=segment.line, segment=segment.text())
    return ReadError(message, location, expected)
