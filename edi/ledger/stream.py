"""An 835 file read segment by segment, claim by claim, so a large single-check remittance never sits in memory.

Each claim payment is read once into its model (edi.remit.model), which gives both its facts
(edi.reconcile.extract) and its business JSON (edi.remit.read), as when the whole file is read;
only the guide grammar's check of the loop structure is left out (`edi validate` does it).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from edi.errors import Location, ReadError
from edi.guides import REMITTANCE_KIND
from edi.parallel import Unusual
from edi.reconcile.extract import ClaimPayment, Remittance, payment_facts, remittance_facts
from edi.remit import model
from edi.remit.model import RemittanceSplit
from edi.remit.read import TransactionReader
from edi.x12.cuts import Part, Slice
from edi.x12.document import Group, Interchange, Transaction
from edi.x12.segment import Segment
from edi.x12.tokenizer import Tokenizer, iter_text

BATCH = 1000


class NotOnly835(Exception):
    """The file holds a transaction set other than an 835: read it whole instead."""


@dataclass(slots=True)
class SetStart:
    """An 835 transaction set begins: its envelope, ST and header facts (payer, payment, trace)."""

    interchange: Interchange
    group: Group
    st: Segment
    remittance: Remittance


@dataclass(slots=True)
class Claims:
    """The next claim payments of the current 835, each with its business JSON."""

    items: list[tuple[ClaimPayment, dict[str, Any] | None]]


@dataclass(slots=True)
class SetEnd:
    """The current 835 ends: its facts with the provider adjustments, its own JSON, and its content hash."""

    remittance: Remittance
    business: dict[str, Any]
    content_sha256: str


class Handler(Protocol):
    """What receives an 835 file as it is read, in order."""

    def start(self, item: SetStart) -> None:
        """An 835 transaction set begins."""

    def claims(self, item: Claims) -> None:
        """The next claim payments of the current 835."""

    def end(self, item: SetEnd) -> None:
        """The current 835 is complete."""


def stream_835(path: Path, file: str, handler: Handler, business: bool = True) -> None:
    """Hand the 835s of ``path`` to ``handler``; raises `NotOnly835` at the first ST of another kind.

    Without ``business`` the remittance JSON is not read (each claim's is None, the set's empty).
    """
    tokenizer = Tokenizer(file)
    interchange: Interchange | None = None
    group: Group | None = None
    with path.open("rb") as stream:
        segments = tokenizer.segments(iter_text(stream))
        for segment in segments:
            seg_id = segment.id
            if seg_id == "ISA":
                interchange, group = Interchange(segment, segment.delimiters), None
            elif seg_id == "GS":
                group = Group(segment)
            elif seg_id == "ST":
                if segment.get(1) != REMITTANCE_KIND:
                    raise NotOnly835
                if interchange is None or group is None:
                    raise _error(file, segment, "the transaction set has no ISA/GS envelope", "ISA and GS before ST")
                _Set(file, interchange, group, segment, handler).read(segments, business)


def part_payments(path: Path, file: str, part: Slice) -> Iterator[SetStart | ClaimPayment | tuple[SetEnd, Segment]]:
    """The 835s of one part of a file (`edi.x12.cuts`), read as `stream_835` reads them.

    In order, for each transaction set: its `SetStart` (where it begins in the part), the facts
    of each claim payment of the part, and its `SetEnd` (without content hash) with the SE (where
    it ends in the part). A later part reads its context first (the envelope and, cut inside a
    set, the set's header), so the header is the same in every part; a PLB before the part
    where the set ends, which only that part's header would lack, raises `Unusual`.
    """
    resume = part.resume
    source: BinaryIO | Part
    if resume is None:
        tokenizer, source = Tokenizer(file), path.open("rb")
    else:
        with path.open("rb") as stream:
            context = b"".join(_span(stream, span.start, span.end) for span in resume.context)
        tokenizer = Tokenizer(file, line=resume.line - context.count(b"\n"), offset=resume.offset - len(context))
        source = Part(path, resume.offset, context)
    interchange: Interchange | None = None
    group: Group | None = None
    split: RemittanceSplit | None = None
    with source:
        for segment in tokenizer.segments(iter_text(source, file)):
            seg_id = segment.id
            if part.stop is not None and segment.offset >= part.stop:
                if split is None:  # a cut between transaction sets
                    return
                finished = split.feed(segment)  # the claim payment at the cut ends the one before it
                if finished is not None:
                    yield payment_facts(finished, file)
                if any(s.id == "PLB" for s in split.outside):
                    raise Unusual("provider adjustments before the last part")
                return
            if seg_id == "ISA":
                interchange = Interchange(segment, segment.delimiters)
            elif seg_id == "GS":
                group = Group(segment)
            elif seg_id == "ST":
                if interchange is None or group is None:
                    raise _error(file, segment, "the transaction set has no ISA/GS envelope", "ISA and GS before ST")
                split, st, started = RemittanceSplit(), segment, resume is not None and segment.offset < resume.offset
                split.feed(segment)
            elif split is not None:
                finished = split.feed(segment)
                if finished is not None:
                    yield payment_facts(finished, file)
                if not started and (split.open or seg_id == "SE"):  # a set of no claim begins at its end
                    started = True
                    assert interchange is not None and group is not None
                    yield SetStart(interchange, group, st, remittance_facts(split.header(), file))
                if seg_id == "SE":
                    yield SetEnd(remittance_facts(split.header(), file), {}, ""), segment
                    split = None
    if split is not None or part.stop is not None:
        raise ReadError("the file ends inside a transaction set (no SE)", Location(file=file), "an SE")


def _span(stream: BinaryIO, start: int, end: int) -> bytes:
    stream.seek(start)
    return stream.read(end - start)


def read_835(file: str, interchange: Interchange, group: Group, transaction: Transaction, business: bool) -> SetRead:
    """One 835 transaction set read whole, as `stream_835` reads it: its facts with every claim payment, its own
    JSON and each claim payment's (None without ``business``)."""
    collected = _Collected()
    segments = transaction.segments()
    _Set(file, interchange, group, next(segments), collected).read(segments, business)
    return collected.read


@dataclass(slots=True)
class SetRead:
    """An 835 transaction set read whole: its facts, its own JSON and each claim payment's, in file order."""

    remittance: Remittance
    business: dict[str, Any]
    contexts: list[dict[str, Any] | None]


class _Collected:
    """A `Handler` that keeps the whole transaction set."""

    def __init__(self) -> None:
        self.items: list[tuple[ClaimPayment, dict[str, Any] | None]] = []

    def start(self, item: SetStart) -> None:
        pass

    def claims(self, item: Claims) -> None:
        self.items += item.items

    def end(self, item: SetEnd) -> None:
        remittance = dataclasses.replace(item.remittance, claims=tuple(payment for payment, _ in self.items))
        self.read = SetRead(remittance, item.business, [context for _, context in self.items])


class _Set:
    """One 835 being read: each claim payment's model, read once, gives its facts and its remittance JSON."""

    def __init__(self, file: str, interchange: Interchange, group: Group, st: Segment, handler: Handler) -> None:
        self.file, self.interchange, self.functional_group, self.st = file, interchange, group, st
        self.handler = handler
        self.split = RemittanceSplit()
        self.hash = hashlib.sha256(st.text().encode("utf-8", "surrogateescape"))
        self.started = False
        self.ready: list[tuple[ClaimPayment, dict[str, Any] | None]] = []
        self.group_head: dict[str, Any] = {}

    def read(self, rest: Iterator[Segment], business: bool) -> None:
        """Read up to the SE from ``rest``; the claims go to the handler a batch at a time."""
        segments = self._until_se(rest)
        if business:
            reader = TransactionReader(self.interchange, self.functional_group, self)
            self.split = reader.split
            reader.read(segments)
            return
        for segment in segments:
            finished = self.split.feed(segment)
            if finished is not None:
                self._ready(finished, None)
            if not self.started and self.split.open:
                self._start()
        self.end({})

    def _until_se(self, rest: Iterator[Segment]) -> Iterator[Segment]:
        """The segments up to the SE, numbered from the ST as the reader numbers them."""
        self.st.position = 1
        yield self.st
        for position, segment in enumerate(rest, start=2):
            segment.position = position
            self.hash.update(b"~" + segment.text().encode("utf-8", "surrogateescape"))
            yield segment
            if segment.id == "SE":
                return
        raise ReadError("the file ends inside a transaction set (no SE)", Location(file=self.file), "an SE")

    def _start(self) -> None:
        if not self.started:
            self.started = True
            header = remittance_facts(self.split.header(), self.file)
            self.handler.start(SetStart(self.interchange, self.functional_group, self.st, header))

    def _ready(self, payment: model.ClaimPayment, claim: dict[str, Any] | None) -> None:
        self.ready.append((payment_facts(payment, self.file), claim))
        if len(self.ready) >= BATCH:
            self.handler.claims(Claims(self.ready))
            self.ready = []

    # The reader's sink: the remittance JSON of each claim, with its model.

    def groups(self, head: dict[str, Any]) -> None:
        self._start()

    def group(self, head: dict[str, Any]) -> None:
        self.group_head = {k: v for k, v in head.items() if k != "claims"}

    def claim(self, claim: dict[str, Any], payment: model.ClaimPayment) -> None:
        self._start()
        self._ready(payment, {"group": self.group_head, "claim": claim})

    def end_group(self) -> None:
        self.group_head = {}

    def end(self, data: dict[str, Any]) -> None:
        self._start()
        if self.ready:
            self.handler.claims(Claims(self.ready))
            self.ready = []
        self.handler.end(SetEnd(remittance_facts(self.split.header(), self.file), data, self.hash.hexdigest()))


def _error(file: str, segment: Segment, message: str, expected: str) -> ReadError:
    return ReadError(message, Location(file=file, line=segment.line, segment=segment.text()), expected)
