"""Run the registered rules over a file, one piece of a transaction set at a time.

`validate_file` streams the file with the reader's units: each claim, and each level that
holds claims, is checked as soon as it is read and then dropped, and the rest of its
transaction set (header, trailer, the levels' own segments) at the set's SE; rules whose
checks span pieces keep small running totals (`edi.validate.context`). Memory is bounded
by one claim and its context, however large the transaction set. The findings, small,
are kept and put in the order checking the whole set at once gives: by segment position,
then by rule, then as each rule found them. What the envelope rules and the 999 need
afterwards is kept in a skeleton `Document` whose transaction sets hold only their ST and SE.

With ``jobs`` above 1 (on systems that can fork) a large file is cut into parts at transaction
sets and at claims (`edi.x12.cuts`), validated at once by as many processes (`edi.validate.parts`);
the findings, their order and the skeleton are those of one process.
"""

from __future__ import annotations

import gc
import importlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from edi import parallel
from edi.errors import EdiError
from edi.validate import icd10
from edi.validate.context import REGISTRY, Context, EnvelopeTally, Rule
from edi.validate.envelope import tally_transaction
from edi.validate.index import TransactionIndex
from edi.validate.issue import Issue
from edi.x12.cuts import Slice, plan
from edi.x12.document import Document, Group, Interchange, LoopUnit, Transaction
from edi.x12.lalr import Loop, OpenLoop
from edi.x12.reader import Event, iter_events
from edi.x12.segment import Segment

NO_FINDINGS: tuple[Issue, ...] = ()
PARALLEL_MIN_BYTES = 2_000_000  # below this, starting processes costs more than it saves
WARM_EVENTS = 200  # events of a file validated before its parts fork (`_warm`)
Entry = tuple[int, int, int, Issue]  # a finding with its sort key: segment position, rule, order found


def rule_modules() -> tuple[str, ...]:
    """The modules whose import registers the validation rules."""
    return (
        "edi.validate.envelope",
        "edi.validate.structure",
        "edi.validate.balancing",
        "edi.validate.situational",
        "edi.validate.codes",
        "edi.validate.ordering",
    )


@cache
def load_rules() -> tuple[Rule, ...]:
    """Import every rule module once and return the registry."""
    for name in rule_modules():
        importlib.import_module(name)
    return tuple(REGISTRY)


def _selected(
    rules: tuple[Rule, ...], max_snip: int, scope: str, guide: str | None, ordering: bool = True
) -> list[Rule]:
    return [
        r
        for r in rules
        if r.scope == scope
        and (r.snip <= max_snip if r.snip is not None else ordering)
        and (r.guides is None or (guide is not None and guide in r.guides))
    ]


def skeleton(transaction: Transaction) -> Transaction:
    """The transaction set reduced to its ST and SE: what the envelope rules and the 999 read once it is checked."""
    return Transaction(Loop("ST", [transaction.st, transaction.se]), transaction.guide, transaction.version)


