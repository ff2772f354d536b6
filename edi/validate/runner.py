"""Run the registered rules over a file, one transaction set at a time.

`validate_file` streams the file with `iter_events`: each transaction set is validated as
soon as it is read and then dropped, so memory stays flat however large the file. What the
envelope rules and the 999 need afterwards is kept in a skeleton `Document` whose
transaction sets hold only their ST and SE segments.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

from edi.validate.context import REGISTRY, Context, EnvelopeTally, Rule
from edi.validate.envelope import tally_transaction
from edi.validate.index import TransactionIndex
from edi.validate.issue import Issue
from edi.x12.document import Document, Group, Interchange, Transaction
from edi.x12.lalr import Loop
from edi.x12.reader import Event, iter_events

NO_FINDINGS: tuple[Issue, ...] = ()


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


def _selected(rules: tuple[Rule, ...], max_snip: int, scope: str, guide: str | None) -> list[Rule]:
    return [
        r
        for r in rules
        if r.scope == scope
        and (r.snip is None or r.snip <= max_snip)
        and (r.guides is None or (guide is not None and guide in r.guides))
    ]


def _located(issues: list[Issue], claims: dict[int, str]) -> list[Issue]:
    out = []
    for issue in issues:
        if issue.claim is None and issue.segment_position in claims:
            issue = replace(issue, claim=claims[issue.segment_position])
        out.append(issue)
    return out


def skeleton(transaction: Transaction) -> Transaction:
    """The transaction set reduced to its ST and SE: what the envelope rules and the 999 read once it is checked."""
    return Transaction(Loop("ST", [transaction.st, transaction.se]), transaction.guide, transaction.version)


class Run:
    """Validation of one event stream: transaction sets as they come, envelope rules at each interchange's end."""

    def __init__(self, file: str, max_snip: int) -> None:
        rules = load_rules()
        self.file = file
        self.max_snip = max_snip
        self.rules = rules
        self.interchange_rules = _selected(rules, max_snip, "interchange", None)
        self.by_guide: dict[str | None, list[Rule]] = {}
        self.issues: list[Issue] = []
        # Per transaction set of the open interchange, in order: its ST02 and its findings.
        self.sets: list[tuple[str, Sequence[Issue]]] = []
        self.tally = EnvelopeTally()

    def transaction(self, interchange: Interchange, group: Group | None, transaction: Transaction) -> None:
        """Run the transaction set rules; the findings wait for the interchange's end."""
        guide = transaction.guide.id if transaction.guide else None
        selected = self.by_guide.get(guide)
        if selected is None:
            selected = self.by_guide[guide] = _selected(self.rules, self.max_snip, "transaction", guide)
        index = TransactionIndex(transaction)
        context = Context(self.file, interchange, group, transaction, index, self.tally)
        tally_transaction(context)
        found = [i for checked in selected for i in checked.function(context)]
        if found:
            found.sort(key=lambda i: i.segment_position or 0)
            self.sets.append((transaction.control_number, _located(found, index.claim_ids)))
        else:
            self.sets.append((transaction.control_number, NO_FINDINGS))

    def interchange_end(self, interchange: Interchange) -> None:
        """Run the envelope rules and release the interchange's findings in file order."""
        unit = Context(self.file, interchange, tally=self.tally)
        envelope = [i for checked in self.interchange_rules for i in checked.function(unit)]
        self.issues.extend(i for i in envelope if i.transaction is None)
        pending = [i for i in envelope if i.transaction is not None]
        for number, found in self.sets:
            if pending:
                found = [*found, *(i for i in pending if i.transaction == number)]
                pending = [i for i in pending if i.transaction != number]
                found.sort(key=lambda i: i.segment_position or 0)
            self.issues.extend(found)
        self.issues.extend(pending)
        self.sets = []
        self.tally = EnvelopeTally()

    def events(self, events: Iterable[Event], document: Document | None = None, keep_sets: bool = False) -> list[Issue]:
        """Consume a read's events; with ``document``, collect the interchanges read into it, and with
        ``keep_sets`` each transaction set reduced to its ST and SE (what the 999 needs)."""
        interchange: Interchange | None = None
        group: Group | None = None
        for event in events:
            kind = event.kind
            if kind == "transaction":
                assert interchange is not None
                self.transaction(interchange, group, event.value)
                if keep_sets and group is not None:
                    group.transactions.append(skeleton(event.value))
            elif kind == "group":
                group = event.value
            elif kind == "interchange":
                interchange = event.value
                if document is not None:
                    document.interchanges.append(event.value)
            elif kind == "interchange_end":
                self.interchange_end(event.value)
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


def validate_document(document: Document, max_snip: int = 5) -> list[Issue]:
    """Every finding of the rules up to SNIP type ``max_snip`` (ordering rules always run), in file order."""
    return Run(document.file, max_snip).events(_replay(document))


def validate_file(path: str | Path, max_snip: int = 5, keep_sets: bool = True) -> tuple[Document, list[Issue]]:
    """Stream ``path`` (a ReadError when it cannot be read) and validate it.

    The document returned is the envelope skeleton: interchanges and groups, and with ``keep_sets``
    each transaction set's ST and SE, which `build_999` needs (without, memory stays flat).
    """
    document = Document(str(path))
    issues = Run(str(path), max_snip).events(iter_events(path), document, keep_sets)
    return document, issues
