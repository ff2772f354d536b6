"""An 835 read one claim at a time: remittance JSON and CSV written as each claim payment completes.

The reader hands out each 2100 claim payment as soon as it is read (`Reader(units=True)`);
`UnitWalk` puts its segments back in file order, and the same `TransactionReader` that
builds whole remittance JSON passes each claim to a sink that writes it and lets it go.
Memory stays bounded by one claim, however many claims a check pays.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

from edi.guides import REMITTANCE_KIND
from edi.jsontext import dumps
from edi.remit import FORMAT
from edi.remit.csv import COLUMNS, claim_rows, payment_columns
from edi.remit.model import ClaimPayment
from edi.remit.read import Sink, TransactionReader
from edi.x12.cuts import Slice
from edi.x12.document import Group, Interchange, ReadWarning
from edi.x12.reader import Event, Reader
from edi.x12.segment import Segment
from edi.x12.units import SegmentOrder, UnitWalk


def stream_remittance(
    path: Path,
    sink: Sink,
    file: str | None = None,
    part: Slice | None = None,
    release: Callable[[], None] | None = None,
    reader: Reader | None = None,
) -> list[ReadWarning]:
    """Pass every 835 claim payment of ``path`` to ``sink`` as it is read; return the reader's warnings.

    ``part``: read only that part of the file (`edi.x12.cuts`). A part that starts at a claim
    reads its context while the sink's output is held back, and calls ``release`` as its first
    own segment is read; a part that stops at a claim passes on the claims before it, no more.
    ``release`` is not called in a part that starts at a transaction set.
    ``reader``: a `Reader(units=True)` to read with (to learn what it read).
    """
    reader = reader or Reader(file or str(path), units=True)
    with path.open("rb") as source:
        events = reader.slice_events(path, part) if part else reader.events(source)
        interchange: Interchange | None = None
        group: Group | None = None
        held = part is not None and part.starts_inside
        try:
            for event in events:
                if event.kind == "interchange":
                    interchange = event.value
                elif event.kind == "group":
                    group = event.value
                elif event.kind in ("unit", "transaction"):
                    segments = _transaction_segments(event, events, reader)
                    if held:  # the transaction set the part starts inside
                        assert part is not None and part.resume is not None
                        segments, held = _held(segments, part.resume.offset, release), False
                    first = next(segments)
                    if first.get(1) == REMITTANCE_KIND:
                        assert interchange is not None and group is not None
                        TransactionReader(interchange, group, sink).read(chain((first,), segments))
                    else:
                        for _ in segments:
                            pass
        except _PartEnd:
            pass
    return reader.warnings


class _PartEnd(Exception):
    """A part of the file has passed on the claims before its cut."""


def _transaction_segments(event: Event, events: Iterator[Event], reader: Reader) -> Iterator[Segment]:
    """The segments of the transaction set that ``event`` belongs to, in file order, pulled as they are read.

    In a part that stops at a claim, the segment there ends the claim before it; it is read
    as the others (a segment is read when the next one arrives) and the read ends.
    """
    order = SegmentOrder()
    walk = UnitWalk(order)
    while True:
        if event.kind == "unit":
            walk.unit(event.value)
            yield from order.take()
        else:
            transaction = event.value
            if walk.started:
                walk.end(transaction)
                yield from order.take()
            else:
                yield from transaction.segments()
            return
        following = next(events, None)
        if following is None:
            assert reader.stopped_at is not None
            yield reader.stopped_at
            yield reader.stopped_at  # only so that the one before is read
            raise _PartEnd
        event = following


def _held(segments: Iterator[Segment], resumed_at: int, release: Callable[[], None] | None) -> Iterator[Segment]:
    """The segments; ``release`` is called before the first one after the cut is read (when the next is asked for)."""
    for segment in segments:
        yield segment
        if segment.offset > resumed_at:
            if release is not None:
                release()
            yield from segments
            return


class JsonWriter:
    """A sink that writes remittance JSON (the same value as `read_remittance`) as the claims arrive."""

    def __init__(self, out: TextIO, file: str) -> None:
        self.out = out
        out.write(f'{{"format":{dumps(FORMAT)},"file":{dumps(file)},"transactions":[')
        self.first_transaction = True
        self.head: set[str] | None = None
        self.first_group = self.group_has_keys = self.claims_open = False

    def _keys(self, data: dict[str, Any], skip: set[str] | frozenset[str] = frozenset()) -> str:
        return ",".join(f"{dumps(k)}:{dumps(v)}" for k, v in data.items() if k not in skip)

    def groups(self, head: dict[str, Any]) -> None:
        keys = self._keys(head)
        self.out.write(("" if self.first_transaction else ",") + "{" + keys + ("," if keys else "") + '"groups":[')
        self.first_transaction = False
        self.head, self.first_group = set(head), True

    def group(self, head: dict[str, Any]) -> None:
        keys = self._keys(head)
        self.out.write(("" if self.first_group else ",") + "{" + keys)
        self.first_group, self.group_has_keys, self.claims_open = False, bool(keys), False

    def claim(self, claim: dict[str, Any], payment: ClaimPayment) -> None:
        if self.claims_open:
            self.out.write(",")
        else:
            self.out.write(("," if self.group_has_keys else "") + '"claims":[')
            self.claims_open = True
        self.out.write(dumps(claim))

    def end_group(self) -> None:
        self.out.write("]}" if self.claims_open else "}")

    def resume(self, inside: bool) -> None:
        """Go on, in a part of the file, with a group whose first claims an earlier part wrote
        (``inside``), or with a transaction set after those an earlier part wrote."""
        if inside:
            self.claims_open = True
        else:
            self.first_transaction = False

    def end(self, data: dict[str, Any]) -> None:
        if self.head is None:
            self.out.write(("" if self.first_transaction else ",") + dumps(data))
            self.first_transaction = False
            return
        rest = self._keys(data, self.head)
        self.out.write("]" + ("," + rest if rest else "") + "}")
        self.head = None

    def close(self) -> None:
        """Close the document."""
        self.out.write("]}\n")


class CsvWriter:
    """A sink that writes one CSV row per service line (`edi.remit.csv`) as the claims arrive."""

    def __init__(self, out: TextIO) -> None:
        self.writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        self.writer.writeheader()
        self.common: dict[str, str] = {}

    def groups(self, head: dict[str, Any]) -> None:
        self.common = payment_columns(head)

    def group(self, head: dict[str, Any]) -> None:
        pass

    def claim(self, claim: dict[str, Any], payment: ClaimPayment) -> None:
        self.writer.writerows(claim_rows(self.common, claim))

    def end_group(self) -> None:
        pass

    def resume(self, inside: bool) -> None:
        pass

    def end(self, data: dict[str, Any]) -> None:
        pass
