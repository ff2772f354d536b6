"""The claims of one large 837 or 835 read for the ledger by several processes at once, one part each.

A file that holds one transaction set is cut at claims (`edi.x12.cuts`); each part, in its own
process (`edi.parallel`), reads its claims (837) or claim payments (835) into their facts and
writes each as one line of what the ledger stores: the facts' JSON and the columns taken from
them. The first part also returns how the set begins, the last how it ends. The ledger then
takes the lines in file order as if it had read the claims itself (`edi.ledger.store`); the
content hash of the set is read from the file's bytes (`edi.x12.plain`). Where a part
meets anything it cannot answer for alone (a read error, a bad amount, segments the guide
did not place, a file not plainly laid out) nothing is returned and the file is read in one
process, which gives the same rows or the same error.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

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
from edi.x12.plain import segments_digest, transaction_kinds
from edi.x12.reader import Reader
from edi.x12.segment import Segment
from edi.x12.units import UnitWalk

PARTED = (CLAIM_KIND, REMITTANCE_KIND)


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


@dataclass(slots=True)
class Ends:
    """How the transaction set begins (first part) and ends (last part) in a part's read."""

    start: ClaimSetStart | SetStart | None = None
    end: SetEnd | None = None
    se_end: int | None = None  # the byte just past the SE's terminator
    guide: Guide | None = None  # the guide of the part's claims, once its first unit is read


@dataclass(slots=True)
class Parted:
    """A file read in parts: the kind of its one transaction set, how it begins and ends, its content hash."""

    kind: str
    done: list[Done]
    start: ClaimSetStart | SetStart
    end: SetEnd | None
    content_sha256: str

    def claims(self) -> Iterator[StoredClaim]:
        """The 837's claims, in file order."""
        return map(StoredClaim.from_line, self._lines())

    def payments(self) -> Iterator[StoredPayment]:
        """The 835's claim payments, in file order."""
        return map(StoredPayment.from_line, self._lines())

    def _lines(self) -> Iterator[str]:
        for part in self.done:
            yield from part.output

    def close(self) -> None:
        """Drop the parts' temporary files."""
        for part in self.done:
            part.output.close()


def read_in_parts(path: Path, name: str, jobs: int, kinds: Collection[str]) -> Parted | None:
    """The claims of ``path``, read in ``jobs`` parts at once; None where one process must read it
    (or where its transaction set is not of ``kinds``)."""
    found = transaction_kinds(path) if jobs > 1 else None  # None too where the file is not plainly laid out
    if not found or sum(found.values()) != 1:
        return None
    kind = next(iter(found))
    slices = plan(path, jobs, inside_only=True) if kind in kinds and kind in PARTED else None
    if slices is None:
        return None
    done = run_parts(slices, lambda part, spool: _part(path, name, kind, part, spool))
    if done is None:
        return None
    first, last = done[0].result, done[-1].result
    start = first.start
    digest = None
    if start is not None and last.se_end is not None:
        digest = segments_digest(path, start.st.offset, last.se_end)
    misplaced = any(p.result.start for p in done[1:]) or any(p.result.se_end is not None for p in done[:-1])
    if digest is None or misplaced:
        for part in done:
            part.output.close()
        return None
    return Parted(kind, done, start, last.end, digest)


def _part(path: Path, name: str, kind: str, part: Slice, spool: TextIO) -> Ends:
    """Read one part: each claim's stored line to ``spool``; how the set begins and ends, where the part holds it."""
    ends = Ends()
    if kind == REMITTANCE_KIND:
        for item in part_payments(path, name, part):
            if isinstance(item, ClaimPayment):
                spool.write(stored_payment(item, None).line() + "\n")
            elif isinstance(item, SetStart):
                ends.start = item
            else:
                ends.end, se = item
                ends.se_end = _end_of(se)
        return ends
    walk = _walked(path, name, part, ends)
    first = next(walk, None)  # the first unit names the guide
    claims = claims_from_walk(chain((first,), walk), name, ends.guide) if first is not None else iter(())
    for claim in claims:
        spool.write(stored_claim(claim, None).line() + "\n")
    ends.guide = None  # not sent back: its compiled tables would come back as a second copy (about 9 MB)
    return ends


def _walked(path: Path, name: str, part: Slice, ends: Ends) -> Iterator[Walked]:
    """Every segment of the part's claims with its loop, in file order."""
    reader = Reader(name, units=True)
    order = WalkOrder()
    walk = UnitWalk(order, part.resume.offset if part.resume else -1)
    interchange = group = None
    for event in reader.slice_events(path, part):
        if event.kind == "interchange":
            interchange = event.value
        elif event.kind == "group":
            group = event.value
        elif event.kind == "unit":
            unit = event.value
            ends.guide = unit.guide
            if not walk.started and not walk.resumes(unit):
                assert interchange is not None and group is not None
                ends.start = ClaimSetStart(interchange, group, unit.path[0].trigger)
            walk.unit(unit)
            yield from order.take()
        elif event.kind == "transaction":
            if not walk.started:
                raise Unusual("a transaction set not read claim by claim")
            walk.end(event.value)
            yield from order.take()
            ends.se_end = _end_of(event.value.se)
    if reader.spanning_unplaced:
        raise Unusual("segments the guide did not place, in a transaction set cut between parts")


def _end_of(se: Segment) -> int:
    """The byte just past the terminator of ``se``."""
    return se.offset + len(se.text()) + len(se.delimiters.segment)
