"""The 835 read once into typed models: the payment header, each claim payment with its service lines.

A model holds the segments it was read from, in file order (each knows its position and line),
and reads its typed values from them when asked: amounts as `Decimal` (None when empty or not
a number), dates as `date`. Building one is only grouping segments, so a reader that needs few
values pays for few (and they are not frozen: a frozen dataclass is several times slower to
build, and a large 835 builds hundreds of thousands). `claim_of_loop` builds a claim payment
from a 2100 loop (a streamed unit); `RemittanceSplit` builds the same from segments in file
order, where no grammar placed them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edi.x12.lalr import Loop
from edi.x12.segment import Segment
from edi.x12.values import x12_date, x12_decimal

CAS_REASONS = range(2, 20, 3)  # CAS02, 05 ... 17: six reason / amount / quantity triplets
PLB_REASONS = range(3, 15, 2)  # PLB03, 05 ... 13: six reason / amount pairs
CLAIM_ENDS = frozenset(("CLP", "LX", "PLB", "SE"))  # segments that close the open claim payment
PARTY_ENDS = frozenset(("N1", "LX", "CLP", "PLB", "SE", "TS3", "TS2"))


def amount(segment: Segment, index: int) -> Decimal | None:
    """Element ``index`` as a Decimal, or None when it is empty or not an X12 decimal."""
    text = segment.get(index).strip()
    return x12_decimal(text) if text else None


def first_date(text: str) -> date | None:
    """The first date of a D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD) value, or None when it is not one."""
    return x12_date(text[:8])


@dataclass(slots=True, frozen=True)
class Procedure:
    """A procedure composite: qualifier (HC, AD, NU...), code and modifiers."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...] = ()

    def label(self) -> str:
        """The code with its modifiers, e.g. ``99214-25``."""
        return "-".join((self.code, *self.modifiers))


def procedure(segment: Segment, index: int) -> Procedure | None:
    """The procedure composite of element ``index``, or None without a code."""
    parts = segment.components(index)
    if len(parts) < 2 or not parts[1]:
        return None
    return Procedure(parts[0], parts[1], tuple(m for m in parts[2:6] if m))


@dataclass(slots=True)
class Adjustment:
    """One CAS triplet: group, reason (CARC), amount and quantity; ``index`` is the amount's element."""

    group: str
    reason: str
    amount: Decimal | None
    quantity: Decimal | None
    segment: Segment
    index: int


@dataclass(slots=True)
class ProviderAdjustment:
    """One PLB reason / amount pair; a positive amount lowers the payment. ``index`` is the amount's element."""

    provider: str
    fiscal_date: date | None
    reason: str
    reference: str
    amount: Decimal | None
    segment: Segment
    index: int


@dataclass(slots=True)
class Name:
    """One NM1 of a claim payment: its role (NM101: QC patient, IL insured, TT crossover carrier...)."""

    segment: Segment

    @property
    def role(self) -> str:
        """NM101."""
        return self.segment.get(1)

    @property
    def last_name(self) -> str:
        """NM103, the last or organisation name."""
        return self.segment.get(3)

    @property
    def first_name(self) -> str:
        """NM104."""
        return self.segment.get(4)

    @property
    def id(self) -> str:
        """NM109."""
        return self.segment.get(9)


def adjustments(segments: Iterable[Segment]) -> tuple[Adjustment, ...]:
    """The triplets of the CAS segments among ``segments`` that hold a reason or an amount."""
    found: list[Adjustment] = []
    for cas in segments:
        if cas.id != "CAS":
            continue
        group, count = cas.get(1), len(cas.elements)
        for start in CAS_REASONS:
            if start > count:  # the triplets after the last element are empty
                break
            reason = cas.get(start)
            if reason or cas.get(start + 1):
                found.append(Adjustment(group, reason, amount(cas, start + 1), amount(cas, start + 2), cas, start + 1))
    return tuple(found)


def pairs(segments: Iterable[Segment], seg_id: str) -> tuple[tuple[str, str], ...]:
    """(qualifier, value) of each segment ``seg_id`` (REF, DTM, AMT...), in file order."""
    return tuple((s.get(1), s.get(2)) for s in segments if s.id == seg_id)


