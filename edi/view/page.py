"""One self-contained HTML page for an X12 file: loop tree, element names, findings, totals.

Every value from the file goes through `html.escape`: a value is data, never markup. The
page loads nothing: its style and its few lines of script are inline, loops fold with
<details>. ``redact`` (a segment in, the element values to show out) lets a caller mask
personal data; a value it changes is shown changed in the findings of that segment too.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from edi.guides.registry import Guide
from edi.validate.issue import Issue
from edi.view.assets import SCRIPT, STYLE
from edi.view.totals import totals
from edi.x12.document import Document, Transaction
from edi.x12.lalr import Loop
from edi.x12.segment import Segment

Redact = Callable[[Segment], list[str]]
OPEN_ALL_BELOW = 600  # segments: smaller files open every loop, larger ones only loops with findings
SEVERITIES = ("error", "warning", "info")


def render_html(path: str | Path, redact: Redact | None = None) -> str:
    """The HTML page for the X12 file at ``path`` with every finding of `edi.validate_file` in place."""
    from edi.validate.runner import validate_file
    from edi.x12.reader import read_document

    document = read_document(path)
    _, issues = validate_file(path)
    return page(document, issues, redact)


def page(document: Document, issues: list[Issue], redact: Redact | None = None) -> str:
    """The HTML page for ``document`` with ``issues`` placed at their segments and elements."""
    placed = _Placement(issues)
    size = sum(1 for _ in document.segments())
    writer = _Writer(redact, placed, open_all=size <= OPEN_ALL_BELOW)
    body = writer.document(document)
    name = escape(Path(document.file).name)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{name} · edi view</title><style>{STYLE}</style></head><body>",
        f"<header><h1>{name}</h1>{_kinds(document)}",
        _totals_table(document),
        _summary(issues, placed, writer),
        '<p class="tools"><button type="button" id="expand-all">Unfold all</button> '
        '<button type="button" id="collapse-all">Fold all</button></p></header>',
        f"<main>{body}</main>",
        f"<script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _kinds(document: Document) -> str:
    kinds = []
    for _, _, transaction in document.transactions():
        guide = transaction.guide
        label = f"{guide.id} {guide.version} {guide.title}" if guide else f"{transaction.st.get(1)} (no guide)"
        kinds.append(label)
    unique = list(dict.fromkeys(kinds))
    return f'<p class="kinds">{escape(", ".join(unique)) or "no transaction set"}</p>'


def _totals_table(document: Document) -> str:
    rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in totals(document))
    return f'<table class="totals">{rows}</table>' if rows else ""


def _summary(issues: list[Issue], placed: _Placement, writer: _Writer) -> str:
    counts = {s: sum(1 for i in issues if i.severity == s) for s in SEVERITIES}
    head = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items())
    if not issues:
        return '<section class="summary"><h2>Findings</h2><p>No findings.</p></section>'
    rows = []
    for issue in issues:
        anchor = placed.anchors.get(id(issue))
        where = ", ".join(
            x
            for x in (
                f"loop {issue.loop}" if issue.loop else "",
                f"segment {issue.segment_position}" if issue.segment_position else "",
                issue.segment_id or "",
                issue.element or "",
                f"line {issue.line}" if issue.line else "",
            )
            if x
        )
        link = f'<a href="#{anchor}">{escape(where)}</a>' if anchor else escape(where)
        rows.append(
            f'<tr class="{escape(issue.severity)}"><td>{escape(issue.severity)}</td><td>{_snip(issue)}</td>'
            f"<td><code>{escape(issue.rule)}</code></td><td>{link}</td>"
            f"<td>{escape(writer.hide(issue.message, issue))}</td></tr>"
        )
    table = (
        '<table class="findings-table"><thead><tr><th>Severity</th><th>Type</th><th>Rule</th><th>Where</th>'
        f"<th>Message</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return f'<section class="summary"><h2>Findings: {escape(head)}</h2>{table}</section>'


def _snip(issue: Issue) -> str:
    return f"SNIP {issue.snip}" if issue.snip is not None else "ordering"


@dataclass
class _Placement:
    """The findings by where they belong: transaction segment, envelope segment; and the anchor each got."""

    issues: list[Issue]
    by_position: dict[tuple[str, int], list[Issue]] = field(default_factory=dict)
    by_envelope: dict[tuple[str, int], list[Issue]] = field(default_factory=dict)
    anchors: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for issue in self.issues:
            if issue.transaction is not None and issue.segment_position:
                self.by_position.setdefault((issue.transaction, issue.segment_position), []).append(issue)
            elif issue.segment_id and issue.line is not None:
                self.by_envelope.setdefault((issue.segment_id, issue.line), []).append(issue)

    def at(self, segment: Segment, transaction: Transaction | None) -> list[Issue]:
        """The findings not yet shown that belong to ``segment``."""
        if transaction is not None and segment.position:
            found = self.by_position.get((transaction.control_number, segment.position), [])
            found = [i for i in found if i.line is None or i.line == segment.line or not segment.line]
        else:
            found = self.by_envelope.get((segment.id, segment.line), [])
            found = [i for i in found if not i.segment_text or i.segment_text == segment.text()]
        return [i for i in found if id(i) not in self.anchors]


class _Writer:
    """Writes the loop tree as nested <details>, one <div> per segment."""

    def __init__(self, redact: Redact | None, placed: _Placement, open_all: bool) -> None:
        self.redact = redact
        self.placed = placed
        self.open_all = open_all
        self.hidden: dict[int, dict[str, str]] = {}
        self.transaction_number = 0

    def hide(self, message: str, issue: Issue) -> str:
        """``message`` with the values redaction changed in the finding's segment shown changed."""
        for value, shown in self.hidden.get(id(issue), {}).items():
            message = message.replace(value, shown)
        return message

    def document(self, document: Document) -> str:
        out: list[str] = []
        for interchange in document.interchanges:
            inner: list[str] = [self.segment(s, None, None) for s in interchange.ta1]
            for group in interchange.groups:
                sets = [self.transaction(t) for t in group.transactions]
                edges = [self.segment(s, None, None) for s in (group.gs, group.ge) if s is not None]
                title = f"Functional group {group.gs.get(6)} ({group.gs.get(1)})" if group.gs else "Transaction sets"
                inner.append(self.fold("GS", title, [*edges[:1], *sets, *edges[1:]], "envelope"))
            head = [self.segment(interchange.isa, None, None)] if interchange.isa else []
            tail = [self.segment(interchange.iea, None, None)] if interchange.iea else []
            title = f"Interchange {interchange.isa.get(13)}" if interchange.isa else "No interchange envelope"
            out.append(self.fold("ISA", title, [*head, *inner, *tail], "envelope"))
        return "\n".join(out)

    def transaction(self, transaction: Transaction) -> str:
        self.transaction_number += 1
        guide = transaction.guide
        kind = guide.id if guide else transaction.st.get(1)
        title = f"Transaction set {transaction.st.get(1)} {transaction.control_number} ({kind})"
        return self.loop(transaction.root, transaction, title)

    def loop(self, loop: Loop, transaction: Transaction, title: str | None = None) -> str:
        guide = transaction.guide
        name = title or (f"{loop.id} {guide.loop_name(loop.id)}" if guide else loop.id)
        parts = []
        for item in loop.items:
            if isinstance(item, Segment):
                parts.append(self.segment(item, transaction, loop))
            else:
                parts.append(self.loop(item, transaction))
        return self.fold(loop.id, name, parts, "loop")

    def fold(self, loop_id: str, title: str, parts: list[str], kind: str) -> str:
        body = "\n".join(parts)
        errors = body.count('class="finding error"')
        warnings = body.count('class="finding warning"')
        badges = "".join(
            f'<span class="badge {cls}">{n} {cls}{"s" if n != 1 else ""}</span>'
            for cls, n in (("error", errors), ("warning", warnings))
            if n
        )
        opened = " open" if self.open_all or errors or warnings else ""
        return (
            f'<details class="{kind}" data-loop="{escape(loop_id)}"{opened}><summary>'
            f'<span class="loop-name">{escape(title)}</span>{badges}</summary>\n{body}\n</details>'
        )

    def segment(self, segment: Segment, transaction: Transaction | None, loop: Loop | None) -> str:
        issues = self.placed.at(segment, transaction)
        anchor = f"t{self.transaction_number}-s{segment.position}" if transaction else f"l{segment.line}-{segment.id}"
        for issue in issues:
            self.placed.anchors[id(issue)] = anchor
        guide = transaction.guide if transaction else None
        spec = _segment_spec(guide, loop.id, segment) if guide and loop else None
        bad = {_element_index(i.element, segment.id): i for i in issues if i.element}
        values = self.shown(segment, issues)
        elements = [self.element(segment, n, values[n - 1], spec, bad) for n in range(1, len(values) + 1)]
        severity = next((s for s in SEVERITIES if any(i.severity == s for i in issues)), "")
        name = spec["name"] if spec else ""
        title = f' title="{escape(name)}"' if name else ""
        sep = escape(segment.delimiters.element)
        text = f'<span class="sid"{title}>{escape(segment.id)}</span>' + "".join(sep + e for e in elements)
        notes = "".join(self.finding(i) for i in issues)
        notes = f'<ul class="findings">{notes}</ul>' if notes else ""
        position = str(segment.position) if segment.position else ""
        classes = f"seg {severity}" if severity else "seg"
        return (
            f'<div class="{classes}" id="{anchor}" data-segment="{escape(segment.id)}" data-position="{position}">'
            f'<span class="pos">{position}</span><code>{text}{escape(segment.delimiters.segment)}</code>{notes}</div>'
        )

    def shown(self, segment: Segment, issues: list[Issue]) -> list[str]:
        """The segment's element values as the page shows them, redacted when asked."""
        if self.redact is None:
            return segment.elements
        values = self.redact(segment)
        changed = {old: new for old, new in zip(segment.elements, values, strict=False) if old and old != new}
        for issue in issues:
            self.hidden[id(issue)] = changed
        return values

    def element(
        self,
        segment: Segment,
        index: int,
        value: str,
        spec: dict[str, Any] | None,
        bad: dict[tuple[int, int | None], Issue],
    ) -> str:
        ref = f"{segment.id}{index:02d}"
        element_spec = spec["elements"][index - 1] if spec and index <= len(spec["elements"]) else None
        components = element_spec.get("components") if element_spec else None
        separator = segment.delimiters.component
        if components and separator in value:
            shown = []
            for c, part in enumerate(value.split(separator), start=1):
                component_spec = components[c - 1] if c <= len(components) else None
                shown.append(self.value(f"{ref}-{c}", part, component_spec, bad.get((index, c))))
            inner = escape(separator).join(shown)
            issue = bad.get((index, None))
            classes = "el composite bad" if issue else "el composite"
            return f'<span class="{classes}" data-ref="{ref}"{_title(ref, element_spec, issue)}>{inner}</span>'
        issue = bad.get((index, None)) or bad.get((index, 1))
        return self.value(ref, value, element_spec, issue)

    def value(self, ref: str, value: str, spec: dict[str, Any] | None, issue: Issue | None) -> str:
        classes = "el bad" if issue else "el"
        return f'<span class="{classes}" data-ref="{ref}"{_title(ref, spec, issue)}>{escape(value)}</span>'

    def finding(self, issue: Issue) -> str:
        element = f' data-element="{escape(issue.element)}"' if issue.element else ""
        where = f"{issue.element}: " if issue.element else ""
        return (
            f'<li class="finding {escape(issue.severity)}" data-rule="{escape(issue.rule)}"{element}>'
            f'<span class="severity">{escape(issue.severity)}</span> <span class="snip">{_snip(issue)}</span> '
            f"<code>{escape(issue.rule)}</code> {escape(where)}{escape(self.hide(issue.message, issue))}</li>"
        )


