"""An 835 file read segment by segment, claim by claim, so a large single-check remittance never sits in memory.

The facts (edi.reconcile.extract) and the business JSON (edi.remit.read) are read from the same
segments as when the whole file is read; only the guide grammar's check of the loop structure is
left out (`edi validate` does it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edi.errors import Location, ReadError
from edi.reconcile.extract import ClaimPayment, Remittance, RemittanceReader
from edi.remit.read import ClaimStream
from edi.x12.document import Group, Interchange
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


Item = SetStart | Claims | SetEnd


def stream_835(path: Path, file: str, business: bool = True) -> Iterator[Item]:
    """The items of an 835-only file in order; raises `NotOnly835` at the first ST of another kind.

    Without ``business`` the remittance JSON is not read (each claim's is None, the set's empty).
    """
    tokenizer = Tokenizer(file)
    interchange: Interchange | None = None
    group: Group | None = None
    current: _Set | None = None
    with path.open("rb") as stream:
        for segment in tokenizer.segments(iter_text(stream)):
            seg_id = segment.id
            if current is not None:
                yield from current.feed(segment)
                if seg_id == "SE":
                    current = None
            elif seg_id == "ISA":
                interchange, group = Interchange(segment, segment.delimiters), None
            elif seg_id == "GS":
                group = Group(segment)
            elif seg_id == "ST":
                if segment.get(1) != "835":
                    raise NotOnly835
                if interchange is None or group is None:
                    raise _error(file, segment, "the transaction set has no ISA/GS envelope", "ISA and GS before ST")
                current = _Set(file, interchange, group, segment, business)
    if current is not None:
        raise ReadError("the file ends inside a transaction set (no SE)", Location(file=file), "an SE")


class _Set:
    """One 835 being read: header until the first CLP, then claims in batches, then the end at SE."""

    def __init__(self, file: str, interchange: Interchange, group: Group, st: Segment, business: bool) -> None:
        self.interchange, self.group, self.st = interchange, group, st
        self.facts = RemittanceReader(file)
        self.business = ClaimStream(interchange, group, st) if business else None
        self.hash = hashlib.sha256(st.text().encode())
        self.started = False
        self.pending: list[ClaimPayment] = []

    def feed(self, segment: Segment) -> Iterator[Item]:
        self.hash.update(b"~" + segment.text().encode())
        if segment.id == "SE":
            self.facts.header.append(segment)
            last = self.facts.finish()
            if last is not None:
                self.pending.append(last)
            if not self.started:
                yield self._start()
            yield self._claims(everything=True)
            own = self.business.finish() if self.business else {}
            yield SetEnd(self.facts.remittance(), own, self.hash.hexdigest())
            return
        if segment.id == "CLP" and not self.started:
            yield self._start()
        finished = self.facts.feed(segment)
        if self.business:
            self.business.feed(segment)
        if finished is not None:
            self.pending.append(finished)
            if len(self.pending) >= BATCH:
                yield self._claims(everything=False)

    def _start(self) -> SetStart:
        self.started = True
        return SetStart(self.interchange, self.group, self.st, self.facts.remittance())

    def _claims(self, everything: bool) -> Claims:
        if self.business is None:
            items: list[tuple[ClaimPayment, dict[str, Any] | None]] = [(p, None) for p in self.pending]
            self.pending = []
            return Claims(items)
        business = self.business.take(everything)
        if len(business) != len(self.pending):
            raise _error(
                self.facts.file, self.st, "the claims of this 835 could not be read one by one", "one CLP per claim"
            )
        items = list(zip(self.pending, business, strict=True))
        self.pending = []
        return Claims(items)


def _error(file: str, segment: Segment, message: str, expected: str) -> ReadError:
    return ReadError(message, Location(file=file, line=segment.line, segment=segment.text()), expected)
