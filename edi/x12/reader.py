"""Read X12: segments -> envelope (its own grammar) -> transaction sets parsed by their guides.

`iter_events` streams: it holds one transaction set at a time, so memory stays flat
however large the file. `read_document` collects the events into a `Document`.
"""

from __future__ import annotations

import io
from bisect import bisect_right
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, Literal

from edi.errors import Location, ReadError
from edi.guides.registry import Guide, grammar_text, resolve_guide
from edi.x12.cuts import Part, Slice
from edi.x12.document import Document, Group, Interchange, LoopUnit, ReadWarning, Transaction
from edi.x12.lalr import END, UNPLACED, Incremental, Loop, ParseFailure, Table, Unplaced, compile_table, run
from edi.x12.segment import Segment
from edi.x12.tokenizer import ByteSource, Tokenizer, iter_text

EventKind = Literal["interchange", "ta1", "group", "unit", "transaction", "group_end", "interchange_end"]
ENVELOPE_NAMES = {
    "ISA": "an ISA (interchange header)",
    "IEA": "an IEA (interchange trailer)",
    "GS": "a GS (functional group header)",
    "GE": "a GE (functional group trailer)",
    "TA1": "a TA1",
    "TRANSACTION": "an ST (transaction set header)",
    END: "the end of the file",
}


@dataclass(slots=True)
class Event:
    """One step of a streamed read; ``value`` is the object the kind names."""

    kind: EventKind
    value: Any


ENVELOPE_SEGMENTS = frozenset({"ISA", "GS", "GE", "IEA", "TA1"})
_NOT_IN_BODY = ENVELOPE_SEGMENTS | {"ST"}
_NEVER = 1 << 62  # the stop of a read that goes to the end


class _Stopped(Exception):
    """A part of a file has read the segment at its cut."""


def _read_span(stream: BinaryIO, start: int, end: int) -> bytes:
    stream.seek(start)
    return stream.read(end - start)


def _located(segments: Iterator[Segment], cut: int, shifts: list[tuple[int, int, int]]) -> Iterator[Segment]:
    """The segments of a part's context moved to their own lines and byte offsets in the file.

    The tokenizer counts the context as if it stood right before the cut; ``shifts`` holds,
    for each span of it, where it starts so counted and how far its offsets and lines move.
    """
    for segment in segments:
        if segment.offset >= cut:
            yield segment
            yield from segments
            return
        _, moved, lines = shifts[bisect_right(shifts, (segment.offset, _NEVER)) - 1]
        segment.offset += moved
        segment.line += lines
        yield segment


@dataclass(slots=True)
class _Opened:
    """The interchange and group being read, and how many context headers to keep quiet."""

    interchange: Interchange | None = None
    group: Group | None = None
    hidden: int = 0

    def close_bare(self) -> Iterator[Event]:
        """End a bare transaction set's stand-in envelope, if one is open."""
        if self.interchange is not None and self.interchange.isa is None and self.group is not None:
            yield Event("group_end", self.group)
            yield Event("interchange_end", self.interchange)
            self.interchange = self.group = None


@cache
def _envelope_table() -> Table:
    return compile_table(grammar_text("envelope"))


def _open(source: str | Path | bytes | BinaryIO) -> tuple[BinaryIO, str, bool]:
    if isinstance(source, bytes):
        return io.BytesIO(source), "<bytes>", True
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            return path.open("rb"), str(source), True
        except OSError as exc:
            raise ReadError(f"cannot open the file: {exc.strerror}", Location(file=str(source))) from exc
    return source, getattr(source, "name", "<stream>"), False


