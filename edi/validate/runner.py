"""Run the registered rules over a file, one piece of a transaction set at a time.

`validate_file` streams the file with the reader's units: each claim, and each level that
holds claims, is checked as soon as it is read and then dropped, and the rest of its
transaction set (header, trailer, the levels' own segments) at the set's SE; rules whose
checks span pieces keep small running totals (`edi.validate.context`). Memory is bounded
by one claim and its context, however large the transaction set. The findings, small,
are kept and put in the order checking the whole set at once gives: by segment position,
then by rule, then as each rule found them. What the envelope rules and the 999 need
afterwards is kept in a skeleton `Document` whose transaction sets hold only their ST and SE.

With ``jobs`` above 1 (on systems that can fork) a large file is shared between processes:
with two, it is read in two halves at once where it can be cut safely (`edi.validate.halves`);
otherwise helper processes read the whole file and each validates every n-th transaction
set, and the lead process validates its own share, runs the envelope rules and puts the
helpers' findings in their place. Either way the findings are the same as with one process.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from edi import parallel
from edi.errors import EdiError
from edi.validate import icd10
from edi.validate.context import REGISTRY, Context, EnvelopeTally, Rule
from edi.validate.envelope import tally_transaction
from edi.validate.index import TransactionIndex
from edi.validate.issue import Issue
from edi.x12.cuts import transaction_count
from edi.x12.document import Document, Group, Interchange, LoopUnit, Transaction
from edi.x12.lalr import Loop, OpenLoop
from edi.x12.reader import Event, iter_events
from edi.x12.segment import Segment
from edi.x12.split import Cut, find_cut

NO_FINDINGS: tuple[Issue, ...] = ()
PARALLEL_MIN_BYTES = 2_000_000  # below this, starting helper processes costs more than it saves
MAX_JOBS = 2  # by default: two halves where the file can be cut; more helpers would each read the whole file


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
class Share:
    """Which transaction sets a process validates (those whose ordinal modulo ``count`` is ``index``).

    The lead (index 0) receives the helpers' findings on ``channels``; a helper sends its own on its one channel.
    """

    index: int = 0
    count: int = 1
    channels: list[Connection] = field(default_factory=list)


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
    found: list[tuple[int, int, int, Issue]] = field(default_factory=list)
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
        share: Share | None = None,
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
        self.share = share or Share()
        self.ordinal = 0
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
        checking = self._checking(st, Transaction(Loop("ST", [st]), unit.guide, unit.version))
        self._piece(checking, unit.loop, unit.path)

    def check(self, transaction: Transaction) -> Sequence[Issue]:
        """The findings of the transaction set rules on one set (its pieces read before included), in order."""
        checking = self._checking(transaction.st, transaction)
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
            self.file, self.interchange, self.group, checking.transaction, piece=piece, path=path, state=checking.state
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
            if self.ordinal % self.share.count == self.share.index:
                self.unit(event.value)
        elif kind == "transaction":
            mine = self.ordinal % self.share.count == self.share.index
            self.ordinal += 1
            self.add(event.value, self.check(event.value) if mine else NO_FINDINGS)
        elif kind == "group":
            self.group = event.value
        elif kind == "interchange":
            self.interchange = event.value
            if self.document is not None:
                self.document.interchanges.append(event.value)
        elif kind == "interchange_end":
            self.interchange_end(event.value)

    def interchange_end(self, interchange: Interchange) -> None:
        """Run the envelope rules and release the interchange's findings in file order (a helper sends its own)."""
        if self.share.index:
            self.share.channels[0].send([(n, found) for n, (_, found) in enumerate(self.sets) if found])
            self.sets = []
            return
        for channel in self.share.channels:
            for n, theirs in _received(channel):
                self.sets[n] = (self.sets[n][0], theirs)
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


def _received(channel: Connection) -> list[tuple[int, list[Issue]]]:
    try:
        found: list[tuple[int, list[Issue]]] = channel.recv()
    except EOFError:
        raise EdiError("a validation helper process stopped before the end of the file") from None
    return found


