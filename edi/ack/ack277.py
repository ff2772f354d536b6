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

The answer is built claim by claim as the reader hands out each claim (`answer_file`), or
from a document in memory (`build_277ca`); the claims' answers wait in a spool until their
transaction set ends, as the totals and a rejection of the whole set come before them.
"""

from __future__ import annotations

import contextlib
import io
import pickle
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from edi.ack.ack999 import AckOptions, clean, interchange_lines, x12_text
from edi.claims.model import ServiceLine, line_of_loop
from edi.guides import CLAIM_KIND, ClaimGuide
from edi.guides.claims import CLAIM_GUIDE_CLASSES
from edi.validate.issue import Issue
from edi.x12.document import Document, Group, Interchange, LoopUnit, Transaction
from edi.x12.lalr import Loop
from edi.x12.reader import Event, iter_events
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
SERVICE_SEGMENTS = {guide.service_segment for guide in CLAIM_GUIDE_CLASSES}
PROCEDURE_ELEMENTS = {guide.service_element(guide.procedure, 2) for guide in CLAIM_GUIDE_CLASSES}
MODIFIER_ELEMENTS = {guide.service_element(guide.procedure, n) for guide in CLAIM_GUIDE_CLASSES for n in range(3, 7)}
CHARGE_ELEMENTS = {"CLM02", *(guide.service_element(guide.charge) for guide in CLAIM_GUIDE_CLASSES)}
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
SPOOL_IN_MEMORY = 4_000_000  # bytes of answers kept in memory before they go to a temporary file

Status = tuple[str, str, str]  # category (507), status code (508), entity identifier or ""


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


@dataclass(slots=True)
class Tally:
    """How many claims are accepted and rejected, and their charges."""

    accepted: int = 0
    accepted_charge: Decimal = Decimal(0)
    rejected: int = 0
    rejected_charge: Decimal = Decimal(0)

    def add(self, accepted: bool, charge: Decimal) -> None:
        """Count one claim."""
        if accepted:
            self.accepted += 1
            self.accepted_charge += charge
        else:
            self.rejected += 1
            self.rejected_charge += charge

    @property
    def charge(self) -> Decimal:
        return self.accepted_charge + self.rejected_charge


@dataclass(slots=True)
class ClaimAnswer:
    """What the 277CA says of one claim, before a rejection of its whole transaction set is known."""

    provider: int  # which billing provider level of the set, counted from 0
    levels: tuple[int, ...]  # the levels holding the claim (`SetAnswer.level`)
    found: list[tuple[int, Issue]]  # the error findings in the claim's own segments, with their order
    head: list[str]  # NM1 and TRN
    charge: str  # CLM02
    tail: list[str]  # REF, DTP and the 2220D of each service line with errors


def accepted(statuses: Iterable[Status]) -> bool:
    """True when no status rejects the claim."""
    return not any(category in REJECTING for category, _, _ in statuses)


class SetAnswer:
    """The 277CA set answering one 837 set: built claim by claim, written at the set's end (`lines`).

    Each level (2000A, 2000B, 2000C) is numbered in the order its HL comes and told with the
    positions of its own segments (`level`), whose errors every claim below it answers for.
    """

    def __init__(self, st: Segment, guide: ClaimGuide, header: Loop, issues: list[Issue], options: AckOptions) -> None:
        self.st = st
        self.control_number = st.get(2)
        self.guide = guide
        self.options = options
        self.today = options.stamp().strftime("%Y%m%d")
        self.bht = header.find("BHT")
        self.receiver = _name(header, "1000B")
        self.submitter = _name(header, "1000A")
        mine = (i for i in issues if i.severity == "error" and i.transaction == self.control_number)
        self.errors: dict[int, list[tuple[int, Issue]]] = {}  # position -> (order, error finding)
        for order, issue in enumerate(mine):
            self.errors.setdefault(issue.segment_position or 0, []).append((order, issue))
        self.owned: set[int] = set()  # positions of errors in claims' own segments
        self.levels: dict[int, list[tuple[int, Issue]]] = {}  # level -> the errors in its own segments
        self.holding: set[int] = set()  # the levels that hold claims
        self.providers: list[Segment | None] = []  # each billing provider's name
        self.provider: Segment | None = None  # the HL of the billing provider of the last claim
        self.spool: IO[bytes] = tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY)  # noqa: SIM115 - see `close`
        self.claims = 0

    def level(self, key: int, positions: Iterable[int]) -> None:
        """Note the errors in the own segments of level ``key``."""
        found = [entry for p in positions for entry in self.errors.get(p, ())]
        if found:
            self.levels[key] = found

    def claim(
        self,
        provider: Loop,
        levels: tuple[int, ...],
        claim: Loop,
        patient: Segment | None,
        subscriber: Segment | None,
    ) -> None:
        """Answer one claim, given its billing provider level, the levels holding it and its names."""
        if provider.trigger is not self.provider:
            self.provider = provider.trigger
            self.providers.append(_name(provider, "2010AA"))
        self.holding.update(levels)
        errors = self.errors
        found = [entry for segment, _ in claim.walk() for entry in errors.get(segment.position, ())]
        self.owned.update(issue.segment_position or 0 for _, issue in found)
        clm = claim.trigger
        qualifier = subscriber.get(8) if subscriber and subscriber.get(8) in ("MI", "II") else "MI"
        names = [clean(patient.get(i), 60) if patient else "" for i in range(3, 8)]
        member = clean(subscriber.get(9), 80) if subscriber else ""
        head = ["*".join(["NM1", "QC", "1", names[0] or "UNKNOWN", *names[1:], qualifier, member or "UNKNOWN"])]
        head.append(f"TRN*2*{clean(clm.get(1), 50)}")
        tail = []
        trace = claim.find("REF", "D9")
        if trace is not None and trace.get(2):
            tail.append(f"REF*D9*{clean(trace.get(2), 50)}")
        if self.guide.uniform_billing:
            tail.append(f"REF*BLT*{clean(clm.get(5, 1) + clm.get(5, 3), 50)}")
        tail.append("*".join(["DTP", "472", *_service_dates(claim, self.bht)]))
        for line in claim.loops(self.guide.line_loop or ""):
            on_line = sorted(entry for segment, _ in line.walk() for entry in errors.get(segment.position, ()))
            if on_line:
                statuses = tuple(dict.fromkeys(claim_status(i) for _, i in on_line))
                tail += _service_line(line_of_loop(line, self.guide), statuses, self.today)
        answer = ClaimAnswer(len(self.providers) - 1, levels, found, head, clm.get(2), tail)
        pickle.dump(answer, self.spool)
        self.claims += 1

    def close(self) -> None:
        """Drop the spool of claims."""
        self.spool.close()

    def _answers(self, rejected: bool) -> Iterator[tuple[ClaimAnswer, tuple[Status, ...]]]:
        """Each claim's answer with its statuses, from the spool."""
        self.spool.seek(0)
        for _ in range(self.claims):
            answer: ClaimAnswer = pickle.load(self.spool)
            found = [entry for level in answer.levels for entry in self.levels.get(level, ())] + answer.found
            found.sort(key=_by_position)
            statuses = tuple(dict.fromkeys(claim_status(issue) for _, issue in found))
            yield answer, (UNPROCESSABLE, *statuses) if rejected else statuses or (ACCEPTED,)

    def lines(self, number: int) -> Iterator[str]:
        """The set's segments, ST to SE, numbered ``number`` (once, after the last claim)."""
        owned = self.owned | {i.segment_position or 0 for k in self.holding for _, i in self.levels.get(k, ())}
        rejected = any(position not in owned for position in self.errors)
        total = Tally()
        tallies = [Tally() for _ in self.providers]
        for answer, statuses in self._answers(rejected):
            charge = _decimal(answer.charge)
            total.add(accepted(statuses), charge)
            tallies[answer.provider].add(accepted(statuses), charge)
        reference = clean(self.bht.get(3) if self.bht else "", 50) or self.control_number
        out = [
            f"ST*277*{number:04d}*{VERSION}",
            "*".join(["BHT", "0085", "08", reference, self.today, self.options.stamp().strftime("%H%M"), "TH"]),
            "HL*1**20*1",
            _nm1("AY", self.receiver, "2", "46", fallback="RECEIVER"),
            f"TRN*1*{clean(self.control_number, 50)}",
            f"DTP*050*D8*{self.today}",
            f"DTP*009*D8*{self.today}",
            "HL*2*1*21*1",
            _nm1("41", self.submitter, None, "46", fallback="SUBMITTER"),
            f"TRN*2*{reference}",
            _stc(UNPROCESSABLE if rejected else RECEIVED, self.today, total.charge),
            *_totals(total, "90", "AA"),
        ]
        count = len(out)
        yield from out
        hl, provider_hl, provider = 2, 0, -1
        for answer, statuses in self._answers(rejected):
            out = []
            if answer.provider != provider:
                provider = answer.provider
                hl += 1
                provider_hl = hl
                out.append(f"HL*{provider_hl}*2*19*1")
                out.append(_nm1("85", self.providers[provider], None, None, fallback="BILLING PROVIDER"))
                out.append(f"TRN*1*{clean(self.control_number, 40)}-{provider_hl}")
                out.append(_stc((*RECEIVED[:2], "85"), None, tallies[provider].charge))
                out += _totals(tallies[provider], "QA", "QC")
            hl += 1
            out.append(f"HL*{hl}*{provider_hl}*PT")
            out += answer.head
            action = "WQ" if accepted(statuses) else "U"
            for start in range(0, len(statuses), 3):
                out.append(_stc_line(list(statuses[start : start + 3]), self.today, action, answer.charge))
            out += answer.tail
            count += len(out)
            yield from out
        yield f"SE*{count + 1}*{number:04d}"


