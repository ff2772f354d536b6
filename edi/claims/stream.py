"""An 837 read one claim at a time into claims JSON (the same value as `read_claims`).

The reader hands out each claim (2300) and each level that holds claims (2000A/B/C) as
soon as it is complete. A claim is read into its object at once and its JSON written to
its level's list: a spool that stays in memory while small and goes to a temporary file
past a few megabytes. When a level completes, its own object is written with its lists
spliced in where `read_claims` puts them. Memory holds one claim and the objects of the
levels still open, whatever the size of the transaction set.
"""

from __future__ import annotations

import heapq
import io
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from edi.claims import FORMAT
from edi.claims.maps import ROOT, UNIT_TRIGGERS, LoopKind, loop_kind, segment_key
from edi.claims.read import SPLICED, claims_guide, read_loop, transaction_claims
from edi.guides.registry import guide_by_id
from edi.jsontext import dumps, members
from edi.x12.cuts import Resume, Slice
from edi.x12.document import Group, Interchange, LoopUnit, Transaction
from edi.x12.lalr import Detached, Loop, OpenLoop
from edi.x12.reader import Reader
from edi.x12.segment import Segment

SPOOL_IN_MEMORY = 4_000_000  # characters of a level's list kept in memory before it goes to disk
JOINED_AT = 65_536  # characters of small writes to a list in memory joined into one string
NOTES_KEPT = 5
BATCH = f'{{"format":{dumps(FORMAT)},"batch":['
Notes = Callable[[str, list[str], int], None]  # control number, first notes, how many in all
# A claim with the objects of the levels holding it: billing provider, subscriber, patient (or None).
OnClaim = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any] | None], None]


class _List:
    """The JSON items of one list of a level still open: its claims, its subscribers...

    The text is held as strings joined every `JOINED_AT` characters until it passes
    `SPOOL_IN_MEMORY` characters, then goes to a temporary file. In a part of a file
    (`edi.x12.cuts`), the list of a level that opened before the part starts with a ``hole``:
    a mark where the items of the earlier parts go when they are joined.
    """

    def __init__(self, hole: str = "") -> None:
        self.chunks: list[str] = []
        self.parts: list[str] = [hole] if hole else []
        self.size = 0  # characters in chunks
        self.held = len(hole)  # characters in parts
        self.file: IO[str] | None = None  # closed by copy_to, when the level that holds the list is written
        self.empty = True

    def write(self, text: str) -> int:
        if self.file is not None:
            return self.file.write(text)
        self.parts.append(text)
        self.held += len(text)
        if self.held >= JOINED_AT:
            self.chunks.append("".join(self.parts))
            self.parts.clear()
            self.size, self.held = self.size + self.held, 0
            if self.size > SPOOL_IN_MEMORY:
                self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
                self.file.writelines(self.chunks)
                self.chunks.clear()
        return len(text)

    def next_item(self) -> _List:
        """Where the next item's JSON goes (after a comma when it is not the first)."""
        if not self.empty:
            self.write(",")
        self.empty = False
        return self

    def copy_to(self, out: Sink) -> None:
        if self.file is None:
            for chunk in self.chunks:
                out.write(chunk)
            out.write("".join(self.parts))
            return
        self.file.seek(0)
        shutil.copyfileobj(self.file, out)
        self.file.close()

    def close(self) -> None:
        """Drop the list's temporary file, if it has one."""
        if self.file is not None:
            self.file.close()


Sink = IO[str] | _List


def hole(offset: int, key: str) -> str:
    """The mark of the earlier parts' items of the list ``key`` of the level whose HL (or ST) is at ``offset``.

    JSON text never holds a NUL character (strings escape it), so the mark cannot be data.
    """
    return f"\x00{offset}:{key}\x00"


