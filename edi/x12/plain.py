"""What the tokenizer would read from a plainly laid-out file, found from its bytes alone, many times faster.

A file is plain when it holds one interchange that starts the file, in ASCII, each segment
right after the terminator of the one before or on the next line, with no other white space
between segments, no empty segment and no segment near the tokenizer's length limit. Its
segments' text is then the bytes between terminators, line breaks left out. For any other
file, or one that cannot be read, these functions answer None and the caller reads it with
the tokenizer, which gives the same answer or the error that file deserves.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from edi.errors import ReadError
from edi.x12.tokenizer import MAX_SEGMENT, sniff_isa

BLOCK = 1 << 20
HEAD = 4096


class _Irregular(Exception):
    """The file is not laid out plainly: the tokenizer must read it."""


def segments_digest(path: Path, start: int = 0, end: int | None = None) -> str | None:
    """The SHA-256 of the text of the segments from byte ``start`` to ``end`` joined by ``~``; None if not plain.

    ``start`` is where a segment starts; ``end``, if given, just past a segment terminator.
    """
    digest = hashlib.sha256()
    joiner = b""
    try:
        for block, terminator, _ in _blocks(path, start, end):
            digest.update(joiner + block[:-1].replace(terminator, b"~"))
            joiner = b"~"
    except (_Irregular, OSError):
        return None
    return digest.hexdigest()


def transaction_kinds(path: Path) -> Counter[str] | None:
    """How many transaction sets of each ST01 the file holds; None if it is not plain."""
    found: Counter[str] = Counter()
    pattern: re.Pattern[bytes] | None = None
    try:
        for block, terminator, element in _blocks(path, 0, None):
            if pattern is None:
                term, elem = re.escape(terminator), re.escape(element)
                pattern = re.compile(rb"(?:\A|" + term + rb")ST" + elem + rb"([^" + term + elem + rb"]*)")
            found.update(kind.decode("ascii") for kind in pattern.findall(block))
    except (_Irregular, OSError):
        return None
    return found


def _separators(path: Path) -> tuple[bytes, bytes]:
    """The segment terminator and element separator of a file that starts with a plain ISA."""
    with path.open("rb") as stream:
        head = stream.read(HEAD)
    if not head.startswith(b"ISA") or not head.isascii():
        raise _Irregular
    try:
        delimiters, _, _ = sniff_isa(head.decode("ascii"), 0)
    except ReadError:
        raise _Irregular from None
    used = (delimiters.segment, delimiters.element, delimiters.component, delimiters.repetition or "")
    if any(c in " \t\r\n" for c in "".join(used)):
        raise _Irregular
    return delimiters.segment.encode(), delimiters.element.encode()


def _blocks(path: Path, start: int, end: int | None) -> Iterator[tuple[bytes, bytes, bytes]]:
    """Whole segments of the file from ``start`` to ``end``, each ended by its terminator, line breaks left out.

    Raises `_Irregular` (possibly after some blocks) where the file is not plain.
    """
    terminator, element = _separators(path)
    refused = (b"\r", b"\n ", b"\n\t", terminator + b" ", terminator + b"\t", terminator + terminator)
    with path.open("rb") as stream:
        stream.seek(start)
        left = end - start if end is not None else None
        carry = b""
        first = True
        while True:
            data = stream.read(BLOCK if left is None else min(BLOCK, left))
            if left is not None:
                left -= len(data)
            if not data:
                break
            text = carry + data
            cut = text.rfind(terminator) + 1
            head, carry = text[:cut], text[cut:]
            if len(carry) > MAX_SEGMENT // 4:
                raise _Irregular
            if not head:
                continue
            if not head.isascii() or any(r in head for r in refused) or head[:1] in (b" ", b"\t", terminator):
                raise _Irregular
            newlines = head.count(b"\n")
            if newlines and newlines != head.count(terminator + b"\n") + head.startswith(b"\n"):
                raise _Irregular
            block = head.replace(b"\n", b"") if newlines else head
            if terminator + b"ISA" in (block if first and not start else terminator + block):
                raise _Irregular  # another interchange: its delimiters may differ
            first = False
            yield block, terminator, element
    if carry.strip(b"\n"):
        raise _Irregular  # a last segment without its terminator