def _by_position(entry: tuple[int, Issue]) -> tuple[int, int]:
    return entry[1].segment_position or 0, entry[0]


class Answers:
    """The 277CA sets of a file, kept in a spool as each is made, and the interchange and group they answer."""

    def __init__(self, options: AckOptions) -> None:
        self.options = options
        self.body: IO[str] = tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY, mode="w+", encoding="utf-8")  # noqa: SIM115
        self.sets = 0
        self.isa: Segment | None = None
        self.group: Group | None = None

    def add(self, answer: SetAnswer, interchange: Interchange, group: Group) -> None:
        """Write one set's answer (a set without claims has none); the first set answered names the envelope."""
        with contextlib.closing(answer):
            if not answer.claims:
                return
            self.isa = self.isa or interchange.isa
            self.group = self.group or group
            self.sets += 1
            self.body.writelines(line + "~\n" for line in answer.lines(self.sets))

    def write(self, out: IO[str]) -> None:
        """Write the 277CA interchange (at least one set must be answered)."""
        options = self.options
        now = options.stamp()
        gs = self.group.gs if self.group else None
        head = [
            "GS", "HN", clean(gs.get(3), 15) if gs else "RECEIVER", clean(gs.get(2), 15) if gs else "SENDER",
            now.strftime("%Y%m%d"), now.strftime("%H%M"), str(options.control_number), "X", VERSION,
        ]  # fmt: skip
        isa, iea = interchange_lines(self.isa, [], 1, options)
        out.write(x12_text([isa, "*".join(head)]))
        self.body.seek(0)
        shutil.copyfileobj(self.body, out)
        out.write(x12_text([f"GE*{self.sets}*{options.control_number}", iea]))

    def text(self) -> str | None:
        """The 277CA written to a string, or None when it answers no transaction set."""
        if not self.sets:
            return None
        out = io.StringIO()
        self.write(out)
        return out.getvalue()

    def close(self) -> None:
        self.body.close()


