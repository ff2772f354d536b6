"""The order of a loop's segments and child loops: the guide's, or the one an 837 was read in."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any

from edi.guides.registry import Guide
from edi.x12.lalr import Detached, Loop
from edi.x12.segment import Segment

Item = Segment | Loop
Qualifiers = dict[str, tuple[int, int | None]]  # `Guide.qualifiers`


def loop_spec(guide: Guide, loop_id: str) -> dict[str, Any]:
    """The guide's entry for ``loop_id`` (the transaction set itself for ``ST``)."""
    if loop_id == "ST":
        spec: dict[str, Any] = guide.spec["transaction"]
        return spec
    return guide.loops.get(loop_id, {"items": []})


@cache
def _ranks(guide: Guide, loop_id: str) -> dict[tuple[str, str | None], float]:
    """Guide order of the segments and loops of ``loop_id``.

    Segments the guide does not name there go after its own segments, before the child
    loops; child levels (HL) go last, as the hierarchy requires.
    """
    spec = loop_spec(guide, loop_id)
    ranks: dict[tuple[str, str | None], float] = {}
    first_loop = len(spec["items"])
    for n, entry in enumerate(spec["items"]):
        if "items" in entry:
            first_loop = min(first_loop, n)
            ranks.setdefault(("loop", entry["id"]), n)
            continue
        ranks.setdefault((entry["id"], None), n)
        for code in entry_codes(guide, entry):
            ranks.setdefault((entry["id"], code), n)
    ranks[("unknown", None)] = first_loop - 0.5
    ranks[("level", None)] = len(spec["items"])
    return ranks


def entry_codes(guide: Guide, entry: dict[str, Any]) -> list[str]:
    """The qualifier codes that tell a guide segment entry apart from others with its ID."""
    where = guide.qualifiers.get(entry["id"])
    if where is None or len(entry["elements"]) < where[0]:
        return []
    element = entry["elements"][where[0] - 1]
    if where[1] is not None:
        components = element.get("components", [])
        element = components[where[1] - 1] if len(components) >= where[1] else {}
    return list(element.get("codes", []))


def _qualifier(qualifiers: Qualifiers, segment: Segment) -> str | None:
    """The code that tells the segment apart from others with its ID (`Guide.qualifiers`), or None."""
    where = qualifiers.get(segment.id)
    if where is None:
        return None
    return segment.get(*where)


def _rank(qualifiers: Qualifiers, ranks: dict[tuple[str, str | None], float], item: Item) -> float:
    if isinstance(item, Loop):
        if item.level if type(item) is Detached else item.trigger.id == "HL":
            return ranks[("level", None)]
        return ranks.get(("loop", item.id), ranks[("level", None)])
    code = _qualifier(qualifiers, item)
    if code is not None:
        rank = ranks.get((item.id, code))
        if rank is not None:
            return rank
    return ranks.get((item.id, None), ranks[("unknown", None)])


def guide_order(guide: Guide, loop_id: str, items: Sequence[Item]) -> list[Item]:
    """``items`` (a loop's segments and child loops after its first segment) in the guide's order."""
    ranks, qualifiers = _ranks(guide, loop_id), guide.qualifiers
    return sorted(items, key=lambda item: _rank(qualifiers, ranks, item))


def item_key(guide: Guide, item: Item) -> str:
    """How ``source_order`` names an item: a loop by its ID, a segment by its ID and qualifier code."""
    if isinstance(item, Loop):
        return item.id
    code = _qualifier(guide.qualifiers, item)
    return item.id if code is None else f"{item.id}*{code}"


def source_order(guide: Guide, loop_id: str, items: Sequence[Item]) -> list[str] | None:
    """The keys of ``items`` in the order read, or None when that is the guide's order."""
    ranks, qualifiers = _ranks(guide, loop_id), guide.qualifiers
    last = -1.0  # below every rank: the lowest is the unknown segments' rank before a first loop, -0.5
    for item in items:
        rank = _rank(qualifiers, ranks, item)
        if rank < last:  # a stable sort (`guide_order`) would move this item
            return [item_key(guide, item) for item in items]
        last = rank
    return None


def follow(guide: Guide, items: list[Item], order: list[str] | None) -> list[Item]:
    """``items`` put in ``order`` when it names exactly these items; otherwise unchanged."""
    if not order:
        return items
    queues: defaultdict[str, list[Item]] = defaultdict(list)
    for item in items:
        queues[item_key(guide, item)].append(item)
    if Counter(order) != Counter({key: len(held) for key, held in queues.items()}):
        return items
    return [queues[key].pop(0) for key in order]
