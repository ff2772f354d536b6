"""Cut a large file in two at a transaction set, so that two processes can validate it at once.

(`edi validate` uses this; `edi.x12.cuts` cuts at claims too, into one part per core, for
`parse` and `read`.)

A cut is only made where it is safe and cheap to resume: one interchange whose ISA opens
the file and whose first GS follows it, no other envelope segment before the cut, and
the cut at the start of an ST segment. The second part is read with the ISA and GS in
front of it, as context, and with its lines and byte offsets counted from the cut.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from edi.errors import ReadError
from edi.x12.cuts import MINIMUM_SIZE
from edi.x12.tokenizer import sniff_isa

CHUNK = 1 << 20
WINDOW = 1 << 16


@dataclass(frozen=True, slots=True)
class Cut:
    """Where the second part starts, and the envelope context it needs."""

    offset: int
    line: int
    context: bytes

    @property
    def context_lines(self) -> int:
        return self.context.count(b"\n")


def find_cut(path: Path, minimum: int = MINIMUM_SIZE) -> Cut | None:
    """A safe place near the middle of ``path`` to cut it, or None."""
    size = path.stat().st_size
    if size < minimum:
        return None
    with path.open("rb") as stream:
        head = stream.read(WINDOW)
        if not head.startswith(b"ISA") or not head.isascii():
            return None
        try:
            delimiters, isa_end, _ = sniff_isa(head.decode("ascii"), 0)
        except ReadError:
            return None
        if delimiters.segment in "\r\n":
            return None
        element = re.escape(delimiters.element.encode())
        terminator = re.escape(delimiters.segment.encode())
        gs = re.compile(rb"\s*GS" + element + rb"[^" + terminator + rb"]*" + terminator + rb"\s*")
        opened = gs.match(head, isa_end)
        if opened is None:
            return None
        context = head[: opened.end()]
        envelope = re.compile(terminator + rb"\s*(?:GS|GE|ISA|IEA|TA1)" + element)
        start = _transaction_near(stream, size // 2, terminator, element)
        if start is None or _any_between(stream, envelope, opened.end(), start):
            return None
        return Cut(start, 1 + _count(stream, b"\n", 0, start), context)


def _transaction_near(stream: BinaryIO, middle: int, terminator: bytes, element: bytes) -> int | None:
    stream.seek(middle)
    window = stream.read(WINDOW)
    found = re.search(terminator + rb"\s*(ST" + element + rb")", window)
    return middle + found.start(1) if found else None


def _any_between(stream: BinaryIO, pattern: re.Pattern[bytes], start: int, end: int) -> bool:
    position = start
    while position < end:
        stream.seek(max(start, position - 16))
        chunk = stream.read(min(CHUNK, end - position) + 16)
        if pattern.search(chunk):
            return True
        position += CHUNK
    return False


def _count(stream: BinaryIO, needle: bytes, start: int, end: int) -> int:
    stream.seek(start)
    total, remaining = 0, end - start
    while remaining > 0:
        chunk = stream.read(min(CHUNK, remaining))
        if not chunk:
            break
        total += chunk.count(needle)
        remaining -= len(chunk)
    return total


class Part(io.RawIOBase):
    """A byte range of a file, optionally preceded by context bytes."""

    def __init__(self, path: Path, start: int, end: int | None, prefix: bytes = b"") -> None:
        self._file = path.open("rb")
        self._file.seek(start)
        self._left = None if end is None else end - start
        self._prefix = prefix
        self.name = str(path)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix, b""
            return data
        if self._left is None:
            return self._file.read(size)
        want = self._left if size < 0 else min(size, self._left)
        data = self._file.read(want)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._file.close()
        super().close()