class Reader:
    """Streams one file: feeds the envelope grammar and parses each transaction set as its segments arrive.

    With ``units``, the loops a guide reads one at a time (`Guide.unit_rules`: the claim and the
    levels that hold claims) are yielded as ``unit`` events as soon as each is complete and
    leave only a `Detached` marker in the tree, so memory is bounded by one claim and its
    context, whatever the size of the transaction set.
    """

    def __init__(self, file: str, line: int = 1, offset: int = 0, units: bool = False) -> None:
        self.file = file
        self.line, self.offset = line, offset
        self.units = units
        self.warnings: list[ReadWarning] = []
        self.kinds: Counter[str] = Counter()  # the transaction sets read so far, by ST01
        self.envelope = Incremental(_envelope_table())
        # Reading a part of a file (`slice_events`): where it stops, where it resumed, how its context is numbered.
        self.stop = _NEVER
        self.resumed_at = -1
        self.numbering: dict[int, int] = {}
        self._unplaced = Unplaced()
        self.stopped_at: Segment | None = None  # the segment at the cut where a part stopped
        self.spanning_unplaced = 0  # segments the guide did not place in a transaction set cut between parts
        self._last: Segment | None = None  # the latest segment of the transaction set being read

    def warn(self, message: str, location: Location) -> None:
        self.warnings.append(ReadWarning(message, location))

    def events(self, stream: ByteSource, partial: bool = False, resume: bool = False) -> Iterator[Event]:
        """Yield the envelope and transaction events of the stream, in order.

        ``partial``: the stream stops at a transaction set boundary inside a group, so its
        end is not the end of the envelope. ``resume``: the stream starts with the ISA and
        GS of the interchange and group it continues; they are read but not yielded.
        """
        tokenizer = Tokenizer(self.file, self.warn, self.line, self.offset)
        segments = tokenizer.segments(iter_text(stream, self.file))
        yield from self._events(segments, tokenizer, partial, _Opened(hidden=2 if resume else 0))

    def slice_events(self, path: Path, part: Slice) -> Iterator[Event]:
        """Yield the events of one part of a file (`edi.x12.cuts`): what one read yields from its start to its stop.

        A part that starts inside the file reads its context first (the interchange and group
        events of the ISA and GS it continues, no unit: none completes); a part that stops at
        a claim reads the segment there only as the grammar's lookahead, so the units it
        closes are yielded and nothing after.
        """
        resume = part.resume
        self.stop = _NEVER if part.stop is None else part.stop
        if resume is None:
            with path.open("rb") as stream:
                yield from self.events(stream, partial=part.stop is not None)
            return
        with path.open("rb") as stream:
            pieces = [_read_span(stream, span.start, span.end) for span in resume.context]
        context = b"".join(pieces)
        self.resumed_at = resume.offset
        self.numbering = {s.start: s.position for s in resume.context[1:] if s.position > 1}
        if resume.inside:
            self.numbering[resume.offset] = resume.position
        tokenizer = Tokenizer(self.file, self.warn, resume.line - context.count(b"\n"), resume.offset - len(context))
        line, offset = tokenizer.line, tokenizer.offset
        shifts = []
        for span, piece in zip(resume.context, pieces, strict=True):
            shifts.append((offset, span.start - offset, span.line - line))
            offset, line = offset + len(piece), line + piece.count(b"\n")
        with Part(path, resume.offset, context) as stream:
            segments = _located(tokenizer.segments(iter_text(stream, self.file)), resume.offset, shifts)
            yield from self._events(segments, tokenizer, part.stop is not None, _Opened())

    def _events(
        self, segments: Iterator[Segment], tokenizer: Tokenizer, partial: bool, opened: _Opened
    ) -> Iterator[Event]:
        stop = self.stop
        try:
            for segment in segments:
                if segment.id == "ST":
                    if segment.offset >= stop:
                        return
                    yield from self._transaction_events(segment, segments, opened)
                else:
                    yield from self._envelope_events(segment, opened)
        except _Stopped:
            self.spanning_unplaced += self._unplaced.count
            return
        yield from opened.close_bare()
        if partial:
            return
        try:
            self.envelope.feed(END)
        except ParseFailure as failure:
            raise ReadError(
                "the file ends inside an envelope",
                Location(file=self.file, line=tokenizer.line),
                " or ".join(ENVELOPE_NAMES.get(t, t) for t in failure.expected),
            ) from None

    def _body(self, st: Segment, segments: Iterator[Segment]) -> Iterator[Segment]:
        """The segments of a transaction set after its ST, numbered, up to and including its SE.

        A part of a file numbers on from where its context skips segments (``numbering``),
        and stops after the segment at its cut, which the grammar reads as lookahead.
        """
        st.position = 1
        self._last = st
        numbering, stop, shift = self.numbering, self.stop, 0
        for position, segment in enumerate(segments, start=2):
            seg_id = segment.id
            if seg_id in _NOT_IN_BODY:
                raise self._error(
                    "the transaction set has no SE before this segment",
                    segment,
                    "an SE closing the transaction set that starts at its ST",
                )
            if numbering and segment.offset in numbering:
                shift = numbering[segment.offset] - position
            segment.position = position + shift
            self._last = segment  # where a parse that fails at the end of the set stopped
            yield segment
            if seg_id == "SE":
                return
            if segment.offset >= stop:
                self.stopped_at = segment
                raise _Stopped
        raise self._error(
            "the file ends inside a transaction set (no SE)", self._last, "an SE closing the transaction set"
        )

    def _transaction_events(self, st: Segment, segments: Iterator[Segment], opened: _Opened) -> Iterator[Event]:
        """An ST..SE: open a bare envelope for it if none is open, then parse it as it is read."""
        self.kinds[st.get(1)] += 1
        self._envelope("TRANSACTION", st)
        if opened.interchange is None:
            opened.interchange = Interchange(None, st.delimiters)
            opened.group = Group(None)
            opened.interchange.groups.append(opened.group)
            yield Event("interchange", opened.interchange)
            yield Event("group", opened.group)
        assert opened.group is not None
        body = self._body(st, segments)
        buffered: list[Segment] = []

        def segment_ids() -> Iterator[str]:
            buffered.extend(body)  # only where the version names no guide: the lines tell the 837 apart
            return (s.id for s in buffered)

        group = opened.group
        version = st.get(3) or (group.gs.get(8) if group.gs else "")
        guide, warning = resolve_guide(st.get(1), version, segment_ids)
        if warning:
            self.warn(warning, self._where(st))
        if guide is None:
            transaction = Transaction(Loop("ST", [st, *buffered, *body]), None, version)
        else:
            root = yield from self._parse(guide, version, chain((st,), buffered, body))
            transaction = Transaction(root, guide, version)
        yield Event("transaction", transaction)

    def _envelope_events(self, segment: Segment, opened: _Opened) -> Iterator[Event]:
        """ISA, GS, GE, IEA or TA1: check its place in the envelope and yield its event."""
        seg_id = segment.id
        if seg_id == "SE":
            raise self._error("SE without an ST", segment, "an ST before the SE")
        if seg_id not in ENVELOPE_SEGMENTS:
            raise self._error(
                f"segment {seg_id} stands outside any transaction set", segment, "an ST, GS, GE, IEA or ISA"
            )
        if seg_id == "ISA":
            yield from opened.close_bare()
        self._envelope(seg_id, segment)
        interchange, group = opened.interchange, opened.group
        if seg_id == "ISA":
            opened.interchange, opened.group = Interchange(segment, segment.delimiters), None
            event = Event("interchange", opened.interchange)
        elif seg_id == "GS":
            assert interchange is not None
            opened.group = Group(segment)
            interchange.groups.append(opened.group)
            event = Event("group", opened.group)
        elif seg_id == "GE":
            assert group is not None
            group.ge, opened.group = segment, None
            event = Event("group_end", group)
        elif seg_id == "IEA":
            assert interchange is not None
            interchange.iea, opened.interchange = segment, None
            event = Event("interchange_end", interchange)
        else:
            assert interchange is not None
            interchange.ta1.append(segment)
            event = Event("ta1", segment)
        if opened.hidden and event.kind in ("interchange", "group"):
            opened.hidden -= 1
            return
        yield event

    def _envelope(self, token: str, segment: Segment) -> None:
        try:
            self.envelope.feed(token)
        except ParseFailure as failure:
            found = ENVELOPE_NAMES.get(token, token)
            raise self._error(
                f"{found} is out of place in the envelope",
                segment,
                " or ".join(ENVELOPE_NAMES.get(t, t) for t in failure.expected),
            ) from None

    def _error(self, message: str, segment: Segment, expected: str) -> ReadError:
        return ReadError(message, self._where(segment), expected)

    def _where(self, segment: Segment, loop: str | None = None) -> Location:
        return Location(
            file=self.file,
            position=segment.position or None,
            line=segment.line,
            offset=segment.offset,
            loop=loop,
            segment=segment.text()[:200],
        )

    def _parse(self, guide: Guide, version: str, segments: Iterator[Segment]) -> Generator[Event, None, Loop]:
        """Parse one transaction set with its guide's grammar; yield ``unit`` events, return the root loop."""
        rule_loops = guide.rule_loops

        def build(rule: str, children: list[Any]) -> Loop:
            items = [children[0]]
            if len(children) > 1 and type(children[1]) is list:
                items.extend(children[1])
                items.extend(children[2:])
            else:
                items.extend(children[1:])
            return Loop(rule_loops.get(rule, "ST"), items)

        unplaced = self._unplaced = Unplaced()
        detach = guide.unit_rules if self.units else frozenset()
        steps = run(guide.table, guide.tokens(segments), build, UNPLACED, detach, unplaced)
        try:
            while True:
                try:
                    unit = next(steps)
                except StopIteration as done:
                    root: Loop = done.value
                    break
                yield Event("unit", LoopUnit(guide, version, unit.loop, unit.path))
        except ParseFailure as failure:
            segment = failure.value if isinstance(failure.value, Segment) else self._last
            assert segment is not None
            raise self._error(
                f"the {guide.id} grammar cannot place segment {segment.id}",
                segment,
                ", ".join(failure.expected[:12]),
            ) from None
        if root.trigger.offset < self.resumed_at:
            self.spanning_unplaced += unplaced.count
        if unplaced.count:
            shown = ", ".join(f"{s.id} (segment {s.position})" for s in unplaced.first)
            more = f" and {unplaced.count - len(unplaced.first)} more" if unplaced.count > len(unplaced.first) else ""
            self.warn(
                f"{unplaced.count} segment(s) not placed by the {guide.id} guide were kept where they stood: "
                f"{shown}{more}",
                self._where(root.trigger),
            )
        return root


