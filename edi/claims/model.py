"""The 837 read once into typed models: each claim (2300) with its service lines (2400) and its payers.

As in `edi.remit.model`, a model holds the segments it was read from, in file order (each knows
its position and line), and reads its typed values from them when asked: amounts as `Decimal`
(None when empty or not a number), dates as `date`. Building one is only grouping segments.
The guide (`edi.guides.claims`) says where the service-line segment keeps each value, so a
line reads SV1, SV2 and SV3 alike. `claim_of_loop` builds a claim from a 2300 loop (a streamed
unit); `ClaimSplit` builds the same from segments in file order with the loops that hold them,
and adds the claim's context: the subscriber's payer order, the patient and the payers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from edi.guides.claims import ClaimGuide
from edi.remit.model import Procedure, SegmentGroup, amount, first_date, first_value, pairs, procedure
from edi.x12.lalr import Loop
from edi.x12.segment import Segment

ICD10_DIAGNOSIS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN"})
ICD9_DIAGNOSIS = frozenset({"BK", "BF", "BJ", "PR", "BN"})
DIAGNOSIS = ICD10_DIAGNOSIS | ICD9_DIAGNOSIS
CONDITIONS = frozenset({"ABK", "ABF"})  # the codes that describe the patient's conditions, first-listed first
MODIFIERS = slice(2, 6)  # the components of a procedure composite that hold modifiers 1-4 (3-6)


@dataclass(slots=True, frozen=True)
class HiCode:
    """One code of an HI segment: its qualifier and code, and where it stands (HI01 = index 1)."""

    segment: Segment
    index: int
    qualifier: str
    code: str

    @property
    def element(self) -> str:
        """The element reference of the code, such as ``HI02-2``."""
        return f"HI{self.index:02d}-2"

    @property
    def qualifier_element(self) -> str:
        """The element reference of the qualifier, such as ``HI02-1``."""
        return f"HI{self.index:02d}-1"


def hi_codes(segments: Iterable[Segment]) -> tuple[HiCode, ...]:
    """Every qualified code of the HI segments among ``segments``, in file order."""
    found = []
    for segment in segments:
        if segment.id != "HI":
            continue
        component = segment.delimiters.component
        for index, value in enumerate(segment.elements, 1):
            parts = value.split(component)
            if parts[0]:
                found.append(HiCode(segment, index, parts[0], parts[1] if len(parts) > 1 else ""))
    return tuple(found)


@dataclass(slots=True)
class ServiceLine(SegmentGroup):
    """One 2400 service line: the LX and the line's own segments after it, in file order."""

    guide: ClaimGuide
    _service: Segment | None = field(default=None, repr=False, compare=False)
    _searched: bool = field(default=False, repr=False, compare=False)

    @property
    def loop(self) -> str:
        """The line's loop ID (2400)."""
        return self.guide.line_loop

    @property
    def lx(self) -> Segment:
        """The LX segment."""
        return self.segments[0]

    @property
    def number(self) -> str:
        """LX01, the line number."""
        return self.segments[0].get(1)

    @property
    def service(self) -> Segment | None:
        """The guide's service-line segment (SV1, SV2 or SV3), or None when the line lacks it (looked up once)."""
        if not self._searched:
            self._service, self._searched = self.find(self.guide.service_segment), True
        return self._service

    def element(self, index: int, component: int | None = None) -> str:
        """The reference of an element of the service-line segment, such as ``SV107`` or ``SV101-3``."""
        return self.guide.service_element(index, component)

    def _text(self, index: int) -> str:
        service = self.service
        return service.get(index) if service is not None and index else ""

    def _amount(self, index: int) -> Decimal | None:
        service = self.service
        return amount(service, index) if service is not None and index else None

    @property
    def procedure(self) -> Procedure | None:
        """The procedure composite (SV101, SV202, SV301) with its modifiers."""
        service = self.service
        return procedure(service, self.guide.procedure) if service is not None else None

    @property
    def modifiers(self) -> tuple[tuple[int, str], ...]:
        """(component, modifier) of each modifier the procedure composite gives (components 3-6)."""
        service = self.service
        if service is None:
            return ()
        parts = service.components(self.guide.procedure)[MODIFIERS]
        if not parts:
            return ()
        return tuple((n, modifier) for n, modifier in enumerate(parts, MODIFIERS.start + 1) if modifier)

    @property
    def description(self) -> str:
        """The procedure composite's description (component 7)."""
        service = self.service
        return service.get(self.guide.procedure, 7) if service is not None else ""

    @property
    def revenue_code(self) -> str:
        """SV201 on an institutional line, else an empty string."""
        return self._text(self.guide.revenue_code)

    @property
    def charge(self) -> Decimal | None:
        """SV102, SV203, SV302."""
        return self._amount(self.guide.charge)

    @property
    def units(self) -> Decimal | None:
        """SV104, SV205, SV306."""
        return self._amount(self.guide.units)

    @property
    def place_of_service(self) -> str:
        """SV105, SV303 (an institutional line has none)."""
        return self._text(self.guide.place_of_service)

    @property
    def pointers(self) -> tuple[str, ...]:
        """The diagnosis code pointers (SV107, SV311 components), empty ones included."""
        service, index = self.service, self.guide.pointers
        return tuple(service.components(index)) if service is not None and index else ()

    @property
    def dates(self) -> tuple[tuple[str, date | None], ...]:
        """(DTP01, first date of DTP03) of each DTP: 472 is the date of service."""
        return tuple((s.get(1), first_date(s.get(3))) for s in self.segments if s.id == "DTP")

    @property
    def control_number(self) -> str:
        """REF*6R, the line item control number."""
        return first_value(self.segments, "REF", "6R")


