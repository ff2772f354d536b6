"""An 837 file read claim by claim for the ledger, so a large transaction set never sits in memory.

The reader hands out each claim (2300) as soon as it is complete (`Reader(units=True)`);
`UnitWalk` puts the segments back in file order, where the claim model (edi.claims.model)
groups each claim as for a whole transaction set, edi.reconcile.extract takes its facts, and the claims JSON
stream (edi.claims.stream) each claim's business JSON with its billing provider,
subscriber and patient.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from edi.claims.read import transaction_claims
from edi.claims.stream import ClaimSet
from edi.guides import CLAIM_KIND
from edi.reconcile.extract import Claim, claims_from_walk
from edi.x12.document import Group, Interchange, LoopUnit, Transaction
from edi.x12.lalr import Loop
from edi.x12.reader import Event, Reader
from edi.x12.segment import Segment
from edi.x12.units import UnitWalk

BATCH = 1000
Walked = tuple[Segment, Loop]


class NotOnly837(Exception):
    """The file holds a transaction set of another kind to import: read it whole instead."""


@dataclass(slots=True)
class ClaimSetStart:
    """An 837 transaction set begins: its envelope and ST."""

    interchange: Interchange
    group: Group
    st: Segment


@dataclass(slots=True)
class ClaimBatch:
    """The next claims of the current 837, each with its business JSON (None when it is not kept)."""

    items: list[tuple[Claim, dict[str, Any] | None]]


@dataclass(slots=True)
class ClaimSetEnd:
    """The current 837 ends: its own JSON, its content hash, and whether every claim got its own JSON."""

    business: dict[str, Any]
    content_sha256: str
    contexts_complete: bool


class ClaimHandler(Protocol):
    """What receives the 837s of a file as they are read, in order."""

    def start(self, item: ClaimSetStart) -> None:
        """An 837 transaction set begins."""

    def claims(self, item: ClaimBatch) -> None:
        """The next claims of the current 837."""

    def end(self, item: ClaimSetEnd) -> None:
        """The current 837 is complete."""


def stream_837(path: Path, file: str, handler: ClaimHandler, kinds: Collection[str], business: bool = True) -> set[str]:
    """Hand the 837s of ``path`` to ``handler``; return the kinds of every transaction set seen.

    A transaction set of another kind named in ``kinds`` raises `NotOnly837`; other kinds are
    passed over. Without ``business`` no claims JSON is read (each claim's is None, the set's empty).
    """
    reader = Reader(file, units=True)
    seen: set[str] = set()
    interchange: Interchange | None = None
    group: Group | None = None
    with path.open("rb") as source:
        events = reader.events(source)
        for event in events:
            if event.kind == "interchange":
                interchange = event.value
            elif event.kind == "group":
                group = event.value
            elif event.kind in ("unit", "transaction"):
                st = event.value.path[0].trigger if event.kind == "unit" else event.value.st
                kind = st.get(1)
                seen.add(kind)
                if kind == CLAIM_KIND:
                    assert interchange is not None and group is not None
                    _Set(file, interchange, group, st, handler, business).read(event, events)
                elif kind in kinds:
                    raise NotOnly837
                else:
                    _skip(event, events)
    return seen


def _skip(event: Event, events: Iterator[Event]) -> None:
    """Read past the rest of a transaction set that is not imported."""
    while event.kind != "transaction":
        event = next(events)


class WalkOrder:
    """A `Visitor` collecting each segment with the loop holding it, in file order.

    A part of a file that starts inside a transaction set (`edi.ledger.parts`) opens its first
    loops below the ones its context holds: those stand as empty loops.
    """

    def __init__(self) -> None:
        self.loops: list[Loop] = []
        self.walked: list[Walked] = []

    def open(self, loop_id: str, trigger: Segment, depth: int) -> None:
        del self.loops[depth:]
        self.loops.extend(Loop("") for _ in range(depth - len(self.loops)))
        self.loops.append(Loop(loop_id, [trigger]))
        self.add(trigger, self.loops[depth])

    def item(self, item: Segment | Loop, depth: int) -> None:
        if type(item) is Segment:
            self.add(item, self.loops[depth])
        else:
            assert isinstance(item, Loop)
            for segment, loop in item.walk():
                self.add(segment, loop)

    def close(self, depth: int) -> None:
        pass

    def add(self, segment: Segment, loop: Loop) -> None:
        """Collect one segment."""
        self.walked.append((segment, loop))

    def take(self) -> Iterator[Walked]:
        """The segments collected since the last call."""
        taken, self.walked = self.walked, []
        return iter(taken)


class _HashedOrder(WalkOrder):
    """A `WalkOrder` that also hashes the segments' text, joined by ``~``."""

    def __init__(self) -> None:
        super().__init__()
        self.hash = hashlib.sha256()
        self.first = True

    def add(self, segment: Segment, loop: Loop) -> None:
        self.hash.update((segment.text() if self.first else "~" + segment.text()).encode("utf-8", "surrogateescape"))
        self.first = False
        super().add(segment, loop)


