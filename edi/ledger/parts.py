"""The claims of one large 837 or 835 read for the ledger by several processes at once, one part each.

A file of one interchange whose transaction sets are all 837s or all 835s is cut at claims,
inside a set or between two (`edi.x12.cuts`); each part, in its own process (`edi.parallel`),
reads its claims (837) or claim payments (835) into their facts and writes each as one line
of what the ledger stores: the facts' JSON and the columns taken from them. It also returns,
for each set it holds claims of, how the set begins and ends where the part holds that, and
how many of the lines are the set's. The ledger then takes the sets and their lines in file
order as if it had read the claims itself (`edi.ledger.store`); the content hash of each set
is read from the file's bytes (`edi.x12.plain`). Where a part meets anything it cannot answer
for alone (a read error, a bad amount, segments the guide did not place, a file not plainly
laid out) nothing is returned and the file is read in one process, which gives the same rows
or the same error.
"""

from __future__ import annotations

import base64
import pickle
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any, TextIO, TypeVar

from edi.guides import CLAIM_KIND, REMITTANCE_KIND
from edi.guides.registry import Guide
from edi.jsontext import dumps, loads
from edi.ledger.claim_stream import ClaimSetStart, Walked, WalkOrder
from edi.ledger.facts import dumps as fact_text
from edi.ledger.money import cents
from edi.ledger.stream import SetEnd, SetStart, part_payments
from edi.parallel import Done, Unusual, run_parts
from edi.reconcile.extract import Claim, ClaimPayment, claims_from_walk
from edi.x12.cuts import Slice, plan
from edi.x12.document import Group, Interchange
from edi.x12.plain import segments_digest, transaction_kinds
from edi.x12.reader import Event, Reader
from edi.x12.segment import Segment
from edi.x12.units import UnitWalk

PARTED = (CLAIM_KIND, REMITTANCE_KIND)
MARK = "\x00"  # starts the marked lines of a part's spool; a claim's line is JSON, which never starts so
T = TypeVar("T")


@dataclass(slots=True)
class StoredClaim:
    """One 837 claim as the ledger stores it: its number, facts' JSON, business JSON and summary columns."""

    number: str
    facts: str
    business: str | None
    values: dict[str, Any]

    def line(self) -> str:
        """The claim as one line of a part's spool (parts keep no business JSON)."""
        claim_date = self.values["claim_date"]
        return dumps([self.number, self.facts, {**self.values, "claim_date": claim_date and claim_date.isoformat()}])

    @classmethod
    def from_line(cls, line: str) -> StoredClaim:
        """The claim of a spool line written by `line`."""
        number, facts, values = loads(line)
        claim_date = values["claim_date"]
        values["claim_date"] = date.fromisoformat(claim_date) if claim_date else None
        return cls(number, facts, None, values)


@dataclass(slots=True)
class StoredPayment:
    """One 835 claim payment as the ledger stores it: its CLP01, paid cents, facts' JSON and business JSON."""

    number: str
    paid_cents: int
    facts: str
    business: str | None

    def line(self) -> str:
        """The payment as one line of a part's spool (parts keep no business JSON)."""
        return dumps([self.number, self.paid_cents, self.facts])

    @classmethod
    def from_line(cls, line: str) -> StoredPayment:
        """The payment of a spool line written by `line`."""
        number, paid, facts = loads(line)
        return cls(number, paid, facts, None)


def stored_claim(claim: Claim, context: dict[str, Any] | None) -> StoredClaim:
    """What the ledger stores of ``claim`` (with its business JSON, if kept)."""
    values = {
        "claim_date": claim.claim_date,
        "payer_name": claim.payers[0].name if claim.payers else "",
        "patient_id": claim.patient_id,
        "patient_name": claim.patient_name,
        "billed_cents": cents(claim.charge),
    }
    business = fact_text(context) if context is not None else None
    return StoredClaim(claim.patient_control_number, fact_text(claim), business, values)