def iter_events(source: str | Path | bytes | BinaryIO, file: str | None = None, units: bool = False) -> Iterator[Event]:
    """Stream the events of an X12 source (path, bytes or binary stream); with ``units``, as `Reader` says."""
    stream, name, owned = _open(source)
    reader = Reader(file or name, units=units)
    try:
        yield from reader.events(stream)
    finally:
        if owned:
            stream.close()


def iter_transactions(
    source: str | Path | bytes | BinaryIO, file: str | None = None
) -> Iterator[tuple[Interchange, Group, Transaction]]:
    """Each transaction set with its interchange and group, streamed one set at a time."""
    interchange: Interchange | None = None
    group: Group | None = None
    for event in iter_events(source, file):
        if event.kind == "interchange":
            interchange = event.value
        elif event.kind == "group":
            group = event.value
        elif event.kind == "transaction" and interchange is not None and group is not None:
            yield interchange, group, event.value


def iter_segments(source: str | Path, file: str | None = None) -> Generator[Segment, None, None]:
    """Every segment of a file, envelope included, read by the tokenizer alone (no grammar, no warnings)."""
    stream, name, owned = _open(source)
    tokenizer = Tokenizer(file or name, lambda message, location: None)
    try:
        yield from tokenizer.segments(iter_text(stream, file or name))
    finally:
        if owned:
            stream.close()


def transaction_kinds(source: str | Path, file: str | None = None) -> Counter[str]:
    """How many transaction sets of each ST01 a file holds, counted by the tokenizer alone (no grammar)."""
    return Counter(s.get(1) for s in iter_segments(source, file) if s.id == "ST")


def first_kind(source: str | Path, file: str | None = None) -> str | None:
    """The ST01 of a file's first transaction set (None if it has none), read by the tokenizer up to that ST."""
    segments = iter_segments(source, file)
    try:
        return next((s.get(1) for s in segments if s.id == "ST"), None)
    finally:
        segments.close()


def read_document(source: str | Path | bytes | BinaryIO, file: str | None = None) -> Document:
    """Read a whole X12 source into a `Document` (use `iter_events` for very large files)."""
    stream, name, owned = _open(source)
    reader = Reader(file or name)
    document = Document(reader.file, warnings=reader.warnings)
    group: Group | None = None
    try:
        for event in reader.events(stream):
            if event.kind == "interchange":
                document.interchanges.append(event.value)
            elif event.kind == "group":
                group = event.value
            elif event.kind == "transaction" and group is not None:
                group.transactions.append(event.value)
    finally:
        if owned:
            stream.close()
    return document