def first_value(segments: Iterable[Segment], seg_id: str, qualifier: str) -> str:
    """The second element of the first segment ``seg_id`` with that qualifier, else an empty string."""
    return next((s.get(2) for s in segments if s.id == seg_id and s.get(1) == qualifier), "")


def first_segment(segments: Iterable[Segment], seg_id: str, qualifier: str | None = None) -> Segment | None:
    """The first segment ``seg_id`` (with that first element), or None."""
    return next((s for s in segments if s.id == seg_id and (qualifier is None or s.get(1) == qualifier)), None)


@dataclass(slots=True)
class SegmentGroup:
    """The segments of one loop in file order, its trigger first (CLP, SVC, CLM, LX)."""

    segments: tuple[Segment, ...]

    def find(self, seg_id: str, qualifier: str | None = None) -> Segment | None:
        """The first of the segments ``seg_id`` (with that first element), or None."""
        return first_segment(self.segments, seg_id, qualifier)


@dataclass(slots=True)
class ServiceLine(SegmentGroup):
    """One 2110 service payment: the SVC and the line's segments after it, in file order."""

    @property
    def svc(self) -> Segment:
        """The SVC segment."""
        return self.segments[0]

    @property
    def procedure(self) -> Procedure | None:
        """SVC01, the procedure the payer adjudicated."""
        return procedure(self.segments[0], 1)

    @property
    def submitted(self) -> Procedure | None:
        """SVC06, the procedure submitted when it differs from SVC01."""
        return procedure(self.segments[0], 6)

    @property
    def charge(self) -> Decimal | None:
        """SVC02."""
        return amount(self.segments[0], 2)

    @property
    def paid(self) -> Decimal | None:
        """SVC03."""
        return amount(self.segments[0], 3)

    @property
    def revenue_code(self) -> str:
        """SVC04."""
        return self.segments[0].get(4)

    @property
    def paid_units(self) -> Decimal | None:
        """SVC05."""
        return amount(self.segments[0], 5)

    @property
    def original_units(self) -> Decimal | None:
        """SVC07."""
        return amount(self.segments[0], 7)

    @property
    def dates(self) -> tuple[tuple[str, date | None], ...]:
        """(DTM01, date) of each DTM: 472 service date, 150/151 service period."""
        return tuple((q, first_date(v)) for q, v in pairs(self.segments, "DTM"))

    @property
    def adjustments(self) -> tuple[Adjustment, ...]:
        """The line's CAS triplets."""
        return adjustments(self.segments)

    @property
    def references(self) -> tuple[tuple[str, str], ...]:
        """(REF01, REF02) of each REF."""
        return pairs(self.segments, "REF")

    @property
    def control_number(self) -> str:
        """REF*6R, the line item control number the 837 sent."""
        return first_value(self.segments, "REF", "6R")

    @property
    def amounts(self) -> tuple[tuple[str, Decimal | None], ...]:
        """(AMT01, amount) of each AMT."""
        return tuple((s.get(1), amount(s, 2)) for s in self.segments if s.id == "AMT")

    @property
    def allowed(self) -> Decimal | None:
        """AMT*B6, the allowed amount."""
        found = self.find("AMT", "B6")
        return amount(found, 2) if found else None

    @property
    def remarks(self) -> tuple[str, ...]:
        """LQ02 of each LQ (remark codes)."""
        return tuple(s.get(2) for s in self.segments if s.id == "LQ")


