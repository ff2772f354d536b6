"""Follow the units a streaming reader hands out (`Reader(units=True)`) in file order.

A unit is a claim, or a level that holds claims, handed out as soon as it is complete
with the loops still open around it. `UnitWalk` turns those units back into the order
of the file: which loops open, which items arrive in each, which loops close. Writers
take that order (the structural JSON, the segment stream) without ever holding a whole
transaction set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from edi.x12.document import LoopUnit, Transaction
from edi.x12.lalr import Detached, Loop
from edi.x12.segment import Segment


class Visitor(Protocol):
    """What a walk tells its writer, in file order."""

    def open(self, loop_id: str, trigger: Segment, depth: int) -> None:
        """A loop opens at ``depth`` (the ST is depth 0) with its trigger segment."""

    def item(self, item: Segment | Loop, depth: int) -> None:
        """A segment, or a whole loop, of the open loop at ``depth``."""

    def close(self, depth: int) -> None:
        """The open loop at ``depth`` is complete."""


@dataclass(slots=True)
class _Open:
    trigger: Segment
    count: int = 0  # items after the trigger already passed on


class UnitWalk:
    """One transaction set's units, passed on to a `Visitor` in file order."""

    def __init__(self, visitor: Visitor, resumed_at: int = -1) -> None:
        self.visitor = visitor
        self.open: list[_Open] = []
        self.resumed_at = resumed_at  # the byte offset a part of a file starts at (`edi.x12.cuts`)

    @property
    def started(self) -> bool:
        """Whether a unit of the transaction set has been passed on."""
        return bool(self.open)

    def resumes(self, unit: LoopUnit) -> bool:
        """Whether ``unit`` goes on with a transaction set an earlier part of the file began.

        If so, the loops holding it that open before the part's start were written by that
        part, with all their items so far: they are taken as open and passed on.
        """
        if self.open or unit.path[0].trigger.offset >= self.resumed_at:
            return False
        for holder in unit.path:
            if holder.trigger.offset >= self.resumed_at:
                break
            self.open.append(_Open(holder.trigger, len(holder.items)))
        return True

    def unit(self, unit: LoopUnit) -> None:
        """Pass on a unit, after whatever of the loops holding it was not passed on yet."""
        visitor = self.visitor
        for depth, holder in enumerate(unit.path):
            if depth < len(self.open) and self.open[depth].trigger is holder.trigger:
                if len(holder.items) != self.open[depth].count:  # most hold no new item since the last unit
                    self._flush(depth, holder.items)
                continue
            del self.open[depth:]  # loops that closed since were closed by their own unit
            loop_id = "ST" if depth == 0 else unit.guide.trigger_loop(holder.trigger)
            visitor.open(loop_id, holder.trigger, depth)
            self.open.append(_Open(holder.trigger))
            self._flush(depth, holder.items)
        loop, depth = unit.loop, len(unit.path)
        if depth < len(self.open) and self.open[depth].trigger is loop.trigger:
            self._flush(depth, loop.items[1:])
            visitor.close(depth)
            del self.open[depth:]
        else:
            visitor.item(loop, depth - 1)

    def end(self, transaction: Transaction) -> None:
        """Pass on the rest of a transaction set whose units were passed on, and close it."""
        self._flush(0, transaction.root.items[1:])
        self.visitor.close(0)
        self.open = []

    def _flush(self, depth: int, items: list[Segment | Loop]) -> None:
        opened = self.open[depth]
        for item in items[opened.count :]:
            if type(item) is not Detached:
                self.visitor.item(item, depth)
        opened.count = len(items)


class SegmentOrder:
    """A `Visitor` that collects the segments passed on, in file order, for the caller to take."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []

    def open(self, loop_id: str, trigger: Segment, depth: int) -> None:
        self.segments.append(trigger)

    def item(self, item: Segment | Loop, depth: int) -> None:
        if type(item) is Segment:
            self.segments.append(item)
        else:
            assert isinstance(item, Loop)
            self.segments.extend(segment for segment, _ in item.walk())

    def close(self, depth: int) -> None:
        pass

    def take(self) -> Iterator[Segment]:
        """The segments collected since the last call."""
        taken, self.segments = self.segments, []
        return iter(taken)