def answered(transaction: Transaction) -> bool:
    """Whether the 277CA answers a transaction set: an 837 read with its guide."""
    return transaction.st.get(1) == CLAIM_KIND and transaction.guide is not None


def build_277ca(document: Document, issues: list[Issue], options: AckOptions | None = None) -> str | None:
    """A 277CA interchange answering every 837 transaction set of ``document`` with claims, or None when none has."""
    answers = Answers(options or AckOptions())
    try:
        for interchange in document.interchanges:
            for group in interchange.groups:
                for transaction in group.transactions:
                    if not answered(transaction):
                        continue
                    guide = transaction.guide
                    assert isinstance(guide, ClaimGuide)  # an 837 read with its guide (`answered`)
                    answer = SetAnswer(transaction.st, guide, transaction.root, issues, answers.options)
                    levels = Levels()
                    for top in transaction.root.loops("2000A"):
                        _claims(answer, levels, top, top, (), None, None)
                    answers.add(answer, interchange, group)
        return answers.text()
    finally:
        answers.close()


def answer_file(
    source: str | Path | bytes, issues: list[Issue], file: str | None = None, options: AckOptions | None = None
) -> Answers:
    """The 277CA of an 837 file, read claim by claim (`Answers.sets` is 0 when no claim could be read).

    The caller writes it with `Answers.write` and closes it.
    """
    reading = _Reading(Answers(options or AckOptions()), issues)
    try:
        for event in iter_events(source, file, units=True):
            reading.take(event)
    except BaseException:
        if reading.answer is not None:
            reading.answer.close()
        reading.answers.close()
        raise
    return reading.answers