@dataclass(slots=True)
class Checking:
    """A transaction set being checked piece by piece: its rules, their running state and the findings so far.

    ``transaction`` stands for the set (its ST, guide and version) until its SE is read.
    ``found`` holds each finding with its sort key: segment position, rule, order found.
    """

    st: Segment
    transaction: Transaction
    rules: list[Rule]
    state: dict[str, Any] = field(default_factory=dict)
    found: list[Entry] = field(default_factory=list)
    # The loops some rules look only inside, and the rules (with their ranks) to run by the loops a piece lacks.
    within: tuple[str, ...] = ()
    ranked: dict[frozenset[str], list[tuple[int, Rule]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.within = tuple(sorted({r.within for r in self.rules if r.within is not None}))

    def applicable(self, index: TransactionIndex) -> list[tuple[int, Rule]]:
        """The rules, with their ranks, that can find something in the piece ``index`` describes."""
        lacking = frozenset(loop_id for loop_id in self.within if not index.loops(loop_id))
        found = self.ranked.get(lacking)
        if found is None:
            found = self.ranked[lacking] = [(n, r) for n, r in enumerate(self.rules) if r.within not in lacking]
        return found


class Run:
    """Validation of one event stream: transaction sets as they come, envelope rules at each interchange's end.

    With ``document``, the interchanges read are collected into it, and with ``keep_sets`` each
    transaction set reduced to its ST and SE (what the 999 needs).
    """

    def __init__(
        self,
        file: str,
        max_snip: int,
        document: Document | None = None,
        keep_sets: bool = False,
        ordering: bool = True,
    ) -> None:
        rules = load_rules()
        self.ordering = ordering
        self.file = file
        self.max_snip = max_snip
        self.rules = rules
        self.interchange_rules = _selected(rules, max_snip, "interchange", None)
        self.by_guide: dict[str | None, list[Rule]] = {}
        self.issues: list[Issue] = []
        # Per transaction set of the open interchange, in order: its ST02 and its findings.
        self.sets: list[tuple[str, Sequence[Issue]]] = []
        self.tally = EnvelopeTally()
        self.document = document
        self.keep_sets = keep_sets
        self.interchange: Interchange | None = None
        self.group: Group | None = None
        self.checking: Checking | None = None

    def _checking(self, st: Segment, transaction: Transaction) -> Checking:
        """The check of the transaction set that ``st`` opens: the one under way, or a new one."""
        checking = self.checking
        if checking is None or checking.st is not st:
            guide = transaction.guide.id if transaction.guide else None
            selected = self.by_guide.get(guide)
            if selected is None:
                selected = _selected(self.rules, self.max_snip, "transaction", guide, self.ordering)
                self.by_guide[guide] = selected
            checking = self.checking = Checking(st, transaction, selected)
        return checking

    def unit(self, unit: LoopUnit) -> None:
        """Check a claim, or a level that holds claims, as soon as the reader completes it."""
        st = unit.path[0].trigger
        checking = self.checking
        if checking is None or checking.st is not st:  # the set's first piece: it stands for the set until its SE
            checking = self._checking(st, Transaction(Loop("ST", [st]), unit.guide, unit.version))
        self._piece(checking, unit.loop, unit.path)

    def check(
        self, transaction: Transaction, found: Iterable[Entry] = (), state: dict[str, Any] | None = None
    ) -> Sequence[Issue]:
        """The findings of the transaction set rules on one set (its pieces read before included), in order.

        ``found`` and ``state``: the findings and running state of its pieces, checked by other processes.
        """
        checking = self._checking(transaction.st, transaction)
        checking.found.extend(found)
        checking.state.update(state or {})
        checking.transaction = transaction
        self._piece(checking, None, [])
        self.checking = None
        if not checking.found:
            return NO_FINDINGS
        checking.found.sort(key=lambda entry: entry[:3])
        return [entry[3] for entry in checking.found]

    def _piece(self, checking: Checking, piece: Loop | None, path: list[OpenLoop]) -> None:
        """Run the rules on one piece; its findings are located in their claims and kept with their sort keys."""
        assert self.interchange is not None
        context = Context(
            self.file,
            self.interchange,
            self.group,
            checking.transaction,
            self.tally,
            piece=piece,
            path=path,
            state=checking.state,
        )
        found = checking.found
        start = len(found)
        for rank, checked in checking.applicable(context.index):
            for issue in checked.function(context):
                found.append((issue.segment_position or 0, rank, len(found), issue))
        for n in range(start, len(found)):
            issue = found[n][3]
            if issue.claim is None and issue.segment_position in context.index.claim_ids:
                found[n] = (*found[n][:3], replace(issue, claim=context.index.claim_ids[issue.segment_position]))

    def add(self, transaction: Transaction, found: Sequence[Issue]) -> None:
        """Count a checked transaction set for the envelope rules; its findings wait for the interchange's end."""
        assert self.interchange is not None
        tally_transaction(Context(self.file, self.interchange, self.group, transaction, tally=self.tally))
        self.sets.append((transaction.control_number, found))
        if self.keep_sets and self.group is not None:
            self.group.transactions.append(skeleton(transaction))

    def on(self, event: Event) -> None:
        """Take one event of the read."""
        kind = event.kind
        if kind == "unit":
            self.unit(event.value)
        elif kind == "transaction":
            self.add(event.value, self.check(event.value))
        elif kind == "group":
            self.group = event.value
        elif kind == "interchange":
            self.interchange = event.value
            if self.document is not None:
                self.document.interchanges.append(event.value)
        elif kind == "interchange_end":
            self.interchange_end(event.value)

    def interchange_end(self, interchange: Interchange) -> None:
        """Run the envelope rules and release the interchange's findings in file order."""
        unit = Context(self.file, interchange, tally=self.tally)
        envelope = [i for checked in self.interchange_rules for i in checked.function(unit)]
        self.issues.extend(i for i in envelope if i.transaction is None)
        pending = [i for i in envelope if i.transaction is not None]
        waiting: dict[str | None, list[Issue]] = defaultdict(list)  # by ST02: each goes to the first set of its number
        for issue in pending:
            waiting[issue.transaction].append(issue)
        for number, found in self.sets:
            mine = waiting.pop(number, None)
            if mine:
                found = sorted([*found, *mine], key=lambda i: i.segment_position or 0)
            self.issues.extend(found)
        self.issues.extend(i for i in pending if i.transaction in waiting)
        self.sets = []
        self.tally = EnvelopeTally()

    def events(self, events: Iterable[Event]) -> list[Issue]:
        """Take every event of a read; the findings in file order."""
        for event in events:
            self.on(event)
        return self.issues


def _replay(document: Document) -> Iterator[Event]:
    for interchange in document.interchanges:
        yield Event("interchange", interchange)
        for group in interchange.groups:
            yield Event("group", group)
            for transaction in group.transactions:
                yield Event("transaction", transaction)
            yield Event("group_end", group)
        yield Event("interchange_end", interchange)


def validate_document(document: Document, max_snip: int = 5, ordering: bool = True) -> list[Issue]:
    """Every finding of the rules up to SNIP type ``max_snip`` (the ordering rules too with ``ordering``)."""
    return Run(document.file, max_snip, ordering=ordering).events(_replay(document))


def default_jobs() -> int:
    """How many processes validate a large file: one per core (`edi.parallel.default_jobs`)."""
    return parallel.default_jobs()


def validate_file(
    path: str | Path, max_snip: int = 5, keep_sets: bool = True, jobs: int = 1
) -> tuple[Document, list[Issue]]:
    """Stream ``path`` (a ReadError when it cannot be read) and validate it, in ``jobs`` processes for large files.

    The document returned is the envelope skeleton: interchanges and groups, and with ``keep_sets``
    each transaction set's ST and SE, which `build_999` needs (without, memory stays flat).
    """
    slices = _slices(path, jobs)
    if slices is not None:
        load_rules()
        icd10.table()  # loaded once, before the parts fork
        _warm(path, max_snip)
        # What is loaded by now lives as long as the process: the collector of each process skips it while
        # validating, and its pages stay shared after the fork.
        frozen_before = gc.get_freeze_count()
        gc.freeze()
        try:
            from edi.validate.parts import validate_parts  # it builds on Run

            done = validate_parts(str(path), slices, max_snip, keep_sets)
        finally:
            if not frozen_before:
                gc.unfreeze()
        if done is not None:
            return done
    document = Document(str(path))
    return document, Run(str(path), max_snip, document, keep_sets).events(iter_events(path, units=True))


def _warm(path: str | Path, max_snip: int) -> None:
    """Validate the first claims of the file, so that what checking them loads (the guide's grammar and
    spec, compiled checks, code lists) is loaded once, before the parts fork, and shared by them."""
    with Path(path).open("rb") as stream, suppress(EdiError):  # the parts meet the error too, then one process
        Run(str(path), max_snip).events(islice(iter_events(stream, str(path), units=True), WARM_EVENTS))


def _slices(path: str | Path, jobs: int) -> list[Slice] | None:
    """The parts to validate ``path`` in, or None for one process (small file, no cut, no fork, unreadable)."""
    if jobs < 2 or not hasattr(os, "fork"):
        return None
    try:
        return plan(Path(path), jobs, max(PARALLEL_MIN_BYTES, 1))
    except (OSError, ValueError):
        return None  # iter_events reports why the file cannot be read