def _write(obj: dict[str, Any], lists: dict[str, _List], out: Sink, resumed: int | None = None) -> None:
    """Write ``obj`` as JSON, each `SPLICED` value replaced by the items of its list.

    ``resumed``: the offset of the trigger of a level that opened before this part of the
    file, whose lists start with the earlier parts' items even where this part added none.
    """
    if SPLICED not in obj.values():  # no value equals SPLICED but itself
        out.write(dumps(obj))
        return
    out.write("{")
    run: dict[str, Any] = {}  # the keys before the next spliced list, written at once
    comma = ""
    for key, value in obj.items():
        if value is not SPLICED:
            run[key] = value
            continue
        if run:
            out.write(comma + members(run))
            comma, run = ",", {}
        out.write(comma + dumps(key) + ":[")
        comma = ","
        held = lists.pop(key, None)
        if held is not None:
            held.copy_to(out)
        elif resumed is not None:
            out.write(hole(resumed, key))
        out.write("]")
    out.write((comma + members(run) if run else "") + "}")


def _kind(trigger: Segment, guide: str) -> LoopKind:
    if trigger.id == "ST":
        return ROOT
    kind = loop_kind(segment_key(trigger), guide)
    assert kind is not None  # units are claims and HL levels, which always have a kind
    return kind


def _is_level(item: Segment | Loop) -> bool:
    if type(item) is Detached:
        return item.level
    return isinstance(item, Loop) and item.trigger.id == "HL"