class _Reading:
    """The 277CA of a file being read: the envelope open and the answer of the 837 set being read."""

    def __init__(self, answers: Answers, issues: list[Issue]) -> None:
        self.answers = answers
        self.issues = issues
        self.answer: SetAnswer | None = None
        self.levels = Levels()
        self.provider: Loop | None = None  # the billing provider level of the last claim, as read so far
        self.interchange: Interchange | None = None
        self.group: Group | None = None

    def take(self, event: Event) -> None:
        """Follow the envelope; answer each claim and note each level of an 837 set; write the set at its end."""
        kind = event.kind
        if kind == "interchange":
            self.interchange = event.value
        elif kind == "group":
            self.group = event.value
        elif kind == "unit" and event.value.path[0].trigger.get(1) == CLAIM_KIND:
            self.unit(event.value)
        elif kind == "transaction" and self.answer is not None and self.answer.st is event.value.st:
            assert self.interchange is not None and self.group is not None
            self.answers.add(self.answer, self.interchange, self.group)
            self.answer = None

    def unit(self, unit: LoopUnit) -> None:
        st = unit.path[0].trigger
        answer = self.answer
        if answer is None or answer.st is not st:
            header = Loop("ST", [st, *unit.path[0].items])
            assert isinstance(unit.guide, ClaimGuide)  # a unit of an 837 set
            answer = self.answer = SetAnswer(st, unit.guide, header, self.issues, self.answers.options)
            self.levels, self.provider = Levels(), None
        if unit.loop.id.startswith("2000"):
            answer.level(self.levels.done(unit.loop.trigger), _level_positions(unit.loop))
        elif unit.loop.id == "2300" and len(unit.path) > 1:
            holder = unit.path[1]
            if self.provider is None or self.provider.trigger is not holder.trigger:
                self.provider = Loop("2000A", [holder.trigger, *holder.items])
            held = tuple(self.levels.key(h.trigger) for h in unit.path[1:])
            patient, subscriber = _held_names(unit)
            answer.claim(self.provider, held, unit.loop, patient, subscriber)


def _held_names(unit: LoopUnit) -> tuple[Segment | None, Segment | None]:
    """The patient and subscriber names of a claim handed out alone, from the levels holding it."""
    patient: Segment | None = None
    subscriber: Segment | None = None
    for holder in unit.path[1:]:
        for item in holder.items:
            if type(item) is Loop:
                patient, subscriber = _names(item, patient, subscriber)
    return patient, subscriber


def _level_positions(loop: Loop) -> Iterator[int]:
    """The positions of a level's own segments, with those of its loops that are not levels or claims."""
    for item in loop.items:
        if type(item) is Segment:
            yield item.position
        elif type(item) is Loop:
            yield from (segment.position for segment, _ in item.walk())


def _claims(
    answer: SetAnswer,
    levels: Levels,
    provider: Loop,
    loop: Loop,
    holding: tuple[int, ...],
    patient: Segment | None,
    subscriber: Segment | None,
) -> None:
    """Answer every 2300 loop below the level ``loop`` of a document in memory, and the level's own segments."""
    key = levels.key(loop.trigger)
    own: list[int] = []
    children: list[Loop] = []
    for item in loop.items:
        if isinstance(item, Segment):
            own.append(item.position)
        elif item.id == "2300" or item.id.startswith("2000"):
            children.append(item)
        else:
            own.extend(segment.position for segment, _ in item.walk())
            patient, subscriber = _names(item, patient, subscriber)
    answer.level(levels.done(loop.trigger), own)
    for child in children:
        if child.id == "2300":
            answer.claim(provider, (*holding, key), child, patient, subscriber)
        else:
            _claims(answer, levels, provider, child, (*holding, key), patient, subscriber)


