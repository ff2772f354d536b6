"""Bytes to segments: delimiters from each ISA, tolerant of what real files look like.

The tokenizer reads the file in chunks and yields one `Segment` at a time, so memory
stays bounded by the chunk size whatever the size of the file. It accepts a UTF-8 BOM,
UTF-16 text, line breaks or indentation between segments, a line break used as the
terminator, several interchanges (each with its own delimiters), an ISA that is not
padded to 106 characters, and a bare ST..SE with no envelope.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Generator, Iterator
from typing import Protocol

from edi.errors import Location, ReadError
from edi.x12.segment import Delimiters, Segment

CHUNK = 1 << 20
MAX_SEGMENT = 1 << 20  # characters: far above any real segment; a longer one means a missing terminator
WHITESPACE = " \t\r\n"
ISA_ELEMENTS = 16
ISA_LENGTH = 106

WarningSink = Callable[[str, Location], None]


class ByteSource(Protocol):
    """Anything with a binary ``read``: an open file, a `BytesIO`, a part of a file."""

    def read(self, size: int = -1, /) -> bytes: ...


def _ignore(message: str, location: Location) -> None:
    """Default warning sink: drop the warning."""


def sniff_isa(text: str, start: int, file: str = "") -> tuple[Delimiters, int, str | None]:
    """Read the delimiters of the ISA at ``text[start:]``.

    Returns the delimiters, the index just past the ISA's terminator, and a warning when
    the ISA is not the fixed 106 characters (it is then read by its separators).
    """
    where = Location(file=file, offset=start, segment=preview(text[start : start + 106]))
    if len(text) < start + 4:
        raise ReadError("file ends inside the ISA segment", where, "a complete 106-character ISA")
    element = text[start + 3]
    index = start + 3
    for _ in range(ISA_ELEMENTS - 1):
        index = text.find(element, index + 1)
        if index < 0:
            raise ReadError(
                f"the ISA has fewer than 16 elements separated by {element!r}",
                where,
                "ISA01 to ISA16 separated by the character after 'ISA'",
            )
    if len(text) < index + 3:
        raise ReadError("file ends inside the ISA segment", where, "ISA16 followed by the segment terminator")
    component, terminator = text[index + 1], text[index + 2]
    if terminator == "\r" and text[index + 3 : index + 4] == "\n":
        terminator = "\r"
    fields = text[start : index + 1].split(element)
    repetition: str | None = fields[11] if len(fields) > 12 else None
    if not fields[12:13] or fields[12] < "00501" or (repetition and repetition.isalnum()):
        repetition = None
    if repetition == component:
        repetition = None
    after = text[index + 3 : index + 5]
    suffix = "\r\n" if after.startswith("\r\n") else ("\n" if after[:1] == "\n" else "")
    if terminator in "\r\n":
        suffix = ""
    delimiters = Delimiters(element, component, repetition, terminator, suffix)
    problem = delimiters.check()
    if problem:
        raise ReadError(f"cannot use the delimiters of this ISA: {problem}", where, "four distinct separators")
    length = index + 3 - start
    warning = None
    if length != ISA_LENGTH:
        warning = f"the ISA is {length} characters, not {ISA_LENGTH}; it was read by its separators"
    return delimiters, index + 3, warning


def _decode_start(head: bytes) -> tuple[str, int]:
    """The codec of a file and how many bytes of byte-order mark to skip."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", 0
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le", 0
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be", 0
    return "utf-8", 0


def iter_text(stream: ByteSource, file: str = "") -> Iterator[str]:
    """Decode a byte stream in chunks; undecodable UTF-8 bytes survive as surrogate escapes.

    A read error of the system or UTF-16 text that cannot be decoded (an odd number of bytes)
    is a `ReadError` naming the file and the byte offset.
    """
    read = _reader(stream, file)
    head = read()
    codec, skip = _decode_start(head)
    decoder = codecs.getincrementaldecoder(codec)(errors="surrogateescape" if codec == "utf-8" else "strict")
    chunk, offset = head[skip:], skip
    while True:
        final = not chunk
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            where = Location(file=file, offset=offset + exc.start)
            raise ReadError(f"the file is not valid {codec} text: {exc.reason}", where, f"{codec} text") from exc
        if text:
            yield text
        if final:
            return
        offset += len(chunk)
        chunk = read()