def _help(path: str | Path, max_snip: int, index: int, count: int, channel: Connection) -> None:
    """A helper process: validate this share of the transaction sets and send the findings to the lead."""
    try:
        Run(str(path), max_snip, Share(index, count, [channel])).events(iter_events(path, units=True))
    except EdiError:
        pass  # the lead reads the same file and reports the error
    except BrokenPipeError:
        pass  # the lead stopped (an error of its own) and no longer listens
    finally:
        channel.close()


def helpers_possible() -> bool:
    """True where helper processes can start by forking (Linux, macOS), sharing what is already loaded."""
    return "fork" in multiprocessing.get_all_start_methods()


def default_jobs() -> int:
    """How many processes validate a large file: the shared default, at most `MAX_JOBS`."""
    return min(MAX_JOBS, parallel.default_jobs())


def validate_file(
    path: str | Path, max_snip: int = 5, keep_sets: bool = True, jobs: int = 1
) -> tuple[Document, list[Issue]]:
    """Stream ``path`` (a ReadError when it cannot be read) and validate it, in ``jobs`` processes for large files.

    The document returned is the envelope skeleton: interchanges and groups, and with ``keep_sets``
    each transaction set's ST and SE, which `build_999` needs (without, memory stays flat).
    """
    document = Document(str(path))
    try:
        large = Path(path).stat().st_size >= PARALLEL_MIN_BYTES
    except OSError:
        large = False  # iter_events reports why the file cannot be read
    cut = find_cut(Path(path), PARALLEL_MIN_BYTES) if large and jobs == 2 else None
    # Helpers would read a file of one transaction set that cannot be cut and check none of it.
    if jobs < 2 or not large or not helpers_possible() or (cut is None and _transaction_count(path) < 2):
        return document, _validate_alone(path, max_snip, keep_sets, document)
    load_rules()
    icd10.table()  # loaded once, before the helpers fork
    # What is loaded by now lives as long as the process: the collector of each process skips it while
    # validating (the ICD-10-CM table alone is some 100,000 objects), and its pages stay shared after the fork.
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        return _validate_shared(path, max_snip, keep_sets, jobs, document, cut)
    finally:
        if not frozen_before:
            gc.unfreeze()


def _validate_shared(
    path: str | Path, max_snip: int, keep_sets: bool, jobs: int, document: Document, cut: Cut | None
) -> tuple[Document, list[Issue]]:
    """Validate a large file in ``jobs`` processes: in two halves at ``cut``, else by shares of its sets."""
    if cut is not None:
        from edi.validate.halves import validate_halves  # it builds on Run

        return document, validate_halves(path, cut, max_snip, document, keep_sets)
    forking = multiprocessing.get_context("fork")
    share = Share(0, jobs)
    with ExitStack() as cleanup:
        for index in range(1, jobs):
            receiving, sending = forking.Pipe(duplex=False)
            helper = forking.Process(target=_help, args=(path, max_snip, index, jobs, sending), daemon=True)
            helper.start()
            sending.close()
            share.channels.append(receiving)
            cleanup.callback(_stop, helper, receiving)
        issues = Run(str(path), max_snip, share, document, keep_sets).events(iter_events(path, units=True))
    return document, issues


def _validate_alone(path: str | Path, max_snip: int, keep_sets: bool, document: Document) -> list[Issue]:
    return Run(str(path), max_snip, None, document, keep_sets).events(iter_events(path, units=True))


def _transaction_count(path: str | Path) -> int:
    """How many transaction sets the file holds (0 when it cannot be read: the reader then says why)."""
    try:
        return transaction_count(Path(path))
    except (OSError, ValueError):
        return 0


def _stop(helper: multiprocessing.process.BaseProcess, channel: Connection) -> None:
    channel.close()
    helper.join(timeout=5)
    if helper.is_alive():
        helper.terminate()
        helper.join()