def stored_payment(payment: ClaimPayment, context: dict[str, Any] | None) -> StoredPayment:
    """What the ledger stores of ``payment`` (with its business JSON, if kept)."""
    business = fact_text(context) if context is not None else None
    return StoredPayment(payment.patient_control_number, cents(payment.paid), fact_text(payment), business)


# One transaction set in a part's read: the offsets of its ST and of the byte just past its SE, where the
# part holds them. A part's spool holds, in file order, a line for each claim and a marked line for each
# set that begins (its `ClaimSetStart` or `SetStart`) or ends (its `SetEnd`, None for an 837) in the part.
Piece = tuple[int | None, int | None]


@dataclass(slots=True)
class PartedSet:
    """One transaction set of a file read in parts: how it begins and ends, and its content hash."""

    start: ClaimSetStart | SetStart
    content_sha256: str
    end: SetEnd | None = None


@dataclass(slots=True)
class Parted:
    """A file read in parts: the kind of its transaction sets, their content hashes in file order, the parts' spools."""

    kind: str
    done: list[Done]
    digests: list[str]

    def claims(self) -> Iterator[tuple[PartedSet, Iterator[StoredClaim]]]:
        """Each 837 with its claims, in file order (read each set's claims before the next set)."""
        return self._sets(StoredClaim.from_line)

    def payments(self) -> Iterator[tuple[PartedSet, Iterator[StoredPayment]]]:
        """Each 835 with its claim payments, in file order (read each set's payments before the next set);
        the set's `SetEnd` is known once they are read."""
        return self._sets(StoredPayment.from_line)

    def _sets(self, read: Callable[[str], T]) -> Iterator[tuple[PartedSet, Iterator[T]]]:
        lines = (line for part in self.done for line in part.output)
        for digest, line in zip(self.digests, lines, strict=False):
            yield (each := PartedSet(_unmarked(line), digest)), _items(lines, each, read)

    def close(self) -> None:
        """Drop the parts' temporary files."""
        for part in self.done:
            part.output.close()


def _items(lines: Iterator[str], each: PartedSet, read: Callable[[str], T]) -> Iterator[T]:
    """The claims of the set up to its end's marked line, which gives ``each`` its end."""
    for line in lines:
        if line.startswith(MARK):
            each.end = _unmarked(line)
            return
        yield read(line)


def _marked(value: object) -> str:
    """A set's start or end as a marked line of a part's spool."""
    return MARK + base64.b64encode(pickle.dumps(value)).decode("ascii") + "\n"


def _unmarked(line: str) -> Any:
    """The start or end of a marked line (written by this process's own parts)."""
    assert line.startswith(MARK)
    return pickle.loads(base64.b64decode(line[len(MARK) :]))


def read_in_parts(path: Path, name: str, jobs: int, kinds: Collection[str]) -> Parted | None:
    """The claims of ``path``, read in ``jobs`` parts at once; None where one process must read it
    (or where its transaction sets are not all of one of ``kinds``)."""
    found = transaction_kinds(path) if jobs > 1 else None  # None too where the file is not plainly laid out
    if not found or len(found) != 1:
        return None
    kind = next(iter(found))
    slices = plan(path, jobs) if kind in kinds and kind in PARTED else None
    if slices is None:
        return None
    done = run_parts(slices, lambda part, spool: _part(path, name, kind, part, spool))
    if done is None:
        return None
    sets = _joined([piece for part in done for piece in part.result])
    digests = [segments_digest(path, st, se_end) for st, se_end in sets or ()]
    if not sets or None in digests:
        for part in done:
            part.output.close()
        return None
    return Parted(kind, done, [digest for digest in digests if digest is not None])