@dataclass(slots=True)
class Payer:
    """A payer that may answer the claim: the SBR giving its order (2000B, 2320), the NM1*PR and REF*2U of its loop."""

    segments: tuple[Segment, ...]

    @property
    def order(self) -> str:
        """SBR01: P (primary), S, T ..."""
        return self.segments[0].get(1)

    @property
    def name(self) -> str:
        """NM103 of the payer's NM1*PR, else an empty string."""
        return next((s.get(3) for s in reversed(self.segments) if s.id == "NM1"), "")

    @property
    def ids(self) -> tuple[str, ...]:
        """The payer's identifiers: NM109, then REF02 of each REF*2U after it, those not empty."""
        ids: list[str] = []
        for segment in self.segments[1:]:
            if segment.id == "NM1":
                ids = [segment.get(9)]
            else:
                ids.append(segment.get(2))
        return tuple(i for i in ids if i)


@dataclass(slots=True, frozen=True)
class ClaimContext:
    """What stands above a claim: the subscriber's SBR (2000B), the names of subscriber and patient, the payers."""

    subscriber: Segment | None = None
    identified: Segment | None = None
    """The first NM1*IL (2010BA) or NM1*QC (2010CA) since the SBR that has an ID (NM109)."""
    patient: Segment | None = None
    """The last of those NM1: the patient's name."""
    payers: tuple[Payer, ...] = ()

    @property
    def payer_order(self) -> str:
        """SBR01 of the subscriber: P when the claim goes to the primary payer."""
        return self.subscriber.get(1) if self.subscriber is not None else ""

    @property
    def patient_id(self) -> str:
        """The subscriber's member ID, else the patient's."""
        return self.identified.get(9) if self.identified is not None else ""

    @property
    def patient_name(self) -> str:
        """First and last name of the patient."""
        found = self.patient
        return " ".join(p for p in (found.get(4), found.get(3)) if p) if found is not None else ""


NO_CONTEXT = ClaimContext()


