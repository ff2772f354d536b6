"""What many rules need from one piece of a transaction set, computed once per piece and shared through the `Context`.

A piece is a loop handed out by the streaming reader as soon as it is complete (a claim, or a
level that holds claims), or the transaction set's root at its SE; loops handed out before
stand in it as `Detached` markers, which hold nothing. Rules ask the index for the claim
loops and their models (`edi.claims.model`: HI codes, service lines), the line loops and the
segments of a given ID instead of walking the piece each; every answer is computed on first use.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from edi.claims.model import Claim, claim_of_loop
from edi.guides import claim_guide, guide_by_id
from edi.x12.lalr import Detached, Loop
from edi.x12.segment import Segment


class _Walk:
    """One walk of a piece: every segment with the loop that holds it, by segment ID too, and the outermost
    loops by loop ID (`Detached` markers left out)."""

    __slots__ = ("by_id", "open", "outer", "pairs")

    def __init__(self, root: Loop | None) -> None:
        self.pairs: list[tuple[Segment, Loop]] = []
        self.by_id: dict[str, list[tuple[Segment, Loop]]] = {}
        self.outer: dict[str, list[Loop]] = {}
        self.open: set[str] = set()  # the IDs of the loops the walk is inside
        if root is not None:
            self._loop(root)

    def _items(self, loop: Loop) -> None:
        pairs, by_id = self.pairs, self.by_id
        for item in loop.items:
            if type(item) is Segment:
                pair = (item, loop)
                pairs.append(pair)
                found = by_id.get(item.id)
                if found is None:
                    by_id[item.id] = [pair]
                else:
                    found.append(pair)
            elif type(item) is Loop:
                self._loop(item)

    def _loop(self, loop: Loop) -> None:
        loop_id = loop.id
        if loop_id in self.open:  # inside a loop with its ID: not an outermost one
            self._items(loop)
            return
        self.outer.setdefault(loop_id, []).append(loop)
        self.open.add(loop_id)
        self._items(loop)
        self.open.discard(loop_id)


def last_segment(loop: Loop) -> Segment:
    """The last segment inside ``loop``, child loops included (`Detached` markers hold none)."""
    item: Segment | Loop = loop
    while type(item) is not Segment:
        assert isinstance(item, Loop)
        item = next(i for i in reversed(item.items) if type(i) is not Detached)
    return item


class TransactionIndex:
    """Facts about one piece of a transaction set (``root``) that several rules share, each computed on first use."""

    __slots__ = ("_claim_ids", "_claim_models", "_lines", "_positions", "_walk", "guide_id", "root")

    def __init__(self, root: Loop | None, guide_id: str = "") -> None:
        self.root = root
        self.guide_id = guide_id
        self._lines: dict[int, list[Loop]] = {}
        self._walk: _Walk | None = None
        self._positions: list[int] | None = None
        self._claim_models: list[Claim] | None = None
        self._claim_ids: dict[int, str] | None = None

    def _walked(self) -> _Walk:
        walk = self._walk
        if walk is None:
            walk = self._walk = _Walk(self.root)
        return walk

    @property
    def walked(self) -> list[tuple[Segment, Loop]]:
        """Every segment with the loop that holds it, in file order."""
        return self._walked().pairs

    @property
    def positions(self) -> list[int]:
        """The position of each segment of `walked`, ascending."""
        if self._positions is None:
            self._positions = [segment.position for segment, _ in self.walked]
        return self._positions

    def inside(self, loop: Loop) -> list[tuple[Segment, Loop]]:
        """Every segment of ``loop`` (child loops included) with the loop that holds it: a slice of `walked`."""
        positions = self.positions
        start = bisect_left(positions, loop.trigger.position)
        end = bisect_right(positions, last_segment(loop).position, start)
        return self.walked[start:end]

    @property
    def by_segment_id(self) -> dict[str, list[tuple[Segment, Loop]]]:
        """Segment ID -> every (segment, loop) with that ID, in file order."""
        return self._walked().by_id

    def segments(self, *segment_ids: str) -> list[tuple[Segment, Loop]]:
        """The (segment, loop) pairs with any of the IDs, in file order."""
        by_id = self._walked().by_id
        found = [pairs for seg_id in segment_ids if (pairs := by_id.get(seg_id))]
        if len(found) < 2:
            return found[0] if found else []
        merged = [pair for pairs in found for pair in pairs]
        merged.sort(key=lambda pair: pair[0].position)
        return merged

    def loops(self, loop_id: str) -> list[Loop]:
        """The outermost loops with ``loop_id``, in file order."""
        return self._walked().outer.get(loop_id, [])

    @property
    def claims(self) -> list[Loop]:
        """The 2300 claim loops (837)."""
        return self.loops("2300")

    def lines(self, claim: Loop) -> list[Loop]:
        """The 2400 service line loops of a claim."""
        found = self._lines.get(id(claim))
        if found is None:
            found = self._lines[id(claim)] = claim.loops("2400")
        return found

    @property
    def claim_models(self) -> list[Claim]:
        """The model of each 2300 claim loop (837), built once (`edi.claims.model`)."""
        models = self._claim_models
        if models is None:
            claims = self.claims
            guide = claim_guide(self.guide_id) if claims else None
            models = self._claim_models = [claim_of_loop(claim, guide) for claim in claims] if guide else []
        return models

    @property
    def claim_ids(self) -> dict[int, str]:
        """Segment position -> the claim (CLM01 or CLP01) whose loop holds the segment."""
        if self._claim_ids is None:
            self._claim_ids = self._claims_by_position()
        return self._claim_ids

    def _claims_by_position(self) -> dict[int, str]:
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
