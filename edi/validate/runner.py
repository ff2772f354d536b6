"""Run the registered rules over a document: one context per interchange and per transaction set."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path

from edi.validate.context import REGISTRY, Context, Rule
from edi.validate.issue import Issue
from edi.x12.document import Document, Transaction
from edi.x12.lalr import Loop
from edi.x12.reader import read_document

CLAIM_LOOPS = {
    "837P": "2300",
    "837I": "2300",
    "837D": "2300",
    "835": "2100",
}  # guide -> loop whose CLM01/CLP01 names the claim


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


def claim_ids(transaction: Transaction) -> dict[int, str]:
    """Segment position -> the claim (CLM01 or CLP01) whose loop holds the segment."""
    claim_loop = CLAIM_LOOPS.get(transaction.guide.id) if transaction.guide else None
    found: dict[int, str] = {}
    if claim_loop is None:
        return found
    stack = [(transaction.root, "")]
    while stack:
        loop, claim = stack.pop()
        if loop.id == claim_loop:
            claim = loop.trigger.get(1)
        for item in loop.items:
            if isinstance(item, Loop):
                stack.append((item, claim))
            elif claim:
                found[item.position] = claim
    return found


def _located(issues: Iterator[Issue] | list[Issue], claims: dict[int, str]) -> list[Issue]:
    out = []
    for issue in issues:
        if issue.claim is None and issue.segment_position in claims:
            issue = replace(issue, claim=claims[issue.segment_position])
        out.append(issue)
    return out


def validate_document(document: Document, max_snip: int = 5) -> list[Issue]:
    """Every finding of the rules up to SNIP type ``max_snip`` (ordering rules always run), in file order."""
    rules = load_rules()
    interchange_rules = _selected(rules, max_snip, "interchange", None)
    by_guide: dict[str | None, list[Rule]] = {}
    issues: list[Issue] = []
    for interchange in document.interchanges:
        unit = Context(document.file, interchange)
        envelope = [i for checked in interchange_rules for i in checked.function(unit)]
        issues.extend(i for i in envelope if i.transaction is None)
        pending = [i for i in envelope if i.transaction is not None]
        for group in interchange.groups:
            for transaction in group.transactions:
                guide = transaction.guide.id if transaction.guide else None
                if guide not in by_guide:
                    by_guide[guide] = _selected(rules, max_snip, "transaction", guide)
                claims = claim_ids(transaction)
                context = Context(document.file, interchange, group, transaction, claims)
                found = [i for checked in by_guide[guide] for i in checked.function(context)]
                if pending:
                    number = transaction.control_number
                    found.extend(i for i in pending if i.transaction == number)
                    pending = [i for i in pending if i.transaction != number]
                found.sort(key=lambda i: i.segment_position or 0)
                issues.extend(_located(found, claims))
        issues.extend(pending)
    return issues


def validate_file(path: str | Path, max_snip: int = 5) -> tuple[Document, list[Issue]]:
    """Read ``path`` (a ReadError when it cannot be read) and validate it."""
    document = read_document(path)
    return document, validate_document(document, max_snip)
