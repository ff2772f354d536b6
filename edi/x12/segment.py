"""Segments and delimiters: the unit every stage of `edi` passes along."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True, frozen=True)
class Delimiters:
    """The separators of one interchange, read from its ISA.

    ``suffix`` is what followed each terminator in the source (a line break or nothing);
    the writer repeats it so that output looks like its input.
    """

    element: str = "*"
    component: str = ":"
    repetition: str | None = "^"
    segment: str = "~"
    suffix: str = "\n"

    def separators(self) -> tuple[str, str, str | None, str]:
        """The four separators, without the line-break suffix."""
        return (self.element, self.component, self.repetition, self.segment)

    def check(self) -> str | None:
        """A reason the delimiters cannot work together, or None."""
        used = [self.element, self.component, self.segment] + ([self.repetition] if self.repetition else [])
        if len(set(used)) != len(used):
            return f"delimiters are not distinct: {used!r}"
        if any(c.isalnum() or c == " " for c in used):
            return f"a delimiter is a letter, digit or space: {used!r}"
        return None


DEFAULT_DELIMITERS = Delimiters()


@dataclass(slots=True)
class Segment:
    """One X12 segment: its ID and raw element values, and where it was read.

    ``position`` counts from ST = 1 inside a transaction set (as the 999 counts it) and
    is 0 for envelope segments; ``line`` and ``offset`` (bytes) locate it in the file.
    """

    id: str
    elements: list[str]
    delimiters: Delimiters = DEFAULT_DELIMITERS
    position: int = 0
    line: int = 0
    offset: int = 0
    unplaced: bool = False
    token: str = field(default="", compare=False, repr=False)  # its token type in the grammar of the guide read with

    def get(self, index: int, component: int | None = None) -> str:
        """Element ``index`` (1-based, as in CLM01), or one of its components (1-based)."""
        if index < 1 or index > len(self.elements):
            return ""
        value = self.elements[index - 1]
        if component is None:
            return value
        parts = value.split(self.delimiters.component)
        return parts[component - 1] if component <= len(parts) else ""

    def components(self, index: int) -> list[str]:
        """The components of element ``index`` (a simple element gives one)."""
        value = self.get(index)
        return value.split(self.delimiters.component) if value else []

    def text(self, delimiters: Delimiters | None = None) -> str:
        """The segment as X12 text without its terminator, in other delimiters if given."""
        own = self.delimiters
        if delimiters is None or delimiters.separators() == own.separators():
            return own.element.join([self.id, *self.elements])
        if self.id == "ISA":
            return _isa_text(self, delimiters)
        return delimiters.element.join([self.id, *(_convert(e, own, delimiters) for e in self.elements)])


def _convert(value: str, source: Delimiters, target: Delimiters) -> str:
    if source.component in value:
        value = value.replace(source.component, "\0")
    if source.repetition and source.repetition in value:
        value = value.replace(source.repetition, "\1")
    return value.replace("\0", target.component).replace("\1", target.repetition or source.repetition or "")


def _isa_text(segment: Segment, target: Delimiters) -> str:
    values = list(segment.elements)
    if len(values) >= 16:
        if segment.delimiters.repetition and target.repetition:
            values[10] = target.repetition
        values[15] = target.component
    return target.element.join(["ISA", *values])
