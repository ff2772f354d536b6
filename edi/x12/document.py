"""The structure read from an X12 file: interchanges, groups, transaction sets, loops."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from edi.errors import Location
from edi.guides.registry import Guide
from edi.x12.lalr import Loop, OpenLoop
from edi.x12.segment import Delimiters, Segment


@dataclass(slots=True, frozen=True)
class ReadWarning:
    """Something the reader accepted but wants the user to know."""

    message: str
    location: Location

    def __str__(self) -> str:
        return f"{self.location.describe()}: {self.message}"


@dataclass(slots=True)
class Transaction:
    """One ST..SE transaction set, parsed into loops by its guide (or kept flat without one)."""

    root: Loop
    guide: Guide | None
    version: str

    @property
    def st(self) -> Segment:
        return self.root.trigger

    @property
    def se(self) -> Segment:
        last = self.root.items[-1]
        assert isinstance(last, Segment)
        return last

    @property
    def control_number(self) -> str:
        return self.st.get(2)

    def segments(self) -> Iterator[Segment]:
        """Every segment from ST to SE, in order."""
        for segment, _ in self.root.walk():
            yield segment


@dataclass(slots=True)
class LoopUnit:
    """A loop of a transaction set handed out as soon as it was read: a claim, or a level that holds claims.

    ``path`` is the loops that hold it, outermost (the ST) first, each with its items so far.
    """

    guide: Guide
    version: str
    loop: Loop
    path: list[OpenLoop]


@dataclass(slots=True)
class Group:
    """A functional group (GS..GE); ``gs`` is None for bare transaction sets."""

    gs: Segment | None
    ge: Segment | None = None
    transactions: list[Transaction] = field(default_factory=list)


@dataclass(slots=True)
class Interchange:
    """An interchange (ISA..IEA); ``isa`` is None for bare transaction sets."""

    isa: Segment | None
    delimiters: Delimiters
    iea: Segment | None = None
    groups: list[Group] = field(default_factory=list)
    ta1: list[Segment] = field(default_factory=list)

    def segments(self) -> Iterator[Segment]:
        """Every segment of the interchange, envelope included, in order."""
        if self.isa:
            yield self.isa
        yield from self.ta1
        for group in self.groups:
            if group.gs:
                yield group.gs
            for transaction in group.transactions:
                yield from transaction.segments()
            if group.ge:
                yield group.ge
        if self.iea:
            yield self.iea


@dataclass(slots=True)
class Document:
    """Everything read from one file."""

    file: str
    interchanges: list[Interchange] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)

    def transactions(self) -> Iterator[tuple[Interchange, Group, Transaction]]:
        """Every transaction set with its interchange and group."""
        for interchange in self.interchanges:
            for group in interchange.groups:
                for transaction in group.transactions:
                    yield interchange, group, transaction

    def segments(self) -> Iterator[Segment]:
        """Every segment of the file, envelope included, in order."""
        for interchange in self.interchanges:
            yield from interchange.segments()