def _title(ref: str, spec: dict[str, Any] | None, issue: Issue | None) -> str:
    text = f"{ref} {spec['name']}" if spec and spec.get("name") else ref
    if issue is not None:
        text += f" ({issue.severity}: {issue.rule})"
    return f' title="{escape(text)}"'


def _element_index(element: str, segment_id: str) -> tuple[int, int | None]:
    """(element, component) of a reference such as ``CLM02`` or ``HI01-2``."""
    rest = element[len(segment_id) :] if element.startswith(segment_id) else element.lstrip(string.ascii_uppercase)
    number, _, component = rest.partition("-")
    try:
        return int(number), int(component) if component else None
    except ValueError:
        return 0, None


def _segment_spec(guide: Guide, loop_id: str, segment: Segment) -> dict[str, Any] | None:
    """The guide's spec of ``segment`` where it stands in loop ``loop_id``, or None when the guide has no place."""
    token = guide.token(segment)
    found = _specs(guide).get((loop_id, token))
    if found is None:
        found = _specs(guide).get((loop_id, segment.id))
    return found


@cache
def _specs(guide: Guide) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def visit(loop_id: str, items: Iterable[dict[str, Any]]) -> None:
        for item in items:
            if "items" in item:
                visit(item["id"], item["items"])
                continue
            for token in item.get("tokens", [item["id"]]):
                out.setdefault((loop_id, token), item)
            out.setdefault((loop_id, item["id"]), item)

    visit("ST", guide.spec["transaction"]["items"])
    return out
