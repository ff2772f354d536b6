"""Where to cut a large file into parts that processes read at once, and what each part must read first.

A part starts at a transaction set (an ST after another in the same group) or at a claim
inside one: an 837 subscriber level (``HL`` with HL03 ``22``) that follows another
subscriber or patient of the same billing provider, or an 835 claim payment (``CLP``) that
follows another of the same LX group. Such a place closes a unit that the earlier part
hands out (`Reader(units=True)`) and opens one the later part hands out, so each part's
output joins the next one's. A later part first reads its context, without output: the
ISA and GS it continues and, for a cut inside a transaction set, the segments from the ST
up to its first level (837 ``HL*..*20``, 835 ``LX``) and the segments of the open level
up to its first child. Lines, byte offsets, segment positions and HL numbers go on from
the cut as in one read. Where the file is not laid out so (one ISA at the start, the
terminator not a line break), no cut is made.
"""

from __future__ import annotations

import mmap
import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from edi.errors import ReadError
from edi.x12.tokenizer import sniff_isa

MINIMUM_SIZE = 4_000_000  # bytes: smaller files are read by one process
CHUNK = 1 << 20
MARKERS = (b"ISA", b"IEA", b"GS", b"GE", b"ST", b"SE", b"HL", b"LX", b"CLP")
ENVELOPE = frozenset((b"ISA", b"IEA", b"GS", b"GE", b"ST", b"SE"))


@dataclass(frozen=True, slots=True)
class Span:
    """Bytes read as context: ``start`` to ``end``, whose first segment is on ``line`` at ``position``."""

    start: int
    end: int
    line: int
    position: int  # in its transaction set; 0 for envelope segments


@dataclass(frozen=True, slots=True)
class Resume:
    """Where a later part starts, and the context it reads first."""

    offset: int
    line: int
    position: int  # of the cut segment in its transaction set; 0 at an ST
    context: tuple[Span, ...]
    levels: tuple[tuple[int, int], ...] = ()  # byte offset of each context HL -> its number in the set
    level_count: int = 0  # HL segments of the transaction set before the cut

    @property
    def inside(self) -> bool:
        """Whether the cut is inside a transaction set (at a claim) rather than at its ST."""
        return self.position > 0


@dataclass(frozen=True, slots=True)
class Slice:
    """One part of a file: from ``resume`` (the start when None) up to the cut at ``stop`` (the end when None)."""

    resume: Resume | None
    stop: int | None
    index: int = 0
    count: int = 1


class _Markers:
    """The envelope, level and claim segments of a file, in order: their byte offsets and IDs."""

    def __init__(self, data: mmap.mmap, terminator: bytes, element: bytes) -> None:
        self.data, self.terminator, self.separator = data, terminator, element
        found = re.compile(re.escape(terminator) + rb"\s*(" + b"|".join(MARKERS) + rb")" + re.escape(element))
        self.offsets, self.ids = [0], [b"ISA"]
        for match in found.finditer(data):
            self.offsets.append(match.start(1))
            self.ids.append(match.group(1))
        self.envelope = [i for i, name in enumerate(self.ids) if name in ENVELOPE]
        self.fields = re.compile(rb"[^" + re.escape(terminator) + rb"]*")

    def element(self, index: int, number: int) -> bytes:
        """Element ``number`` of the marker segment at ``index`` (HL03, ST01)."""
        match = self.fields.match(self.data, self.offsets[index])
        values = match.group().split(self.separator) if match else []
        return values[number] if len(values) > number else b""

    def level(self, index: int) -> bytes:
        return self.element(index, 3) if self.ids[index] == b"HL" else b""

    def transaction(self, index: int) -> int | None:
        """The index of the ST whose transaction set holds marker ``index``, or None."""
        last = self.envelope[bisect_left(self.envelope, index) - 1]
        return last if self.ids[last] == b"ST" and last < index else None

    def last(self, index: int, wanted: bytes, level: bytes = b"", floor: int = 0) -> int | None:
        """The index of the last marker with ID ``wanted`` (and HL03 ``level``) before ``index``, after ``floor``."""
        for at in range(index - 1, floor, -1):
            if self.ids[at] == wanted and (not level or self.level(at) == level):
                return at
        return None


