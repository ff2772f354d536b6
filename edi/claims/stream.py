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
from pathlib import Path
from typing import IO, Any

from edi.claims import FORMAT
from edi.claims.maps import ROOT, UNIT_TRIGGERS, LoopKind, loop_kind, segment_key
from edi.claims.read import SPLICED, read_loop, transaction_claims
from edi.guides.registry import guide_by_id
from edi.jsontext import dumps
from edi.x12.document import Group, Interchange, LoopUnit, Transaction
from edi.x12.lalr import Detached, Loop, OpenLoop
from edi.x12.reader import Reader
from edi.x12.segment import Segment

SPOOL_IN_MEMORY = 4_000_000  # characters of a level's list kept in memory before it goes to disk
JOINED_AT = 65_536  # characters of small writes to a list in memory joined into one string
NOTES_KEPT = 5
Notes = Callable[[str, list[str], int], None]  # control number, first notes, how many in all
# A claim with the objects of the levels holding it: billing provider, subscriber, patient (or None).
OnClaim = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any] | None], None]


class _List:
    """The JSON items of one list of a level still open: its claims, its subscribers...

    The text is held as strings joined every `JOINED_AT` characters until it passes
    `SPOOL_IN_MEMORY` characters, then goes to a temporary file.
    """

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.parts: list[str] = []
        self.size = 0  # characters in chunks
        self.held = 0  # characters in parts
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


Sink = IO[str] | _List


def _write(obj: dict[str, Any], lists: dict[str, _List], out: Sink) -> None:
    """Write ``obj`` as JSON, each `SPLICED` value replaced by the items of its list."""
    if not any(value is SPLICED for value in obj.values()):
        out.write(dumps(obj))
        return
    out.write("{")
    for n, (key, value) in enumerate(obj.items()):
        out.write(("," if n else "") + dumps(key) + ":")
        if value is SPLICED:
            out.write("[")
            held = lists.pop(key, None)
            if held is not None:
                held.copy_to(out)
            out.write("]")
        else:
            out.write(dumps(value))
    out.write("}")


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


class _Transaction:
    """One 837 transaction set read by claim: the lists of its open levels and its HL numbering notes."""

    def __init__(self, guide: str, on_claim: OnClaim | None, json: bool) -> None:
        self.guide = guide
        self.json = json
        self.on_claim = on_claim
        self.context: dict[int, dict[str, Any]] = {}  # own objects of open levels, by trigger id
        self.lists: dict[int, dict[str, _List]] = {}  # by the id of an open loop's trigger segment
        self.levels: dict[int, tuple[str, str]] = {}  # open HL -> (its due HL01, its parent's)
        self.level_count = 0
        self.notes: list[tuple[int, str]] = []  # the first few, by HL01
        self.note_count = 0

    def unit(self, unit: LoopUnit) -> None:
        """Read a claim or a completed level into the list of the loop that holds it."""
        path = unit.path
        for depth, holder in enumerate(path):
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
        lists = self.lists.setdefault(id(parent), {})
        held = lists.get(key)
        if held is None:
            held = lists[key] = _List()
        _write(data, self.lists.pop(id(loop.trigger), {}), held.next_item())

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
        _write(document, self.lists.pop(id(transaction.root.trigger), {}), out)
        count = str(transaction.se.position)
        if transaction.se.get(1) != count:
            self._note(1 << 62, f"SE01 is {transaction.se.get(1)!r} but the transaction set has {count} segments")

    def _number(self, trigger: Segment, holders: list[OpenLoop]) -> None:
        """Give an HL its due HL01 and HL02 when first seen: levels open in file order."""
        if trigger.id != "HL" or id(trigger) in self.levels:
            return
        self.level_count += 1
        parent = next((self.levels[id(h.trigger)][0] for h in reversed(holders) if h.trigger.id == "HL"), "")
        self.levels[id(trigger)] = (str(self.level_count), parent)

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
        return [text for _, text in sorted(self.notes, reverse=True)]


def stream_claims(
    path: Path,
    out: IO[str] | None,
    transactions: int,
    notes: Notes,
    file: str | None = None,
    on_claim: OnClaim | None = None,
) -> None:
    """Write the claims JSON of an 837 file to ``out`` (unless None) one claim at a time.

    ``transactions`` is how many transaction sets the file holds (several make a ``batch``);
    ``notes`` receives, per transaction set, the first HL and SE numbers a build will correct;
    ``on_claim``, if given, each claim's object with the objects of the levels holding it.
    """
    reader = Reader(file or str(path), units=True)
    batch = transactions > 1
    if out is None:
        out = _Discard()
    elif batch:
        out.write(f'{{"format":{dumps(FORMAT)},"batch":[')
    interchange: Interchange | None = None
    group: Group | None = None
    current: _Transaction | None = None
    first = True
    with path.open("rb") as source:
        for event in reader.events(source):
            if event.kind == "interchange":
                interchange = event.value
            elif event.kind == "group":
                group = event.value
            elif event.kind == "unit":
                if current is None:
                    current = _Transaction(event.value.guide.id, on_claim, not isinstance(out, _Discard))
                current.unit(event.value)
            elif event.kind == "transaction":
                assert interchange is not None and group is not None
                transaction: Transaction = event.value
                document = transaction_claims(interchange, group, transaction)
                if batch:
                    del document["format"]
                    out.write("" if first else ",")
                first = False
                assert transaction.guide is not None  # transaction_claims refuses a set with no claims guide
                current = current or _Transaction(transaction.guide.id, on_claim, not isinstance(out, _Discard))
                current.finish(document, transaction, out)
                notes(transaction.control_number, current.first_notes(), current.note_count)
                current = None
    out.write("]}\n" if batch else "\n")


class _Discard(io.StringIO):
    """Where the JSON goes when only the claims are wanted: nowhere."""

    def write(self, text: str) -> int:
        return len(text)