def _reader(stream: ByteSource, file: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            return stream.read(CHUNK)
        except OSError as exc:
            raise ReadError(f"cannot read the file: {exc.strerror or exc}", Location(file=file)) from exc

    return read


class Tokenizer:
    """Split a stream of text into segments, re-reading the delimiters at every ISA."""

    def __init__(self, file: str = "", warn: WarningSink = _ignore, line: int = 1, offset: int = 0) -> None:
        self.file = file
        self.warn = warn
        self.delimiters: Delimiters | None = None
        self.line = line
        self.offset = offset
        self.count = 0

    def segments(self, chunks: Iterator[str]) -> Iterator[Segment]:
        """Yield every segment of the text, in order."""
        buffer = ""
        for chunk in chunks:
            buffer += chunk
            if self.delimiters is None:
                if not self._start(buffer):
                    continue
                buffer = self._skip_preamble(buffer)
            buffer = yield from self._split(buffer, final=False)
            if len(buffer) > MAX_SEGMENT:
                raise self._too_long(buffer)
        if self.delimiters is None:
            if not buffer.strip():
                raise ReadError("the file is empty", Location(file=self.file))
            self._start(buffer, final=True)
            buffer = self._skip_preamble(buffer)
        yield from self._split(buffer, final=True)
        if self.count == 0:
            raise ReadError("the file holds no X12 segments", Location(file=self.file), "an ISA or ST segment")

    def _too_long(self, buffer: str) -> ReadError:
        start = buffer[: len(buffer) - len(buffer.lstrip(WHITESPACE))]
        terminator = self.delimiters.segment if self.delimiters else "~"
        return ReadError(
            f"a segment runs on for more than {MAX_SEGMENT:,} characters with no segment terminator {terminator!r}",
            Location(
                file=self.file,
                line=self.line + start.count("\n"),
                offset=self.offset + len(start),
                segment=preview(buffer.lstrip(WHITESPACE)),
            ),
            f"segments ended by {terminator!r}, each far shorter than {MAX_SEGMENT:,} characters",
        )

    # The first ISA (or a bare ST) sets the delimiters.
    def _start(self, buffer: str, final: bool = False) -> bool:
        at = _find_isa(buffer)
        if at >= 0:
            if len(buffer) - at < 200 and not final:
                return False
            self.delimiters, _, warning = sniff_isa(buffer, at, self.file)
            if warning:
                self.warn(warning, Location(file=self.file, line=self.line + buffer.count("\n", 0, at), offset=at))
            self._check_terminator(buffer, at)
            return True
        if len(buffer) < 4096 and not final:
            return False
        bare = _find_bare_st(buffer)
        if bare < 0:
            raise ReadError(
                "no ISA segment: this is not an X12 interchange",
                Location(file=self.file, line=1, segment=preview(buffer.lstrip())),
                "a file that starts with ISA (or a bare ST..SE transaction set)",
            )
        if re.search(r"(?m)^\s*GS[^A-Za-z0-9\s]", buffer[:bare]):
            raise ReadError(
                "no ISA segment: the file starts with a GS functional group",
                Location(file=self.file, line=1, segment=preview(buffer.lstrip())),
                "an ISA interchange header before the GS",
            )
        element = buffer[bare + 2]
        terminator = "~" if "~" in buffer else "\n"
        component = ">" if re.search(r"\b[A-Z]{2}>[A-Z0-9]", buffer) and ":" not in buffer else ":"
        self.delimiters = Delimiters(element, component, "^", terminator, "\n" if "~\n" in buffer else "")
        self.warn(
            "no ISA envelope: delimiters were guessed from the ST segment",
            Location(file=self.file, line=1 + buffer.count("\n", 0, bare)),
        )
        return True

    def _check_terminator(self, buffer: str, at: int) -> None:
        assert self.delimiters is not None
        if self.delimiters.segment not in "\r\n":
            return
        following = buffer[at:].splitlines()[1:3]
        if following and all(line.rstrip().endswith("~") for line in following if line.strip()):
            raise ReadError(
                "the character after ISA16 is a line break, but the segments end with '~'",
                Location(file=self.file, line=1, segment=preview(buffer[at:], 120)),
                "the segment terminator right after ISA16",
            )

    def _skip_preamble(self, buffer: str) -> str:
        at = _find_isa(buffer)
        if at < 0:
            at = _find_bare_st(buffer)
        skipped = buffer[:at]
        if skipped.strip():
            self.warn(
                f"{len(skipped.strip())} characters before the first segment are not X12 and were skipped",
                Location(file=self.file, line=1, segment=preview(skipped.strip())),
            )
        self.line += skipped.count("\n")
        self.offset += len(skipped.encode("utf-8", "surrogateescape"))
        return buffer[at:]

    def _split(self, buffer: str, final: bool) -> Generator[Segment, None, str]:
        """Yield the complete segments of ``buffer``; return what is left over."""
        while True:
            delimiters = self.delimiters
            assert delimiters is not None
            terminator = delimiters.segment
            ascii_text = buffer.isascii()
            # The common layout, one segment per line right after its terminator, is split on
            # terminator + line break; anything else is split on the terminator alone.
            by_line = (
                ascii_text
                and terminator not in WHITESPACE
                and buffer.count(terminator) == buffer.count(terminator + "\n")
            )
            separator = terminator + "\n" if by_line else terminator
            plain = by_line and _lines_plain(buffer, terminator)
            parts = buffer.split(separator)
            rest = parts.pop()
            element, term_length = delimiters.element, len(terminator) + by_line
            switched = False
            if plain:  # each part a line of its own: counted in locals, stored at an IEA and at the end
                line, offset = self.line, self.offset
                self.count += len(parts)
                for i, part in enumerate(parts):
                    fields = part.split(element)
                    seg_id = fields[0]
                    yield Segment(seg_id, fields[1:], delimiters, 0, line, offset)
                    line += 1
                    offset += len(part) + term_length
                    if seg_id == "IEA":
                        self.line, self.offset = line, offset
                        remainder = separator.join([*parts[i + 1 :], rest])
                        if self._next_interchange(remainder):
                            self.count -= len(parts) - i - 1  # read again from the remainder
                            buffer, switched = remainder, True
                            break
                self.line, self.offset = line, offset
                if switched:
                    continue
                break
            for i, part in enumerate(parts):
                if by_line and part[:1] not in WHITESPACE and "\n" not in part and "\r" not in part:
                    start = self.offset
                    self.offset += len(part) + term_length
                    fields = part.split(element)
                    self.count += 1
                    segment = Segment(fields[0], fields[1:], delimiters, 0, self.line, start)
                    self.line += 1
                else:
                    found = self._segment(part, delimiters, ascii_text)
                    if by_line:  # the line break after the terminator was taken by the split
                        self.offset += 1
                        self.line += 1
                    if found is None:
                        continue
                    segment = found
                yield segment
                if segment.id == "IEA":
                    remainder = separator.join([*parts[i + 1 :], rest])
                    if self._next_interchange(remainder):
                        buffer = remainder
                        switched = True
                        break
            if not switched:
                break
        if final and rest.strip():
            last = self._segment(rest, delimiters, rest.isascii())
            if last is not None:
                self.warn("the last segment has no terminator", Location(file=self.file, line=last.line))
                yield last
            return ""
        return rest

    def _next_interchange(self, remainder: str) -> bool:
        """After an IEA: re-read the delimiters if the next ISA declares other ones."""
        at = _find_isa(remainder)
        if at < 0 or remainder[:at].strip():
            return False
        try:
            delimiters, _, warning = sniff_isa(remainder, at, self.file)
        except ReadError:
            return False
        if warning:
            self.warn(warning, Location(file=self.file, line=self.line))
        if delimiters.separators() == self.delimiters.separators():  # type: ignore[union-attr]
            return False
        self.delimiters = delimiters
        return True

    def _segment(self, part: str, delimiters: Delimiters, ascii_text: bool) -> Segment | None:
        text = part.lstrip(WHITESPACE)
        start = self.offset + len(part) - len(text)
        self.offset += (
            len(part) + len(delimiters.segment)
            if ascii_text
            else len((part + delimiters.segment).encode("utf-8", "surrogateescape"))
        )
        line = self.line + part.count("\n", 0, len(part) - len(text))
        self.line = line + text.count("\n") + (delimiters.segment == "\n")
        if "\n" in text or "\r" in text:
            text = _without_line_breaks(text, delimiters)
        if not text:
            return None
        fields = text.split(delimiters.element)
        self.count += 1
        return Segment(fields[0], fields[1:], delimiters, 0, line, start)


def _lines_plain(buffer: str, terminator: str) -> bool:
    """Whether each segment of ``buffer`` is a line of its own: none empty, indented or holding a line break."""
    return (
        "\r" not in buffer
        and buffer.count("\n") == buffer.count(terminator + "\n")
        and buffer[:1] not in (*WHITESPACE, terminator, "")
        and not any(terminator + "\n" + c in buffer for c in (" ", "\t", terminator))
    )


def _without_line_breaks(text: str, delimiters: Delimiters) -> str:
    """``text`` without the line breaks that lay out the file; one that is a separator (ISA16 = LF) stays."""
    for brk in "\r\n":
        if brk not in (delimiters.component, delimiters.repetition):
            text = text.replace(brk, "")
    return text


def preview(text: str, limit: int = 60) -> str:
    """The start of ``text``'s first line, printable: other bytes are shown as escapes (\\xf1)."""
    first = text.splitlines()[0] if text.strip() else ""
    shown = first[:limit].encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in shown)


def _find_isa(text: str) -> int:
    match = re.search(r"ISA[^A-Za-z0-9\s]", text)
    return match.start() if match else -1


def _find_bare_st(text: str) -> int:
    match = re.search(r"(?m)^\s*ST([^A-Za-z0-9\s])(?:835|837|999|277|270|271|997)\1", text)
    return match.start() + len(match.group()) - len(match.group().lstrip()) if match else -1
