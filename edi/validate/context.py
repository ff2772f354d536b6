"""What a validation rule sees, and how rules are registered.

A rule is a small function ``rule(ctx) -> Iterable[Issue]`` decorated with `rule`, which
records its SNIP type (1 to 7, or None for code ordering rules) and the guides it applies
to. Rules never raise on bad data: they yield `Issue`s located with `Context.issue`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from edi.validate.index import TransactionIndex
from edi.validate.issue import Issue, Severity
from edi.x12.document import Group, Interchange, Transaction
from edi.x12.lalr import Loop
from edi.x12.segment import Segment

RuleFunction = Callable[["Context"], Iterable[Issue]]


@dataclass(slots=True, frozen=True)
class Rule:
    """A registered rule: its function, SNIP type and the guides it applies to (None = all)."""

    function: RuleFunction
    snip: int | None
    guides: frozenset[str] | None
    scope: str  # "transaction" or "interchange"


REGISTRY: list[Rule] = []


def rule(
    snip: int | None, guides: Iterable[str] | None = None, scope: str = "transaction"
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function for SNIP type ``snip`` and the given guides."""

    def register(function: RuleFunction) -> RuleFunction:
        REGISTRY.append(Rule(function, snip, frozenset(guides) if guides else None, scope))
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
    """One unit under validation: a transaction set (or an interchange for envelope rules, with its tally)."""

    file: str
    interchange: Interchange
    group: Group | None = None
    transaction: Transaction | None = None
    shared: TransactionIndex | None = None
    tally: EnvelopeTally = field(default_factory=EnvelopeTally)

    @property
    def index(self) -> TransactionIndex:
        """The facts of the transaction set that rules share (claims, lines, HI codes), built on first use."""
        if self.shared is None:
            self.shared = TransactionIndex(self.transaction)
        return self.shared

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
