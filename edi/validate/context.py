"""What a validation rule sees, and how rules are registered.

A rule is a small function ``rule(ctx) -> Iterable[Issue]`` decorated with `rule`, which
records its SNIP type (1 to 7, or None for code ordering rules) and the guides it applies
to. Rules never raise on bad data: they yield `Issue`s located with `Context.issue`.

A transaction set rule is called once per piece of the set (`Context.piece`): each claim
and each level that holds claims as soon as the reader completes it, then the set's root
at its SE, where the loops checked before stand as `Detached` markers. A rule checks what
the piece holds; a rule whose check spans pieces (HL numbering, loop repeats, the 835's
payment total) keeps a small running state in `Context.state`. A whole transaction set
read into memory is one piece.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from edi.validate.index import TransactionIndex
from edi.validate.issue import Issue, Severity
from edi.x12.document import Group, Interchange, Transaction
from edi.x12.lalr import Loop, OpenLoop
from edi.x12.segment import Segment

RuleFunction = Callable[["Context"], Iterable[Issue]]


@dataclass(slots=True, frozen=True)
class Rule:
    """A registered rule: its function, SNIP type and the guides it applies to (None = all)."""

    function: RuleFunction
    snip: int | None
    guides: frozenset[str] | None
    scope: str  # "transaction" or "interchange"
    within: str | None = None  # the loop the rule looks inside: it finds nothing in a piece without one


REGISTRY: list[Rule] = []


def rule(
    snip: int | None, guides: Iterable[str] | None = None, scope: str = "transaction", within: str | None = None
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function for SNIP type ``snip`` and the given guides.

    ``within`` names the loop (such as the 2300 claim) a rule looks only inside, keeping no running
    state: the rule is not run on a piece that holds no such loop.
    """

    def register(function: RuleFunction) -> RuleFunction:
        REGISTRY.append(Rule(function, snip, frozenset(guides) if guides else None, scope, within))
        return function

    return register


@dataclass(slots=True)
class EnvelopeTally:
    """What the envelope rules need of the transaction sets of an interchange once they are checked and dropped."""

    counts: dict[int, int] = field(default_factory=dict)  # id of the group -> transaction sets read
    numbers: dict[int, set[str]] = field(default_factory=dict)  # id of the group -> ST02s read
    repeated: dict[int, list[Issue]] = field(default_factory=dict)  # id of the group -> findings on a repeated ST02


@dataclass(slots=True)
class Context:
    """One piece of a transaction set under validation (or an interchange for envelope rules, with its tally).

    ``transaction`` names the set (its ST, guide and version; its SE only at the last piece),
    ``piece`` is the loop to check (None: the transaction's root), ``path`` the loops that
    hold it, outermost (the ST) first, and ``state`` what rules carry from piece to piece.
    """

    file: str
    interchange: Interchange
    group: Group | None = None
    transaction: Transaction | None = None
    tally: EnvelopeTally = field(default_factory=EnvelopeTally)
    piece: Loop | None = None
    path: list[OpenLoop] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    root: Loop | None = field(init=False)
    """The loop under check: the piece, or the transaction's root."""
    index: TransactionIndex = field(init=False)
    """The facts of the piece that rules share (claims, lines, HI codes), each worked out on first use."""

    def __post_init__(self) -> None:
        transaction = self.transaction
        self.root = transaction.root if self.piece is None and transaction is not None else self.piece
        guide = transaction.guide.id if transaction is not None and transaction.guide is not None else ""
        self.index = TransactionIndex(self.root, guide)

    @property
    def last(self) -> bool:
        """True at the transaction set's root, its last piece (its SE is read)."""
        return not self.path

    def holder(self, loop_id: str) -> OpenLoop | None:
        """The innermost loop of the path with ``loop_id`` (its items so far), or None."""
        guide = self.transaction.guide if self.transaction is not None else None
        if guide is None:
            return None
        for holder in reversed(self.path[1:]):
            if guide.trigger_loop(holder.trigger) == loop_id:
                return holder
        return None

    def issue(
        self,
        severity: Severity,
        snip: int | None,
        rule_id: str,
        message: str,
        segment: Segment | None = None,
        loop: Loop | str | None = None,
        element: str | None = None,
        *,
        segment_error: str | None = None,
        element_error: str | None = None,
        data_element: str | None = None,
        claim: str | None = None,
    ) -> Issue:
        """An `Issue` located at ``segment`` (and ``element``, such as ``CLM02``)."""
        loop_id = loop.id if isinstance(loop, Loop) else loop
        transaction = self.transaction.control_number if self.transaction else None
        return Issue(
            severity=severity,
            snip=snip,
            rule=rule_id,
            message=message,
            file=self.file,
            line=segment.line if segment else None,
            segment_id=segment.id if segment else None,
            segment_position=segment.position if segment else None,
            loop=None if loop_id == "ST" else loop_id,
            element=element,
            segment_text=segment.text() if segment else None,
            transaction=transaction,
            claim=claim,
            segment_error=segment_error,
            element_error=element_error,
            data_element=data_element,
        )
