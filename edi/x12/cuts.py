"""Where to cut a large file into parts that processes read at once, and what each part must read first.

`parse`, `read`, `validate` and `reconcile` all cut here (`edi.convert.parallel`, `edi.readparts`,
`edi.validate.parts`, `edi.ledger.parts`).

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

import io
import mmap
import re
from dataclasses import dataclass
from pathlib import Path

from edi.errors import ReadError
from edi.x12.tokenizer import sniff_isa

MINIMUM_SIZE = 4_000_000  # bytes: smaller files are read by one process
CHUNK = 1 << 20
RELEASE_EVERY = 1 << 24  # bytes scanned between releases of the mapped pages behind the scan
ENVELOPE = b"ISA|IEA|GS|GE|ST|SE"


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
    ended: int = 0  # transaction sets that end before the cut

    @property
    def inside(self) -> bool:
        """Whether the cut is inside a transaction set (at a claim) rather than at its ST."""
        return self.position > 0


@dataclass(frozen=True, slots=True)
class Slice:
    """One part of a file: from ``resume`` (the start when None) up to the cut at ``stop`` (the end when None).

    ``index`` of ``count`` parts; ``transactions``: the transaction sets of the whole file.
    """

    resume: Resume | None
    stop: int | None
    index: int = 0
    count: int = 1
    transactions: int = 1

    @property
    def starts_inside(self) -> bool:
        """Whether the part starts at a claim inside a transaction set (an earlier part began the set)."""
        return self.resume is not None and self.resume.inside

    @property
    def first_set_ends(self) -> bool:
        """Whether the first transaction set that ends in this part is the file's first."""
        return self.resume is None or self.resume.ended == 0


class _Walk:
    """One pass over the envelope, level and claim segments of a file, keeping only what a cut needs.

    Memory stays the same whatever the size of the file: the open ISA, GS and ST, the open
    level (837 ``HL*..*20``, 835 ``LX``) and where its first child starts, the HL count.
    """

    def __init__(self, data: mmap.mmap, terminator: bytes, element: bytes) -> None:
        self.data, self.terminator, self.separator = data, terminator, element
        self.fields = re.compile(rb"[^" + re.escape(terminator) + rb"]*")
        term, elem = re.escape(terminator), re.escape(element)
        value = rb"[^" + term + elem + rb"]*"
        claims = b"" if self.element(data.find(b"ST" + element), 1) == b"837" else b"|LX|CLP"  # LX is an 837 line too
        hl = rb"HL" + elem + value + elem + value + elem + rb"(" + value + rb")"  # with its HL03
        self.markers = re.compile(term + rb"\s*(" + hl + rb"|(?:" + ENVELOPE + claims + rb")" + elem + rb")")
        self.interchanges = self.transactions = 0
        self.scanned = len(data)  # where `cuts` stopped taking in markers
        self.previous = b"ISA"  # the ID of the last marker
        self.isa_end = self.gs = self.gs_end = 0
        self.st: int | None = None
        self.kind = b""  # ST01
        self.header_end: int | None = None  # where the transaction set's first level starts
        self.levels = 0  # HL segments in the transaction set so far
        self.level = b""  # HL03 of the last HL
        self.parent: int | None = None  # the open 837 billing provider or 835 LX
        self.parent_number = 0
        self.child: int | None = None  # where the parent's first child starts

    def element(self, offset: int, number: int) -> bytes:
        """Element ``number`` of the segment at ``offset`` (HL03, ST01)."""
        match = self.fields.match(self.data, offset)
        values = match.group().split(self.separator) if match else []
        return values[number] if len(values) > number else b""

    def cuts(self, targets: list[int]) -> list[Resume]:
        """The first place at or after each target where a part can start, and its context."""
        found: list[Resume] = []
        waiting = iter(targets)
        target = next(waiting, None)
        released = 0
        for match in self.markers.finditer(self.data):
            offset, level = match.start(1), match.group(2) or b""
            if offset - released > RELEASE_EVERY:
                _release(self.data, released, offset)
                released = offset
            name = match.group(1)[:3].rstrip(self.separator)
            if target is not None and offset >= target and self._can_cut(name, level):
                found.append(self._resume(offset))
                while target is not None and target <= offset:
                    target = next(waiting, None)
            self._follow(offset, name, level)
            if target is None:
                self.scanned = match.end()
                break
        return found

    def rest(self) -> int | None:
        """The transaction sets after the markers `cuts` took in; None where an ISA follows them.

        The rest is searched a chunk at a time, each from the last terminator of the one before
        (a segment found in the one before is not counted again), so a segment that straddles
        two chunks is found and the pages scanned are released.
        """
        pattern = re.compile(re.escape(self.terminator) + rb"\s*(ISA|ST)" + re.escape(self.separator))
        at, size, count = self.scanned, len(self.data), 0
        while at < size:
            chunk = self.data[at : at + CHUNK]
            last = chunk.rfind(self.terminator)
            step = last if last > 0 and at + len(chunk) < size else len(chunk)
            for match in pattern.finditer(chunk, 0, step):
                if match.group(1) == b"ISA":
                    return None
                count += 1
            _release(self.data, at, at + len(chunk))
            at += step
        return count

    def _can_cut(self, name: bytes, level: bytes) -> bool:
        if name == b"ST":
            return self.previous == b"SE"
        if self.st is None or self.header_end is None or self.child is None:
            return False
        if name == b"HL" and self.kind == b"837":
            return level == b"22" and self.level in (b"22", b"23")
        return name == b"CLP" and self.kind == b"835" and self.previous == b"CLP"

    def _follow(self, offset: int, name: bytes, level: bytes) -> None:
        """Take in the marker segment at ``offset``."""
        previous, self.previous = self.previous, name
        if previous == b"ISA":
            self.isa_end = offset
        elif previous == b"GS":
            self.gs_end = offset
        elif previous == b"ST":
            first = (b"HL", b"20") if self.kind == b"837" else (b"LX", b"")
            self.header_end = offset if (name, level) == first else None
        if name == b"ISA":
            self.interchanges += 1
        elif name == b"GS":
            self.gs = offset
        elif name == b"ST":
            self.transactions += 1
            self.st, self.kind, self.levels, self.level = offset, self.element(offset, 1), 0, b""
            self.parent = self.child = None
        elif name in (b"SE", b"GE", b"IEA"):
            self.st = None
        elif name == b"HL":
            self.levels += 1
            if level == b"20":
                self.parent, self.parent_number, self.child = offset, self.levels, None
            elif self.child is None:
                self.child = offset
            self.level = level
        elif self.kind != b"835":
            return
        elif name == b"LX":
            self.parent, self.child = offset, None
        elif name == b"CLP" and self.child is None:
            self.child = offset

    def _resume(self, cut: int) -> Resume:
        """The context of a part that starts at ``cut``, in the state before it."""
        spans: list[tuple[int, int, int | None]] = [(0, self.isa_end, None), (self.gs, self.gs_end, None)]
        levels: tuple[tuple[int, int], ...] = ()
        st = self.st if self.previous != b"SE" else None
        if st is not None:
            assert self.header_end is not None and self.parent is not None and self.child is not None
            spans += [(st, self.header_end, st), (self.parent, self.child, st)]
            if self.kind == b"837":
                levels = ((self.parent, self.parent_number),)
        counted = _Counter(self.data, self.terminator)
        context = tuple(Span(start, end, counted.lines(start), counted.position(of, start)) for start, end, of in spans)
        position = counted.position(st, cut)
        ended = self.transactions - (st is not None)
        return Resume(cut, counted.lines(cut), position, _merged(context), levels, self.levels if st else 0, ended)