def _joined(pieces: list[Piece]) -> list[tuple[int, int]] | None:
    """The ST offset and SE end of each transaction set of the parts' pieces; None where they do not join up."""
    sets: list[tuple[int, int]] = []
    open_st: int | None = None
    for st, se_end in pieces:
        if (st is None) == (open_st is None):
            return None  # a set that begins twice, or a part's claims of no set begun
        open_st = st if st is not None else open_st
        if se_end is not None:
            assert open_st is not None
            sets.append((open_st, se_end))
            open_st = None
    return None if open_st is not None else sets


def _part(path: Path, name: str, kind: str, part: Slice, spool: TextIO) -> list[Piece]:
    """Read one part: each claim's stored line to ``spool``, with the sets' marked lines; the sets' pieces."""
    pieces: list[Piece] = []
    if kind == REMITTANCE_KIND:
        st: int | None = None
        for item in part_payments(path, name, part):
            if isinstance(item, SetStart):
                st = item.st.offset
                spool.write(_marked(item))
            elif isinstance(item, ClaimPayment):
                spool.write(stored_payment(item, None).line() + "\n")
            else:
                end, se = item
                spool.write(_marked(end))
                pieces.append((st, _end_of(se)))
                st = None
        return [*pieces, (st, None)] if st is not None or not pieces else pieces
    for read, walk in _walked(path, name, part):
        first = next(walk, None)  # the first unit names the guide and tells whether the set begins in the part
        if read.start is not None:
            spool.write(_marked(read.start))
        claims = claims_from_walk(chain((first,), walk), name, read.guide) if first is not None else iter(())
        for claim in claims:
            spool.write(stored_claim(claim, None).line() + "\n")
        if read.se_end is not None:
            spool.write(_marked(None))
        pieces.append((read.start.st.offset if read.start else None, read.se_end))
    return pieces


@dataclass(slots=True)
class _SetRead:
    """What a part learns of one 837 transaction set as it reads it."""

    start: ClaimSetStart | None = None  # where the set begins in the part
    guide: Guide | None = None  # the guide of its claims, once its first unit is read
    se_end: int | None = None  # where the set ends in the part: the byte just past the SE's terminator


def _walked(path: Path, name: str, part: Slice) -> Iterator[tuple[_SetRead, Iterator[Walked]]]:
    """Each transaction set of the part, with every segment of its claims and their loops in file order
    (to be read through before the next set)."""
    reader = Reader(name, units=True)
    events = reader.slice_events(path, part)
    resumed_at = part.resume.offset if part.starts_inside and part.resume else -1
    interchange = group = None
    for event in events:
        if event.kind == "interchange":
            interchange = event.value
        elif event.kind == "group":
            group = event.value
        elif event.kind in ("unit", "transaction"):
            assert interchange is not None and group is not None
            read = _SetRead()
            yield read, _set_walked(event, events, resumed_at, read, (interchange, group))
            resumed_at = -1
    if reader.spanning_unplaced:
        raise Unusual("segments the guide did not place, in a transaction set cut between parts")


def _set_walked(
    event: Event, events: Iterator[Event], resumed_at: int, read: _SetRead, envelope: tuple[Interchange, Group]
) -> Iterator[Walked]:
    """Every segment of one transaction set's claims in the part, from its first event to its SE or the part's end.

    ``resumed_at``: where the part starts, inside this set (-1 when the set begins in the part).
    """
    order = WalkOrder()
    walk = UnitWalk(order, resumed_at)
    while event.kind == "unit":
        unit = event.value
        read.guide = unit.guide
        if not walk.started and not walk.resumes(unit):
            read.start = ClaimSetStart(*envelope, unit.path[0].trigger)
        walk.unit(unit)
        yield from order.take()
        following = next(events, None)
        if following is None:  # the part stops inside the set
            return
        event = following
    if not walk.started:
        raise Unusual("a transaction set not read claim by claim")
    walk.end(event.value)
    yield from order.take()
    read.se_end = _end_of(event.value.se)


def _end_of(se: Segment) -> int:
    """The byte just past the terminator of ``se``."""
    return se.offset + len(se.text()) + len(se.delimiters.segment)
