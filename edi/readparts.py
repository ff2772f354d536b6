"""`edi read` of a large 837 or 835 by several processes at once: one part each, joined in order.

A file of one interchange is cut at claims, inside a transaction set or between two
(`edi.x12.cuts`); each part is read by its own process (`edi.parallel`) with the same
streaming readers as one read (`edi.claims.stream`, `edi.remit.stream`). 835 parts and
CSV rows join end to end. The claims JSON of an 837 nests each claim in its subscriber,
billing provider and transaction set, whose objects are written once they complete: a
part writes the transaction sets that end in it, with a mark where the earlier parts'
items of a level opened before it go, then the lists of the levels still open at its end;
the marks are filled in as the parts are joined. The notes about HL and SE numbers are
merged per transaction set as one read would count them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

from edi.claims.rows import csv_writer
from edi.claims.stream import Carry, Notes, first_notes, stream_claims
from edi.guides import CLAIM_KIND, REMITTANCE_KIND
from edi.output import BytesTo, copy_text
from edi.parallel import Done, Unusual, run_parts
from edi.remit.stream import CsvWriter, JsonWriter, stream_remittance
from edi.x12.cuts import Slice, plan
from edi.x12.reader import Reader

CHUNK = 1 << 20


def read_in_parts(
    path: Path, name: str, kind: str, out: TextIO, as_csv: bool, jobs: int, notes: Notes, minimum: int | None = None
) -> bool:
    """Write the claims (837) or remittance (835) of ``path`` as one streamed read does, in ``jobs`` parts.

    False, having written nothing, where the file is not cut (small, or several interchanges),
    holds a transaction set of another kind, or a part cannot be read alone: the caller then
    reads it in one process.
    """
    slices = plan(path, jobs, minimum) if jobs > 1 and kind in (REMITTANCE_KIND, CLAIM_KIND) else None
    if slices is None:
        return False
    work = _remit_part if kind == REMITTANCE_KIND else _claims_part
    done = run_parts(slices, lambda part, spool: work(path, name, as_csv, part, spool))
    if done is None:
        return False
    try:
        if kind == CLAIM_KIND and not as_csv:
            joined, sink = _Joined(done), BytesTo(out)
            for index, part in enumerate(done):
                joined.write(index, sink, 0, part.result.end)
            sink.close()
        else:
            for part in done:
                copy_text(part.output, out)
    finally:
        for part in done:
            part.output.close()
    if kind == CLAIM_KIND:
        _tell_notes([part.result for part in done], notes)
    return True


def _tell_notes(carries: list[Carry], notes: Notes) -> None:
    """Tell the notes of each transaction set, those of a set read in several parts merged."""
    begun: list[tuple[int, str]] = []
    count = 0
    for carry in carries:
        for number, found, more in carry.sets:
            notes(number, first_notes(begun + found), count + more)
            begun, count = [], 0
        begun += carry.notes
        count += carry.note_count


def _remit_part(path: Path, name: str, as_csv: bool, part: Slice, out: TextIO) -> None:
    """One part's remittance JSON or CSV; a later part's output is held back until its own first claim."""
    held = _Held(out, part.resume is None)
    writer = CsvWriter(cast(TextIO, held)) if as_csv else JsonWriter(cast(TextIO, held), name)

    def release() -> None:
        held.open = True
        writer.resume(part.starts_inside)

    if part.resume is not None and not part.starts_inside:  # it starts at a transaction set
        release()
    reader = Reader(name, units=True)
    stream_remittance(path, writer, name, part, release, reader)
    if set(reader.kinds) != {REMITTANCE_KIND}:
        raise Unusual("a transaction set that is not an 835")
    if part.stop is None and isinstance(writer, JsonWriter):
        writer.close()


def _claims_part(path: Path, name: str, as_csv: bool, part: Slice, out: TextIO) -> Carry | None:
    """One part's claims JSON (with marks and the open levels' lists) or CSV rows (the first part's header)."""
    if as_csv:
        on_claim = csv_writer(out, header=part.index == 0)
        return stream_claims(path, None, part.transactions, _no_notes, name, on_claim, part)
    return stream_claims(path, out, part.transactions, _no_notes, name, part=part)


def _no_notes(number: str, first: list[str], count: int) -> None:
    """A part returns its notes in its `Carry`; they are told once merged."""


class _Held:
    """A text stream that passes writes on once ``open``."""

    def __init__(self, out: TextIO, open: bool) -> None:
        self.out, self.open = out, open

    def write(self, text: str) -> int:
        return self.out.write(text) if self.open else len(text)


class _Joined:
    """The parts of an 837's claims JSON joined: each mark replaced by the earlier parts' items of its list."""

    def __init__(self, done: list[Done]) -> None:
        self.done = done
        self.lists: dict[tuple[int, str], list[tuple[int, int, int, bool]]] = {}
        for index, part in enumerate(done[:-1]):
            for offset, key, start, end, own in part.result.lists:
                self.lists.setdefault((offset, key), []).append((index, start, end, own))

    def write(self, index: int, out: BytesTo, start: int = 0, end: int | None = None) -> None:
        """Write part ``index``'s output from byte ``start`` to ``end``, its marks filled in."""
        buffer = b""
        for chunk in self._chunks(index, start, end):
            buffer += chunk
            while True:
                at = buffer.find(b"\x00")
                if at < 0:
                    out.write(buffer)
                    buffer = b""
                    break
                close = buffer.find(b"\x00", at + 1)
                if close < 0 or (close + 1 == len(buffer) and chunk):
                    out.write(buffer[:at])  # the mark, or what follows it, is in the next chunk
                    buffer = buffer[at:]
                    break
                out.write(buffer[:at])
                offset, key = buffer[at + 1 : close].decode("ascii").split(":", 1)
                buffer = buffer[close + 1 :]
                earlier = self._earlier(index, int(offset), key)
                if earlier is not None:
                    self.write(earlier[0], out, earlier[1], earlier[2])
                    if self._has_items(earlier, int(offset), key) and buffer[:1] not in (b"", b"]"):
                        out.write(b",")
        out.write(buffer)

    def _chunks(self, index: int, start: int, end: int | None) -> Iterator[bytes]:
        """The bytes of part ``index`` from ``start`` to ``end``, then an empty chunk."""
        raw: Any = self.done[index].output.buffer
        raw.seek(start)
        left = None if end is None else end - start
        while left is None or left > 0:
            data = raw.read(CHUNK if left is None else min(CHUNK, left))
            if not data:
                break
            if left is not None:
                left -= len(data)
            yield data
        yield b""

    def _earlier(self, index: int, offset: int, key: str) -> tuple[int, int, int, bool] | None:
        """The list of the latest part before ``index`` that handed on the list ``key`` of the level at ``offset``."""
        found = None
        for entry in self.lists.get((offset, key), []):
            if entry[0] < index:
                found = entry
        return found

    def _has_items(self, entry: tuple[int, int, int, bool], offset: int, key: str) -> bool:
        earlier = self._earlier(entry[0], offset, key)
        return entry[3] or (earlier is not None and self._has_items(earlier, offset, key))
