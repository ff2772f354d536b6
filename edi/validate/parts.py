"""Validate a large file in parts at once (`edi.x12.cuts`, `edi.parallel`), with the findings of one process.

Each part validates what it reads (`PartRun`) and returns records, in file order: the
envelope segments it meets, each transaction set it reads whole with its findings, and for
a set cut between parts the findings of its pieces, with their sort keys, and a summary of
its running state (`Carried`). This process takes the parts' records in order (`_Fold`) as
if it had read them: the envelope rules, the skeleton for the 999 and the order of the
findings are those of one read, and the root of a set cut between parts (its header and
trailer, BPR02, SE01) is checked here once its parts' running totals are added up.

What the checks of a set carry across a cut inside it (`Context.state`): the HL levels are
numbered on from the cut (the cut tells how many HL come before it and the number of the
level open at it), and each part's summary must end where the next part's starts; the
835's claim payments start at zero in each part and are added up for the root. Loop repeat
counts are not carried: the loops open at a cut (837 2000A and 2000B, 835 2000 and 2100)
repeat without limit. No subscriber is open at a cut, so no first patient is carried.
A part whose state holds anything else, or that meets a read error or a segment its guide
does not place in a set cut between parts, sends the whole file back to one process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from edi.guides.registry import guide_by_id
from edi.parallel import Unusual, run_parts
from edi.validate.issue import Issue
from edi.validate.runner import Checking, Entry, Run
from edi.validate.situational import hierarchy
from edi.x12.cuts import Resume, Slice
from edi.x12.document import Document, Group, Interchange, Transaction
from edi.x12.lalr import Loop, OpenLoop
from edi.x12.reader import Event, Reader
from edi.x12.segment import Segment

Record = tuple[Any, ...]  # (kind, values ...), as `PartRun` writes and `_Fold.take` reads
Numbering = tuple[int, tuple[tuple[int, int], ...]]  # the next HL01 due; byte offset -> HL01 of each open level
START: Numbering = (1, ())
# The running state the rules keep (`edi.validate.situational.hierarchy`, `edi.validate.balancing`, structure).
HL_NEXT, HL_NUMBERS = "hl_next", "hl_numbers"
SUMS = frozenset({"claim_payments"})  # added up over the parts
UNLIMITED = frozenset({"loop_repeat"})  # counts of loops that, open at a cut, repeat without limit
EMPTY_AT_CUT = frozenset({"first_patient"})


@dataclass(frozen=True, slots=True)
class Carried:
    """A part's summary of a set's running state: its HL numbering at the part's start and end, its sums."""

    start: Numbering
    end: Numbering
    sums: dict[str, Decimal]


def validate_parts(
    file: str, slices: list[Slice], max_snip: int, keep_sets: bool
) -> tuple[Document, list[Issue]] | None:
    """The skeleton and findings of the file, its parts validated at once; None where one process must."""
    done = run_parts(slices, lambda part, spool: _validate_part(file, part, max_snip))
    if done is None:
        return None
    for part in done:
        part.output.close()
    document = Document(file)
    fold = _Fold(Run(file, max_snip, document, keep_sets))
    try:
        for part in done:
            for record in part.result:
                fold.take(record)
        fold.finish()
    except Unusual:
        return None
    return document, fold.run.issues


def _validate_part(file: str, part: Slice, max_snip: int) -> list[Record]:
    reader = Reader(file, units=True)
    run = PartRun(file, max_snip, part.resume)
    for event in reader.slice_events(Path(file), part):
        run.on(event)
    if reader.spanning_unplaced:
        raise Unusual("segments the guide did not place, in a transaction set cut between parts")
    return run.end(reader.stopped_at is not None)


