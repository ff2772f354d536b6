"""What many rules need from one piece of a transaction set, computed once per piece and shared through the `Context`.

A piece is a loop handed out by the streaming reader as soon as it is complete (a claim, or a
level that holds claims), or the transaction set's root at its SE; loops handed out before
stand in it as `Detached` markers, which hold nothing. Rules ask the index for the claim
loops and their models (`edi.claims.model`: HI codes, service lines), the line loops and the
segments of a given ID instead of walking the piece each; every answer is computed on first use.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import cached_property

from edi.claims.model import Claim, claim_of_loop
from edi.guides import claim_guide, guide_by_id
from edi.x12.lalr import Detached, Loop
from edi.x12.segment import Segment


def outer_loops(root: Loop, loop_id: str) -> list[Loop]:
    """Every loop with ``loop_id`` from ``root`` down (not inside another loop with that ID), in file order.

    `Detached` markers are left out: the loops they stand for were checked as pieces of their own.
    """
    if root.id == loop_id:
        return [root]
    found: list[Loop] = []
    stack = [iter(root.items)]
    while stack:
        for item in stack[-1]:
            if type(item) is Loop:  # not a Detached marker
                if item.id == loop_id:
                    found.append(item)
                else:
                    stack.append(iter(item.items))
                    break
        else:
            stack.pop()
    return found


def _walk(loop: Loop, out: list[tuple[Segment, Loop]]) -> None:
    for item in loop.items:
        if type(item) is Segment:
            out.append((item, loop))
        elif type(item) is Loop:
            _walk(item, out)


def last_segment(loop: Loop) -> Segment:
    """The last segment inside ``loop``, child loops included (`Detached` markers hold none)."""
    item: Segment | Loop = loop
    while type(item) is not Segment:
        assert isinstance(item, Loop)
        item = next(i for i in reversed(item.items) if type(i) is not Detached)
    return item


class TransactionIndex:
    """Facts about one piece of a transaction set (``root``) that several rules share, each computed on first use."""

    def __init__(self, root: Loop | None, guide_id: str = "") -> None:
        self.root = root
        self.guide_id = guide_id
        self._lines: dict[int, list[Loop]] = {}
        self._outer: dict[str, list[Loop]] = {}

    @cached_property
    def walked(self) -> list[tuple[Segment, Loop]]:
        """Every segment with the loop that holds it, in file order."""
        found: list[tuple[Segment, Loop]] = []
        if self.root is not None:
            _walk(self.root, found)
        return found

    @cached_property
    def positions(self) -> list[int]:
        """The position of each segment of `walked`, ascending."""
        return [segment.position for segment, _ in self.walked]

    def inside(self, loop: Loop) -> list[tuple[Segment, Loop]]:
        """Every segment of ``loop`` (child loops included) with the loop that holds it: a slice of `walked`."""
        positions = self.positions
        start = bisect_left(positions, loop.trigger.position)
        end = bisect_right(positions, last_segment(loop).position, start)
        return self.walked[start:end]

    @cached_property
    def by_segment_id(self) -> dict[str, list[tuple[Segment, Loop]]]:
        """Segment ID -> every (segment, loop) with that ID, in file order."""
        found: dict[str, list[tuple[Segment, Loop]]] = {}
        for pair in self.walked:
            found.setdefault(pair[0].id, []).append(pair)
        return found

    def segments(self, *segment_ids: str) -> list[tuple[Segment, Loop]]:
        """The (segment, loop) pairs with any of the IDs, in file order."""
        by_id = self.by_segment_id
        found = [pairs for seg_id in segment_ids if (pairs := by_id.get(seg_id))]
        if len(found) < 2:
            return found[0] if found else []
        merged = [pair for pairs in found for pair in pairs]
        merged.sort(key=lambda pair: pair[0].position)
        return merged

    def loops(self, loop_id: str) -> list[Loop]:
        """The outermost loops with ``loop_id``, in file order."""
        cache = self._outer
        if loop_id not in cache:
            cache[loop_id] = outer_loops(self.root, loop_id) if self.root is not None else []
        return cache[loop_id]

    @cached_property
    def claims(self) -> list[Loop]:
        """The 2300 claim loops (837)."""
        return self.loops("2300")

    def lines(self, claim: Loop) -> list[Loop]:
        """The 2400 service line loops of a claim."""
        found = self._lines.get(id(claim))
        if found is None:
            found = self._lines[id(claim)] = claim.loops("2400")
        return found

    @cached_property
    def claim_models(self) -> list[Claim]:
        """The model of each 2300 claim loop (837), built once (`edi.claims.model`)."""
        claims = self.claims
        if not claims:
            return []
        guide = claim_guide(self.guide_id)
        return [claim_of_loop(claim, guide) for claim in claims]

    @cached_property
    def claim_ids(self) -> dict[int, str]:
        """Segment position -> the claim (CLM01 or CLP01) whose loop holds the segment."""
        claim_loop = guide_by_id(self.guide_id).claim_loop  # whose CLM01/CLP01 names the claim
        found: dict[int, str] = {}
        if claim_loop is None or self.root is None:
            return found
        for claim in self.loops(claim_loop):
            name = claim.trigger.get(1)
            if not name:
                continue
            for segment, _ in self.inside(claim):
                found[segment.position] = name
        return found