class _Set:
    """One 837 being read: the claims' facts from the walk, their JSON from each claim unit."""

    def __init__(
        self, file: str, interchange: Interchange, group: Group, st: Segment, handler: ClaimHandler, business: bool
    ) -> None:
        self.file, self.interchange, self.group, self.st = file, interchange, group, st
        self.handler = handler
        self.order = _HashedOrder()
        self.walk = UnitWalk(self.order)
        self.contexts: deque[dict[str, Any]] | None = deque() if business else None
        self.json: ClaimSet | None = None
        self.paired = True
        self.transaction: Transaction | None = None

    def read(self, event: Event, events: Iterator[Event]) -> None:
        """Read the transaction set from its first event; the claims go to the handler a batch at a time."""
        self.handler.start(ClaimSetStart(self.interchange, self.group, self.st))
        ready: list[tuple[Claim, dict[str, Any] | None]] = []
        for claim in claims_from_walk(self._walked(event, events), self.file, event.value.guide):
            ready.append((claim, self._context()))
            if len(ready) >= BATCH:
                self.handler.claims(ClaimBatch(ready))
                ready = []
        if ready:
            self.handler.claims(ClaimBatch(ready))
        assert self.transaction is not None
        header: dict[str, Any] = {}
        if self.contexts is not None:
            data = transaction_claims(self.interchange, self.group, self.transaction, self.file)
            header = {key: value for key, value in data.items() if key != "billing_providers"}
        complete = self.contexts is not None and self.paired and not self.contexts
        self.handler.end(ClaimSetEnd(header, self.order.hash.hexdigest(), complete))

    def _context(self) -> dict[str, Any] | None:
        """The JSON of the claim just read, when the claims JSON has one for it."""
        if self.contexts is None:
            return None
        if not self.contexts:
            self.paired = False
            return None
        return self.contexts.popleft()

    def _walked(self, event: Event, events: Iterator[Event]) -> Iterator[Walked]:
        """Every segment of the transaction set with its loop, in file order, pulled as it is read."""
        while event.kind == "unit":
            self._unit(event.value)
            yield from self.order.take()
            event = next(events)
        transaction: Transaction = event.value
        self.transaction = transaction
        if self.walk.started:
            self.walk.end(transaction)
            yield from self.order.take()
        else:
            for segment, loop in transaction.root.walk():
                self.order.add(segment, loop)
            yield from self.order.take()

    def _unit(self, unit: LoopUnit) -> None:
        self.walk.unit(unit)
        if self.contexts is None:
            return
        if self.json is None:
            self.json = ClaimSet(unit.guide.id, self._on_claim, False)
        self.json.unit(unit)

    def _on_claim(
        self,
        claim: dict[str, Any],
        provider: dict[str, Any],
        subscriber: dict[str, Any],
        patient: dict[str, Any] | None,
    ) -> None:
        assert self.contexts is not None
        context = {
            "billing_provider": {k: v for k, v in provider.items() if k != "subscribers"},
            "subscriber": {k: v for k, v in subscriber.items() if k not in ("claims", "patients")},
        }
        if patient is not None:
            context["patient"] = {k: v for k, v in patient.items() if k != "claims"}
        self.contexts.append({**context, "claim": claim})