@dataclass(slots=True)
class Claim(SegmentGroup):
    """One 2300 claim: the CLM and the loop's own segments in file order, its service lines and its context."""

    lines: tuple[ServiceLine, ...]
    guide: ClaimGuide
    context: ClaimContext = NO_CONTEXT
    _codes: tuple[HiCode, ...] | None = field(default=None, repr=False, compare=False)
    _diagnoses: tuple[HiCode, ...] | None = field(default=None, repr=False, compare=False)
    _conditions: tuple[HiCode, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def loop(self) -> str:
        """The claim's loop ID (2300)."""
        return self.guide.claim_loop

    @property
    def clm(self) -> Segment:
        """The CLM segment."""
        return self.segments[0]

    @property
    def patient_control_number(self) -> str:
        """CLM01."""
        return self.segments[0].get(1)

    @property
    def charge(self) -> Decimal | None:
        """CLM02, the total charge."""
        return amount(self.segments[0], 2)

    @property
    def facility_code(self) -> str:
        """CLM05-1: the place of service, or the facility type on an institutional claim."""
        return self.segments[0].get(5, 1)

    @property
    def frequency(self) -> str:
        """CLM05-3, the claim frequency (1 original, 7 replacement, 8 void ...)."""
        return self.segments[0].get(5, 3)

    @property
    def hi_codes(self) -> tuple[HiCode, ...]:
        """Every qualified code of the claim's HI segments, in file order (read once)."""
        if self._codes is None:
            self._codes = hi_codes(self.segments)
        return self._codes

    @property
    def diagnoses(self) -> tuple[HiCode, ...]:
        """The diagnosis codes (ICD-10-CM or ICD-9-CM qualifiers), in file order."""
        if self._diagnoses is None:
            self._diagnoses = tuple(code for code in self.hi_codes if code.qualifier in DIAGNOSIS)
        return self._diagnoses

    @property
    def conditions(self) -> tuple[HiCode, ...]:
        """The principal and other diagnosis codes (ABK, ABF) that carry a code, in file order (read once)."""
        if self._conditions is None:
            self._conditions = tuple(code for code in self.diagnoses if code.qualifier in CONDITIONS and code.code)
        return self._conditions

    @property
    def dates(self) -> tuple[tuple[str, date | None], ...]:
        """(DTP01, first date of DTP03) of each of the claim's own DTP."""
        return tuple((s.get(1), first_date(s.get(3))) for s in self.segments if s.id == "DTP")

    @property
    def service_date(self) -> date | None:
        """The first date of the claim-level date that stands for every line's (DTP*472, DTP*434 on 837I)."""
        qualifiers = self.guide.service_date_qualifiers
        return next((found for q, found in self.dates if q in qualifiers), None)

    @property
    def references(self) -> tuple[tuple[str, str], ...]:
        """(REF01, REF02) of each REF."""
        return pairs(self.segments, "REF")

    def reference(self, qualifier: str) -> str:
        """The first REF02 with that REF01 (F8: the payer's claim control number of the original), else ''."""
        return first_value(self.segments, "REF", qualifier)


def claim_of_loop(loop: Loop, guide: ClaimGuide, context: ClaimContext = NO_CONTEXT) -> Claim:
    """The claim of a 2300 loop (as the reader hands it out) with its 2400 lines."""
    own: list[Segment] = []
    lines: list[ServiceLine] = []
    line_loop = guide.line_loop
    for item in loop.items:
        if type(item) is Segment:
            own.append(item)
        elif isinstance(item, Loop) and item.id == line_loop:
            lines.append(line_of_loop(item, guide))
    return Claim(tuple(own), tuple(lines), guide, context)


def line_of_loop(loop: Loop, guide: ClaimGuide) -> ServiceLine:
    """The service line of a 2400 loop: its own segments (child loops left out)."""
    return ServiceLine(tuple(s for s in loop.items if type(s) is Segment), guide)


class ClaimSplit:
    """One 837's segments in file order, each with the ID of the loop holding it, split into claims.

    `feed` hands back each claim as soon as a segment ends it (an HL, the next CLM or the SE),
    with what the segments before it said of the subscriber, patient and payers (2000B SBR,
    2010BA, 2010BB, 2010CA) and the other payers inside it (2320 SBR, 2330B). Segments of other
    loops below a claim (providers, other subscribers) are left out; a segment the guide could
    not place is taken where it stands, so a CLM outside a 2300 loop still counts.
    """

    def __init__(self, guide: ClaimGuide) -> None:
        self.guide = guide
        self._loops = frozenset((guide.claim_loop, guide.line_loop))
        self._subscriber: Segment | None = None
        self._identified: Segment | None = None
        self._patient: Segment | None = None
        self._payers: list[list[Segment]] = []
        self._own: list[Segment] = []
        self._lines: list[list[Segment]] = []
        self._claim_payers: list[list[Segment]] = []

    def feed(self, segment: Segment, loop_id: str) -> Claim | None:
        """Take the next segment and the ID of its loop; the claim it ends, if any."""
        seg_id = segment.id
        finished = self.finish() if seg_id in ("HL", "SE", "CLM") else None
        self._see(segment, seg_id, loop_id)
        if loop_id not in self._loops and not segment.unplaced:
            return finished
        if seg_id == "CLM":
            self._own = [segment]
            self._claim_payers = [list(p) for p in self._payers]
        elif not self._own:
            pass
        elif seg_id == "LX":
            self._lines.append([segment])
        elif self._lines:
            self._lines[-1].append(segment)
        else:
            self._own.append(segment)
        return finished

    def _see(self, segment: Segment, seg_id: str, loop_id: str) -> None:
        """Note a subscriber (2000B SBR, 2010BA), patient (2010CA), payer (2010BB) or other payer (2320, 2330B)."""
        payers = self._claim_payers if self._own else self._payers
        qualifier = segment.get(1) if seg_id in ("SBR", "NM1", "REF") else ""
        paid_by = (seg_id, qualifier) in (("NM1", "PR"), ("REF", "2U"))
        if seg_id == "SBR" and loop_id == "2000B" and not self._own:
            self._subscriber, self._identified, self._patient = segment, None, None
            self._payers = [[segment]]
        elif seg_id == "SBR" and loop_id == "2320":
            payers.append([segment])
        elif paid_by and loop_id in ("2010BB", "2330B") and payers:
            payers[-1].append(segment)
        elif seg_id == "NM1" and (loop_id, qualifier) in (("2010BA", "IL"), ("2010CA", "QC")) and not self._own:
            if self._identified is None and segment.get(9):
                self._identified = segment
            self._patient = segment

    def finish(self) -> Claim | None:
        """The claim still open, if any (the end of the segments ends it)."""
        if not self._own:
            return None
        guide = self.guide
        context = ClaimContext(
            self._subscriber, self._identified, self._patient, tuple(Payer(tuple(p)) for p in self._claim_payers)
        )
        claim = Claim(tuple(self._own), tuple(ServiceLine(tuple(line), guide) for line in self._lines), guide, context)
        self._own, self._lines, self._claim_payers = [], [], []
        return claim


def split(walk: Iterable[tuple[Segment, Loop]], guide: ClaimGuide) -> Iterator[Claim]:
    """The claims of an 837's segments in file order, each with the loop that holds it."""
    splitter = ClaimSplit(guide)
    for segment, loop in walk:
        claim = splitter.feed(segment, loop.id)
        if claim is not None:
            yield claim
    last = splitter.finish()
    if last is not None:
        yield last