class ClaimSet:
    """One 837 transaction set read by claim: the lists of its open levels and its HL numbering notes."""

    def __init__(self, guide: str, on_claim: OnClaim | None, json: bool, resume: Resume | None = None) -> None:
        self.guide = guide
        self.json = json
        self.on_claim = on_claim
        self.context: dict[int, dict[str, Any]] = {}  # own objects of open levels, by trigger id
        self.lists: dict[int, dict[str, _List]] = {}  # by the byte offset of an open loop's trigger segment
        self.levels: dict[int, tuple[str, str]] = {}  # open HL -> (its due HL01, its parent's)
        # A part of a file: where it starts, and the due numbers of the levels open there.
        self.resumed_at = resume.offset if resume else -1
        self.numbered = dict(resume.levels) if resume else {}
        self.level_count = resume.level_count if resume else 0
        self.notes: list[tuple[int, str]] = []  # the first few, by HL01
        self.note_count = 0

    def unit(self, unit: LoopUnit) -> None:
        """Read a claim or a completed level into the list of the loop that holds it."""
        path, numbered = unit.path, self.levels
        for depth, holder in enumerate(path):
            if id(holder.trigger) not in numbered:  # most were numbered at an earlier unit
                self._number(holder.trigger, path[:depth])
        loop, parent = unit.loop, path[-1].trigger
        self._number(loop.trigger, path)
        data = read_loop(loop, _kind(loop.trigger, self.guide), self.guide)
        if self.json:
            self._add(data, loop, parent)
        if loop.trigger.id == "HL":
            self.context.pop(id(loop.trigger), None)
            self._check_level(loop)
        elif self.on_claim is not None:
            levels = [self._level(h) for h in path if h.trigger.id == "HL"]
            if len(levels) >= 2:
                self.on_claim(data, levels[0], levels[1], levels[2] if len(levels) > 2 else None)

    def _add(self, data: dict[str, Any], loop: Loop, parent: Segment) -> None:
        """Write a unit's JSON, its own lists spliced in, into its list in the loop that holds it."""
        key = _kind(parent, self.guide).children[UNIT_TRIGGERS[loop.id]].key
        lists = self.lists.setdefault(parent.offset, {})
        held = lists.get(key)
        if held is None:
            held = lists[key] = _List(hole(parent.offset, key) if self._resumed(parent) else "")
        trigger = loop.trigger
        _write(data, self.lists.pop(trigger.offset, {}), held.next_item(), self._resumed(trigger))

    def _resumed(self, trigger: Segment) -> int | None:
        """The trigger's offset where it opened a level before this part of the file, else None."""
        return trigger.offset if trigger.offset < self.resumed_at else None

    def _level(self, holder: OpenLoop) -> dict[str, Any]:
        """The own object of an open level (read once, at its first claim: its segments precede its claims)."""
        found = self.context.get(id(holder.trigger))
        if found is None:
            loop_id = guide_by_id(self.guide).trigger_loop(holder.trigger)
            loop = Loop(loop_id, [holder.trigger, *holder.items])
            found = self.context[id(holder.trigger)] = read_loop(loop, _kind(holder.trigger, self.guide), self.guide)
        return found

    def finish(self, document: dict[str, Any], transaction: Transaction, out: IO[str]) -> None:
        """Write the transaction set's claims JSON with its levels spliced in."""
        st = transaction.root.trigger
        _write(document, self.lists.pop(st.offset, {}), out, self._resumed(st))
        count = str(transaction.se.position)
        if transaction.se.get(1) != count:
            self._note(1 << 62, f"SE01 is {transaction.se.get(1)!r} but the transaction set has {count} segments")

    def _number(self, trigger: Segment, holders: list[OpenLoop]) -> None:
        """Give an HL its due HL01 and HL02 when first seen: levels open in file order."""
        if trigger.id != "HL" or id(trigger) in self.levels:
            return
        number = self.numbered.get(trigger.offset)
        if number is None:
            self.level_count += 1
            number = self.level_count
        parent = next((self.levels[id(h.trigger)][0] for h in reversed(holders) if h.trigger.id == "HL"), "")
        self.levels[id(trigger)] = (str(number), parent)

    def _check_level(self, loop: Loop) -> None:
        """Note an HL whose numbers a build will correct, as `renumbered` does for a whole read."""
        trigger = loop.trigger
        number, parent = self.levels.pop(id(trigger))
        child = "1" if any(_is_level(item) for item in loop.items) else "0"
        expected = [number, parent, trigger.get(3), child]
        if trigger.elements != expected:
            self._note(
                int(number), f"segment {trigger.position} {trigger.text()!r} is built as HL*{'*'.join(expected)}"
            )

    def _note(self, order: int, text: str) -> None:
        self.note_count += 1
        heapq.heappush(self.notes, (-order, text))
        if len(self.notes) > NOTES_KEPT:
            heapq.heappop(self.notes)

    def first_notes(self) -> list[str]:
        return first_notes(self.notes)

    def carry(self, out: IO[str], sets: list[SetNotes]) -> Carry:
        """What a part of a file hands on: the lists of the levels still open (written to ``out``) and the notes."""
        end = out.tell()  # a byte offset: the part's output is UTF-8, whose encoder keeps no state
        lists = []
        for offset, held in self.lists.items():
            for key, items in held.items():
                start = out.tell()
                items.copy_to(out)
                lists.append((offset, key, start, out.tell(), not items.empty))
        return Carry(sets, end, lists, self.notes, self.note_count)


# A transaction set's control number, its first HL and SE notes (by order) and how many it had in all.
SetNotes = tuple[str, list[tuple[int, str]], int]


@dataclass(slots=True)
class Carry:
    """What a part of an 837 hands on to be joined with the others (`edi.readparts`).

    ``sets``: the notes of each transaction set that ends in the part (the first may have
    begun in earlier parts, whose notes of it it lacks); ``end``: where their JSON ends in
    the part's output; ``lists``: each list of a level open at its end, as (its level's
    trigger offset, key, where its text starts and ends in the part's output, whether it
    has items of its own); ``notes``, ``note_count``: the notes of the set open at its end.
    """

    sets: list[SetNotes]
    end: int
    lists: list[tuple[int, str, int, int, bool]]
    notes: list[tuple[int, str]]
    note_count: int


def first_notes(notes: list[tuple[int, str]]) -> list[str]:
    """The texts of the first `NOTES_KEPT` notes, in order (a note is its negated order and text)."""
    return [text for _, text in sorted(notes, reverse=True)[:NOTES_KEPT]]


