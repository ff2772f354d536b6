"""HL numbering of a claims transaction set: the one rule both building and reading apply."""

from __future__ import annotations

from collections.abc import Iterator

from edi.x12.lalr import Loop
from edi.x12.segment import Segment


def hl_levels(root: Loop) -> Iterator[tuple[Segment, list[str]]]:
    """Each HL in file order with its due elements: HL01 counted, HL02 the parent's HL01, HL04 1 over a child level."""
    counter = 0

    def visit(loop: Loop, parent: str) -> Iterator[tuple[Segment, list[str]]]:
        nonlocal counter
        for item in loop.loops():
            trigger = item.trigger
            if trigger.id != "HL":
                yield from visit(item, parent)
                continue
            counter += 1
            number = str(counter)
            child = "1" if any(c.trigger.id == "HL" for c in item.loops()) else "0"
            yield trigger, [number, parent, trigger.get(3), child]
            yield from visit(item, number)

    yield from visit(root, "")