@dataclass(slots=True)
class ClaimPayment(SegmentGroup):
    """One 2100 claim payment: the CLP and its own segments in file order, then its service lines."""

    lines: tuple[ServiceLine, ...]

    @property
    def clp(self) -> Segment:
        """The CLP segment."""
        return self.segments[0]

    @property
    def patient_control_number(self) -> str:
        """CLP01."""
        return self.segments[0].get(1)

    @property
    def status_code(self) -> str:
        """CLP02."""
        return self.segments[0].get(2)

    @property
    def charge(self) -> Decimal | None:
        """CLP03."""
        return amount(self.segments[0], 3)

    @property
    def paid(self) -> Decimal | None:
        """CLP04."""
        return amount(self.segments[0], 4)

    @property
    def patient_responsibility(self) -> Decimal | None:
        """CLP05."""
        return amount(self.segments[0], 5)

    @property
    def filing_indicator(self) -> str:
        """CLP06."""
        return self.segments[0].get(6)

    @property
    def payer_claim_control_number(self) -> str:
        """CLP07."""
        return self.segments[0].get(7)

    @property
    def facility_type(self) -> str:
        """CLP08."""
        return self.segments[0].get(8)

    @property
    def frequency(self) -> str:
        """CLP09."""
        return self.segments[0].get(9)

    @property
    def names(self) -> tuple[Name, ...]:
        """Each NM1: patient, insured, corrected name, rendering provider, crossover carrier..."""
        return tuple(Name(s) for s in self.segments if s.id == "NM1")

    @property
    def crossover_carrier(self) -> Name | None:
        """NM1*TT, the payer the claim was forwarded to."""
        return next((n for n in self.names if n.role == "TT"), None)

    @property
    def references(self) -> tuple[tuple[str, str], ...]:
        """(REF01, REF02) of each REF."""
        return pairs(self.segments, "REF")

    def reference(self, qualifier: str) -> str:
        """The first REF02 with that REF01, else an empty string."""
        return first_value(self.segments, "REF", qualifier)

    def date(self, qualifier: str) -> date | None:
        """The first DTM with that DTM01 (232/233 statement period, 036, 050) as a date."""
        return first_date(first_value(self.segments, "DTM", qualifier))

    @property
    def adjustments(self) -> tuple[Adjustment, ...]:
        """The claim-level CAS triplets (the lines hold their own)."""
        return adjustments(self.segments)

    @property
    def inpatient(self) -> Segment | None:
        """MIA, the inpatient adjudication."""
        return self.find("MIA")

    @property
    def outpatient(self) -> Segment | None:
        """MOA, the outpatient adjudication."""
        return self.find("MOA")

    @property
    def amounts(self) -> tuple[tuple[str, Decimal | None], ...]:
        """(AMT01, amount) of each AMT."""
        return tuple((s.get(1), amount(s, 2)) for s in self.segments if s.id == "AMT")


@dataclass(slots=True)
class Party:
    """The payer (1000A, N1*PR) or the payee (1000B, N1*PE): the N1 and the loop's segments after it."""

    segments: tuple[Segment, ...]

    @property
    def name(self) -> str:
        """N102."""
        return self.segments[0].get(2)

    @property
    def id_qualifier(self) -> str:
        """N103."""
        return self.segments[0].get(3)

    @property
    def id(self) -> str:
        """N104."""
        return self.segments[0].get(4)

    @property
    def references(self) -> tuple[tuple[str, str], ...]:
        """(REF01, REF02) of each REF."""
        return pairs(self.segments, "REF")


@dataclass(slots=True)
class PaymentHeader:
    """One 835's payment: the segments of its header, payer, payee and PLBs, in file order."""

    segments: tuple[Segment, ...]

    @property
    def bpr(self) -> Segment | None:
        """The BPR segment."""
        return first_segment(self.segments, "BPR")

    @property
    def payment(self) -> Decimal | None:
        """BPR02, the total actual provider payment."""
        bpr = self.bpr
        return amount(bpr, 2) if bpr else None

    @property
    def payment_date(self) -> date | None:
        """BPR16, the check or EFT effective date."""
        bpr = self.bpr
        return first_date(bpr.get(16)) if bpr else None

    @property
    def trace_number(self) -> str:
        """TRN02, the check or EFT trace number."""
        trn = first_segment(self.segments, "TRN")
        return trn.get(2) if trn else ""

    @property
    def trace_originator(self) -> str:
        """TRN03, the payer's identifier."""
        trn = first_segment(self.segments, "TRN")
        return trn.get(3) if trn else ""

    @property
    def production_date(self) -> date | None:
        """DTM*405, the production date."""
        return first_date(first_value(self.segments, "DTM", "405"))

    @property
    def references(self) -> tuple[tuple[str, str], ...]:
        """(REF01, REF02) of every REF outside the claims (header, payer and payee)."""
        return pairs(self.segments, "REF")

    def reference(self, qualifier: str) -> str:
        """The first REF02 with that REF01 outside the claims, else an empty string."""
        return first_value(self.segments, "REF", qualifier)

    @property
    def payer(self) -> Party | None:
        """1000A, from N1*PR."""
        return self._party("PR")

    @property
    def payee(self) -> Party | None:
        """1000B, from N1*PE."""
        return self._party("PE")

    def _party(self, qualifier: str) -> Party | None:
        segments = self.segments
        for start, segment in enumerate(segments):
            if segment.id == "N1" and segment.get(1) == qualifier:
                end = next((i for i in range(start + 1, len(segments)) if segments[i].id in PARTY_ENDS), len(segments))
                return Party(segments[start:end])
        return None

    @property
    def provider_adjustments(self) -> tuple[ProviderAdjustment, ...]:
        """The pairs of every PLB that hold a reason or an amount."""
        return tuple(_provider_adjustments(s for s in self.segments if s.id == "PLB"))