def stream_claims(
    path: Path,
    out: IO[str] | None,
    transactions: int | None,
    notes: Notes,
    file: str | None = None,
    on_claim: OnClaim | None = None,
    part: Slice | None = None,
    reader: Reader | None = None,
) -> Carry | None:
    """Write the claims JSON of an 837 file to ``out`` (unless None) one claim at a time.

    ``transactions`` is how many transaction sets the file holds (several make a ``batch``);
    None: not known, so the first set is written once the next one starts or the file ends.
    ``notes`` receives, per transaction set, the first HL and SE numbers a build will correct;
    ``on_claim``, if given, each claim's object with the objects of the levels holding it.
    ``part``: read that part of the file (`edi.x12.cuts`; ``transactions`` then counts the
    whole file's): its claims are written, and what is to be joined with the other parts is
    returned instead of the notes.
    ``reader``: a `Reader(units=True)` to read with (to learn what it read).
    """
    reader = reader or Reader(file or str(path), units=True)
    batch = transactions is not None and transactions > 1
    sink: IO[str] = _Discard() if out is None else out
    if batch and (part is None or part.resume is None):
        sink.write(BATCH)
    json = out is not None
    # A part that starts inside a transaction set reads its context first: that set's levels open before it.
    resume = part.resume if part and part.starts_inside else None
    interchange: Interchange | None = None
    group: Group | None = None
    current: ClaimSet | None = None
    held: tuple[ClaimSet, dict[str, Any], Transaction] | None = None  # the first set, until the next starts
    first = part is None or part.first_set_ends
    ended: list[SetNotes] = []  # in a part, the notes of each set that ends in it

    def write(done: ClaimSet, document: dict[str, Any], transaction: Transaction) -> None:
        nonlocal first, resume
        if batch:
            del document["format"]
            sink.write("" if first else ",")
        first, resume = False, None
        done.finish(document, transaction, sink)
        if part is None:
            notes(transaction.control_number, done.first_notes(), done.note_count)
        else:
            ended.append((transaction.control_number, done.notes, done.note_count))

    with path.open("rb") as source, _Lists(lambda: [current, held[0] if held else None]):
        for event in reader.slice_events(path, part) if part else reader.events(source):
            if event.kind == "interchange":
                interchange = event.value
            elif event.kind == "group":
                group = event.value
            elif event.kind == "unit":
                if current is None:
                    unit: LoopUnit = event.value
                    claims_guide(unit.guide, unit.path[0].trigger, unit.version, file or "")
                    current = ClaimSet(unit.guide.id, on_claim, json, resume)
                current.unit(event.value)
            elif event.kind == "transaction":
                assert interchange is not None and group is not None
                transaction: Transaction = event.value
                document = transaction_claims(interchange, group, transaction)
                assert transaction.guide is not None  # transaction_claims refuses a set with no claims guide
                current = current or ClaimSet(transaction.guide.id, on_claim, json, resume)
                if transactions is None and first and held is None:
                    held, current = (current, document, transaction), None
                    continue
                if held is not None:
                    batch = True
                    sink.write(BATCH)
                    write(*held)
                    held = None
                write(current, document, transaction)
                current = None
    if part is not None and part.stop is not None and current is not None:  # the part stops at a claim
        return current.carry(sink, ended)
    if part is None or part.stop is None:
        if held is not None:
            write(*held)
        sink.write("]}\n" if batch else "\n")
    return None if part is None else Carry(ended, sink.tell(), [], [], 0)


class _Lists:
    """Close the spooled lists of the transaction set being read when the read stops on an error."""

    def __init__(self, current: Callable[[], list[ClaimSet | None]]) -> None:
        self.current = current

    def __enter__(self) -> None:
        pass

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            return
        for transaction in self.current():
            for lists in transaction.lists.values() if transaction else ():
                for items in lists.values():
                    items.close()


class _Discard(io.StringIO):
    """Where the JSON goes when only the claims are wanted: nowhere."""

    def write(self, text: str) -> int:
        return len(text)