def plan(path: Path, parts: int, minimum: int | None = None) -> list[Slice] | None:
    """The slices of ``path`` for ``parts`` processes, or None where the file is read in one.

    ``minimum``: the smallest file cut (default `MINIMUM_SIZE`).
    """
    size = path.stat().st_size
    if parts < 2 or size < max(MINIMUM_SIZE if minimum is None else minimum, 1):
        return None
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        walk = _start(data)
        if walk is None:
            return None
        resumes = walk.cuts([size * number // parts for number in range(1, parts)])
        if not resumes or walk.interchanges != 1:
            return None
        later = walk.rest()
        if later is None:
            return None
    stops = [r.offset for r in resumes]
    count, sets = len(resumes) + 1, walk.transactions + later
    return [Slice(None, stops[0], 0, count, sets)] + [
        Slice(resume, stops[n + 1] if n + 1 < len(stops) else None, n + 1, count, sets)
        for n, resume in enumerate(resumes)
    ]


def _start(data: mmap.mmap) -> _Walk | None:
    """A walk over a file that starts with an ISA, or None."""
    head = data[:4096]
    if not head.startswith(b"ISA") or not head.isascii():
        return None
    try:
        delimiters, _, _ = sniff_isa(head.decode("ascii"), 0)
    except ReadError:
        return None
    if delimiters.segment in "\r\n" or delimiters.element in "\r\n":
        return None
    walk = _Walk(data, delimiters.segment.encode(), delimiters.element.encode())
    walk.interchanges = 1
    return walk


def _release(data: mmap.mmap, start: int, end: int) -> None:
    """Unmap the pages of ``data`` from ``start`` to ``end`` once scanned: they stay in the page cache,
    but no longer count in this process's memory, which so stays flat whatever the size of the file."""
    start -= start % mmap.PAGESIZE
    if end > start:
        data.madvise(mmap.MADV_DONTNEED, start, end - start)


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
            _release(self.data, at, min(end, at + CHUNK))
        return total

    def lines(self, offset: int) -> int:
        return 1 + self._count(b"\n", 0, offset)

    def position(self, st: int | None, offset: int) -> int:
        """The position of the segment at ``offset`` in the transaction set at ``st`` (0 outside one)."""
        return 0 if st is None else 1 + self._count(self.terminator, st, offset)


class Part(io.RawIOBase):
    """A file from byte ``start`` on, after ``prefix`` (the context of a part, `Resume.context`)."""

    def __init__(self, path: Path, start: int, prefix: bytes = b"") -> None:
        self._file = path.open("rb")
        self._file.seek(start)
        self._prefix = prefix
        self.name = str(path)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix, b""
            return data
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()
        super().close()