def plan(path: Path, parts: int, minimum: int = MINIMUM_SIZE, inside_only: bool = False) -> list[Slice] | None:
    """The slices of ``path`` for ``parts`` processes, or None where the file is read in one.

    ``inside_only``: cut only inside a transaction set, in a file that holds one.
    """
    size = path.stat().st_size
    if parts < 2 or size < max(minimum, 1):
        return None
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        markers = _scan(data)
        if markers is None or markers.ids.count(b"ISA") != 1 or (inside_only and markers.ids.count(b"ST") != 1):
            return None
        cuts: list[int] = []
        for number in range(1, parts):
            at = _eligible(markers, bisect_left(markers.offsets, size * number // parts), inside_only)
            if at is not None and (not cuts or at > cuts[-1]):
                cuts.append(at)
        if not cuts:
            return None
        resumes = [_resume(markers, at) for at in cuts]
    stops = [r.offset for r in resumes]
    count = len(resumes) + 1
    return [Slice(None, stops[0], 0, count)] + [
        Slice(resume, stops[n + 1] if n + 1 < len(stops) else None, n + 1, count) for n, resume in enumerate(resumes)
    ]


def _scan(data: mmap.mmap) -> _Markers | None:
    """The markers of a file that starts with an ISA, or None."""
    head = data[:4096]
    if not head.startswith(b"ISA") or not head.isascii():
        return None
    try:
        delimiters, _, _ = sniff_isa(head.decode("ascii"), 0)
    except ReadError:
        return None
    if delimiters.segment in "\r\n" or delimiters.element in "\r\n":
        return None
    return _Markers(data, delimiters.segment.encode(), delimiters.element.encode())


def _eligible(markers: _Markers, start: int, inside_only: bool) -> int | None:
    """The index of the first marker from ``start`` on where a part can start, or None."""
    for at in range(max(start, 1), len(markers.ids)):
        if _can_cut(markers, at, inside_only):
            return at
    return None


def _can_cut(markers: _Markers, at: int, inside_only: bool) -> bool:
    name = markers.ids[at]
    if name == b"ST":
        return not inside_only and markers.ids[at - 1] == b"SE"
    st = markers.transaction(at)
    if st is None or _first_level(markers, st) is None:
        return False
    kind = markers.element(st, 1)
    if name == b"HL" and kind == b"837" and markers.level(at) == b"22":
        previous = markers.last(at, b"HL", floor=st)
        return previous is not None and markers.level(previous) in (b"22", b"23")
    if name == b"CLP" and kind == b"835":
        return markers.ids[at - 1] == b"CLP"
    return False


def _first_level(markers: _Markers, st: int) -> int | None:
    """The index of the transaction set's first level (837 ``HL*..*20``, 835 ``LX``), or None."""
    first = st + 1
    if first >= len(markers.ids):
        return None
    kind = markers.element(st, 1)
    if kind == b"837" and markers.ids[first] == b"HL" and markers.level(first) == b"20":
        return first
    return first if kind == b"835" and markers.ids[first] == b"LX" else None


def _resume(markers: _Markers, at: int) -> Resume:
    """The context of a part that starts at marker ``at``."""
    offsets = markers.offsets
    gs = markers.envelope[bisect_left(markers.envelope, at) - 1]
    while markers.ids[gs] != b"GS":
        gs = markers.envelope[markers.envelope.index(gs) - 1]
    spans: list[tuple[int, int, int | None]] = [(0, offsets[1], None), (offsets[gs], offsets[gs + 1], None)]
    levels: list[tuple[int, int]] = []
    count = 0
    st = markers.transaction(at)
    if st is not None:
        first = _first_level(markers, st)
        assert first is not None
        if markers.element(st, 1) == b"837":
            parent = markers.last(at, b"HL", b"20", floor=st - 1)
            hls = [i for i in range(st + 1, at) if markers.ids[i] == b"HL"]
            count = len(hls)
            assert parent is not None
            levels.append((offsets[parent], hls.index(parent) + 1))
        else:
            parent = markers.last(at, b"LX", floor=st)
        assert parent is not None
        child = next(i for i in range(parent + 1, at + 1) if markers.ids[i] in (b"HL", b"CLP"))
        spans.append((offsets[st], offsets[first], offsets[st]))
        spans.append((offsets[parent], offsets[child], offsets[st]))
    counted = _Counter(markers.data, markers.terminator)
    context = tuple(Span(start, end, counted.lines(start), counted.position(of, start)) for start, end, of in spans)
    position = counted.position(offsets[st], offsets[at]) if st is not None else 0
    return Resume(offsets[at], counted.lines(offsets[at]), position, _merged(context), tuple(levels), count)


def _merged(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    """The spans with those that touch joined (a level that directly follows the header)."""
    out: list[Span] = []
    for span in spans:
        if out and out[-1].end == span.start:
            last = out.pop()
            span = Span(last.start, span.end, last.line, last.position)
        out.append(span)
    return tuple(out)


class _Counter:
    """Line numbers and segment positions at byte offsets, counted once from the start of the file."""

    def __init__(self, data: mmap.mmap, terminator: bytes) -> None:
        self.data, self.terminator = data, terminator

    def _count(self, needle: bytes, start: int, end: int) -> int:
        total = 0
        for at in range(start, end, CHUNK):
            total += self.data[at : min(end, at + CHUNK)].count(needle)
        return total

    def lines(self, offset: int) -> int:
        return 1 + self._count(b"\n", 0, offset)

    def position(self, st: int | None, offset: int) -> int:
        """The position of the segment at ``offset`` in the transaction set at ``st`` (0 outside one)."""
        return 0 if st is None else 1 + self._count(self.terminator, st, offset)