def _provider_adjustments(plbs: Iterable[Segment]) -> Iterator[ProviderAdjustment]:
    for plb in plbs:
        provider, fiscal = plb.get(1), first_date(plb.get(2))
        for start in PLB_REASONS:
            if plb.get(start) or plb.get(start + 1):
                reason, reference = plb.get(start, 1), plb.get(start, 2)
                yield ProviderAdjustment(provider, fiscal, reason, reference, amount(plb, start + 1), plb, start + 1)


def claim_payment(own: Sequence[Segment], lines: Sequence[Sequence[Segment]]) -> ClaimPayment:
    """The claim payment of a CLP with its own segments and its lines' (each from its SVC), in file order."""
    return ClaimPayment(tuple(own), tuple(ServiceLine(tuple(line)) for line in lines))


def claim_of_loop(loop: Loop) -> ClaimPayment:
    """The claim payment of a 2100 loop (as the reader hands it out) with its 2110 lines."""
    return claim_payment(loop.segments(), [[s for s, _ in line.walk()] for line in loop.loops("2110")])


def header_of_loop(root: Loop) -> PaymentHeader:
    """The payment header of an 835's root loop: its own segments and the payer's and payee's loops."""
    segments: list[Segment] = []
    for item in root.items:
        if isinstance(item, Segment):
            segments.append(item)
        elif item.id in ("1000A", "1000B"):
            segments.extend(s for s, _ in item.walk())
    return PaymentHeader(tuple(segments))


class RemittanceSplit:
    """One 835's segments in file order, split into claim payments (CLP starts one, SVC a line).

    `feed` hands back each claim payment as soon as a segment ends it (the next CLP, an LX, a
    PLB or the SE), so a large 835 is read one claim at a time; the segments before the first
    group or claim, and the PLBs, make up the payment header.
    """

    def __init__(self) -> None:
        self.outside: list[Segment] = []  # the header's segments (before the first LX or CLP) and the PLBs
        self.open = False  # whether the last segment fed went into a claim payment
        self._body = False  # whether an LX or a CLP was fed
        self._own: list[Segment] = []
        self._lines: list[list[Segment]] = []

    def feed(self, segment: Segment) -> ClaimPayment | None:
        """Take the next segment; the claim payment it ends, if any."""
        seg_id = segment.id
        finished = self.finish() if self.open and seg_id in CLAIM_ENDS else None
        if seg_id == "CLP":
            self._own, self.open, self._body = [segment], True, True
        elif not self.open:
            self._body = self._body or seg_id == "LX"
            if not self._body or seg_id == "PLB":  # the groups' segments are not kept: memory stays flat
                self.outside.append(segment)
        elif seg_id == "SVC":
            self._lines.append([segment])
        elif self._lines:
            self._lines[-1].append(segment)
        else:
            self._own.append(segment)
        return finished

    def finish(self) -> ClaimPayment | None:
        """The claim payment still open, if any (the end of the segments ends it)."""
        if not self.open:
            return None
        payment = claim_payment(self._own, self._lines)
        self._own, self._lines, self.open = [], [], False
        return payment

    def header(self) -> PaymentHeader:
        """The payment header of the segments read so far (header and PLBs)."""
        return PaymentHeader(tuple(self.outside))


def split(segments: Iterable[Segment]) -> tuple[PaymentHeader, list[ClaimPayment]]:
    """The payment header and claim payments of one 835 transaction set's segments."""
    reader = RemittanceSplit()
    claims = [claim for segment in segments if (claim := reader.feed(segment)) is not None]
    last = reader.finish()
    return reader.header(), [*claims, *([last] if last else [])]