class PartRun(Run):
    """The validation of one part: its findings and envelope as records, no envelope rule run."""

    def __init__(self, file: str, max_snip: int, resume: Resume | None) -> None:
        super().__init__(file, max_snip)
        self.resume = resume
        self.records: list[Record] = []
        self.hidden = 0 if resume is None else 2  # the interchange and group the part continues: context
        self.path: list[OpenLoop] = []  # the loops holding the last unit
        self.start = START

    def begun_before(self, st: Segment) -> bool:
        """Whether the set that ``st`` opens began in an earlier part."""
        return self.resume is not None and st.offset < self.resume.offset

    def _checking(self, st: Segment, transaction: Transaction) -> Checking:
        """The check of the set ``st`` opens; one begun in an earlier part numbers its levels on from the cut
        (where `hierarchy`, which numbers them, is run)."""
        fresh = self.checking is None or self.checking.st is not st
        checking = super()._checking(st, transaction)
        if fresh and self.begun_before(st) and any(r.function is hierarchy for r in checking.rules):
            assert self.resume is not None
            levels = dict(self.resume.levels)
            seeded = [h.trigger for h in self.path if h.trigger.offset in levels]
            self.start = (self.resume.level_count + 1, tuple((hl.offset, levels[hl.offset]) for hl in seeded))
            checking.state[HL_NEXT] = self.start[0]
            checking.state[HL_NUMBERS] = {id(hl): levels[hl.offset] for hl in seeded}
        return checking

    def on(self, event: Event) -> None:
        kind, value = event.kind, event.value
        if kind == "unit":
            self.path = value.path
            self.unit(value)
        elif kind == "transaction":
            self._transaction(value)
        elif kind in ("interchange", "group"):
            if kind == "interchange":
                self.interchange = value
                record: Record = (kind, value.isa, value.delimiters)
            else:
                self.group = value
                record = (kind, value.gs)
            if self.hidden:
                self.hidden -= 1
                return
            self.records.append(record)
        elif kind == "group_end":
            self.records.append((kind, value.ge))
        elif kind == "interchange_end":
            self.records.append((kind, value.iea))
        else:
            self.records.append((kind, value))  # a TA1 segment

    def _transaction(self, transaction: Transaction) -> None:
        guide = transaction.guide.id if transaction.guide else None
        if not self.begun_before(transaction.st):
            found = self.check(transaction)
            self.records.append(("set", transaction.st, transaction.se, guide, transaction.version, found))
            return
        checking = self.checking
        if guide is None or checking is None or checking.st is not transaction.st:
            raise Unusual("a transaction set cut between parts that its guide does not read claim by claim")
        self.checking = None
        carried = self._carried(checking)
        self.records.append(("end", transaction.root, guide, transaction.version, checking.found, carried))
        self.path, self.start = [], START

    def end(self, stopped: bool) -> list[Record]:
        """The part's records, with the pieces of the set open at its stop."""
        if stopped:
            checking = self.checking
            if checking is None or checking.transaction.guide is None:
                raise Unusual("a transaction set cut between parts that its guide does not read claim by claim")
            self.records.append(("pieces", checking.transaction.guide.id, checking.found, self._carried(checking)))
        return self.records

    def _carried(self, checking: Checking) -> Carried:
        """The summary of a set's running state in this part (Unusual where it holds what a cut cannot carry)."""
        state = checking.state
        unknown = set(state) - SUMS - UNLIMITED - EMPTY_AT_CUT - {HL_NEXT, HL_NUMBERS}
        if unknown or any(state.get(key) for key in EMPTY_AT_CUT):
            raise Unusual(f"running state that a cut does not carry: {', '.join(sorted(unknown or EMPTY_AT_CUT))}")
        offsets = {id(holder.trigger): holder.trigger.offset for holder in self.path}
        numbers: dict[int, int] = state.get(HL_NUMBERS, {})
        if any(key not in offsets for key in numbers):
            raise Unusual("an HL level numbered but not checked, outside the loops open at the cut")
        end = (state.get(HL_NEXT, 1), tuple(sorted((offsets[key], number) for key, number in numbers.items())))
        return Carried(self.start, end, {key: state[key] for key in SUMS if key in state})


@dataclass(slots=True)
class _Pending:
    """A set cut between parts, as its parts' records come: its guide, findings so far, numbering and sums."""

    guide: str
    found: list[Entry] = field(default_factory=list)
    numbering: Numbering = START
    sums: dict[str, Decimal] = field(default_factory=dict)

    def join(self, guide: str, found: Sequence[Entry], carried: Carried) -> None:
        """Add one part's pieces, their order found counted on from the earlier parts'."""
        if guide != self.guide or carried.start != self.numbering:
            raise Unusual("a part's running state does not go on from the part before")
        base = len(self.found)
        self.found.extend((position, rank, base + order, issue) for position, rank, order, issue in found)
        for key, value in carried.sums.items():
            self.sums[key] = self.sums[key] + value if key in self.sums else value
        self.numbering = carried.end


class _Fold:
    """The parts' records taken in order by one `Run`, as if it had read and validated them."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.pending: _Pending | None = None

    def take(self, record: Record) -> None:
        run, kind = self.run, record[0]
        if kind == "set":
            st, se, guide, version, found = record[1:]
            run.add(Transaction(Loop("ST", [st, se]), guide_by_id(guide) if guide else None, version), found)
        elif kind == "pieces":
            self._join(record[1], record[2], record[3])
        elif kind == "end":
            root, guide, version, found, carried = record[1:]
            pending = self._join(guide, found, carried)
            self.pending = None
            if pending.numbering[1]:
                raise Unusual("HL levels left open at the end of a transaction set")
            state: dict[str, Any] = {**pending.sums, HL_NEXT: pending.numbering[0], HL_NUMBERS: {}}
            transaction = Transaction(root, guide_by_id(guide), version)
            run.add(transaction, run.check(transaction, pending.found, state))
        elif kind == "interchange":
            run.on(Event("interchange", Interchange(record[1], record[2])))
        elif kind == "group":
            group = Group(record[1])
            assert run.interchange is not None
            run.interchange.groups.append(group)
            run.on(Event("group", group))
        elif kind == "group_end":
            assert run.group is not None
            run.group.ge = record[1]
        elif kind == "interchange_end":
            assert run.interchange is not None
            run.interchange.iea = record[1]
            run.on(Event("interchange_end", run.interchange))
        else:
            assert run.interchange is not None
            run.interchange.ta1.append(record[1])

    def _join(self, guide: str, found: Sequence[Entry], carried: Carried) -> _Pending:
        if self.pending is None:
            self.pending = _Pending(guide)
        self.pending.join(guide, found, carried)
        return self.pending

    def finish(self) -> None:
        """Check that no set was left open."""
        if self.pending is not None:
            raise Unusual("a transaction set cut between parts has no end")
