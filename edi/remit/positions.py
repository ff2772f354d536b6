"""Where the 835 guide places a segment within a loop: its position number, for ordering what is built."""

from __future__ import annotations

from functools import cache
from typing import Any

from edi.guides import REMITTANCE
from edi.guides.registry import guide_by_id
from edi.x12.segment import Segment

UNKNOWN_POSITION = 10**6


@cache
def _positions() -> dict[tuple[str, str, str | None], int]:
    """(loop, segment ID, qualifier) -> the segment's position number in the 835 guide."""
    guide = guide_by_id(REMITTANCE)
    found: dict[tuple[str, str, str | None], int] = {}

    def visit(loop: dict[str, Any], loop_id: str) -> None:
        for item in loop["items"]:
            if "items" in item:
                visit(item, item["id"])
                continue
            codes = item["elements"][0].get("codes") if item["id"] in guide.qualifiers else None
            for code in codes or [None]:
                found.setdefault((loop_id, item["id"], code), int(item["pos"]))

    visit(guide.spec["transaction"], "ST")
    return found


@cache
def _qualified() -> frozenset[str]:
    """The IDs of the 835 segments told apart by their first element."""
    return frozenset(guide_by_id(REMITTANCE).qualifiers)


def guide_position(loop: str, segment: Segment) -> int:
    """Where the 835 guide places ``segment`` within ``loop`` (its position number), or UNKNOWN_POSITION."""
    qualifier = segment.get(1) if segment.id in _qualified() else None
    return _positions().get((loop, segment.id, qualifier), UNKNOWN_POSITION)