class Levels:
    """Numbers for the levels of a transaction set, in the order their HL segments come."""

    def __init__(self) -> None:
        self.open: dict[int, int] = {}  # id of the HL of a level not yet done -> its number
        self.count = 0

    def key(self, hl: Segment) -> int:
        """The number of the level ``hl`` opens."""
        found = self.open.get(id(hl))
        if found is None:
            found = self.open[id(hl)] = self.count
            self.count += 1
        return found

    def done(self, hl: Segment) -> int:
        """The number of a level read to its end, which is then forgotten."""
        found = self.key(hl)
        del self.open[id(hl)]
        return found


def _names(loop: Loop, patient: Segment | None, subscriber: Segment | None) -> tuple[Segment | None, Segment | None]:
    """The patient and subscriber names after a level's loop: 2010BA names both, 2010CA the patient."""
    if loop.id == "2010BA":
        name = loop.find("NM1")
        return name, name
    if loop.id == "2010CA":
        return loop.find("NM1"), subscriber
    return patient, subscriber


def _service_line(line: ServiceLine, statuses: tuple[Status, ...], today: str) -> list[str]:
    """The 2220D of a service line with findings: SVC, one STC (up to three statuses), REF*FJ and DTP*472."""
    service, guide = line.service, line.guide
    if service is None:
        return []
    parts = service.components(guide.procedure)
    if not parts or parts[0] not in PROCEDURE_QUALIFIERS:
        return []  # SVC01 cannot echo it; the claim's STC reports the fault
    procedure = ":".join(clean(part, 48) for part in parts[:6])
    svc = ["SVC", procedure, clean(service.get(guide.charge), 18) or "0", "", clean(line.revenue_code, 48), "", "", ""]
    svc[7] = clean(service.get(guide.units), 15)
    out = ["*".join(svc).rstrip("*")]
    composites = [":".join(part for part in status if part) for status in statuses[:3]]
    stc = ["STC", composites[0], today, "U"]
    if len(composites) > 1:
        stc += ["", "", "", "", "", "", *composites[1:]]
    out.append("*".join(stc))
    control = line.control_number
    if control:
        out.append(f"REF*FJ*{clean(control, 50)}")
    dates = line.find("DTP", "472")
    if dates is not None and _date_value(dates.get(2), dates.get(3)):
        out.append(f"DTP*472*{dates.get(2)}*{dates.get(3)}")
    return out


def _date_value(qualifier: str, value: str) -> bool:
    """Whether ``value`` is a date (D8) or a date range (RD8) as its qualifier says."""
    pattern = DATE_RANGE if qualifier == "RD8" else DATE if qualifier == "D8" else None
    return pattern is not None and pattern.fullmatch(value) is not None


def _stc(status: Status, date: str | None, charge: Decimal) -> str:
    action = "U" if status[0] in REJECTING else "WQ"
    return _stc_line([status], date, action, _amount(charge))


def _stc_line(statuses: list[Status], date: str | None, action: str, charge: str) -> str:
    composites = [":".join(part for part in status if part) for status in statuses]
    elements = ["STC", composites[0], date or "", action, charge or "0"]
    if len(composites) > 1:
        elements += ["", "", "", "", "", *composites[1:]]
    return "*".join(elements)


def _totals(tally: Tally, accepted_qty: str, rejected_qty: str) -> list[str]:
    lines = []
    if tally.accepted:
        lines.append(f"QTY*{accepted_qty}*{tally.accepted}")
    if tally.rejected:
        lines.append(f"QTY*{rejected_qty}*{tally.rejected}")
    if tally.accepted:
        lines.append(f"AMT*YU*{_amount(tally.accepted_charge)}")
    if tally.rejected:
        lines.append(f"AMT*YY*{_amount(tally.rejected_charge)}")
    return lines


def _service_dates(claim: Loop, bht: Segment | None) -> list[str]:
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
