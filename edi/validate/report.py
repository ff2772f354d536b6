"""Validation findings for people (a rich report with carets under bad elements) and for pipelines (JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape

from edi.errors import printable
from edi.validate.issue import NOT_VALIDATED, Issue

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
JSON_FIELDS = (
    "severity", "snip", "rule", "message", "file", "line", "segment_id", "segment_position", "loop", "element",
    "transaction", "claim", "segment_text",
)  # fmt: skip


@dataclass(slots=True)
class FileResult:
    """What validating one file gave: its findings, or why it could not be read."""

    file: str
    issues: list[Issue] = field(default_factory=list)
    unreadable: str | None = None


def counts(results: Iterable[FileResult]) -> dict[str, int]:
    """Findings by severity over all files, plus the number of unreadable files and of files not all validated."""
    out = {"error": 0, "warning": 0, "info": 0, "unreadable": 0, "not_validated": 0}
    for result in results:
        out["unreadable"] += result.unreadable is not None
        out["not_validated"] += any(issue.rule == NOT_VALIDATED for issue in result.issues)
        for issue in result.issues:
            out[issue.severity] += 1
    return out


def issue_json(issue: Issue) -> dict[str, Any]:
    """One finding as a JSON object (the fields documented in docs/validation.md)."""
    return {name: getattr(issue, name) for name in JSON_FIELDS}


def report_json(results: list[FileResult]) -> dict[str, Any]:
    """The whole report as JSON: findings per file and a summary."""
    summary = counts(results)
    return {
        "files": [
            {
                "file": r.file,
                "readable": r.unreadable is None,
                "error": r.unreadable,
                "findings": [issue_json(i) for i in r.issues],
            }
            for r in results
        ],
        "summary": {
            "files": len(results),
            "errors": summary["error"],
            "warnings": summary["warning"],
            "info": summary["info"],
            "unreadable": summary["unreadable"],
            "not_validated": summary["not_validated"],
        },
    }


def caret_line(issue: Issue) -> str | None:
    """Spaces and carets that put ``^^^`` under the element the finding names, or None."""
    text, seg_id, element = issue.segment_text, issue.segment_id, issue.element
    if not text or not seg_id or not element or not element.startswith(seg_id) or len(text) <= len(seg_id):
        return None
    digits = element[len(seg_id) : len(seg_id) + 2]
    if not digits.isdigit():
        return None
    index = int(digits)
    parts = text.split(text[len(seg_id)])
    if index >= len(parts):
        return " " * len(text) + "^"
    start = sum(len(p) + 1 for p in parts[:index])
    return " " * start + "^" * max(1, len(parts[index]))


def _where(issue: Issue) -> str:
    parts = []
    if issue.loop:
        parts.append(f"loop {issue.loop}")
    if issue.segment_id:
        place = f"{issue.segment_id}"
        if issue.segment_position:
            place += f" at segment {issue.segment_position}"
        parts.append(place)
    if issue.element:
        parts.append(issue.element)
    if issue.line:
        parts.append(f"line {issue.line}")
    return ", ".join(parts)


def render(console: Console, results: list[FileResult], totals: list[FileResult] | None = None) -> None:
    """Print the findings grouped by file, transaction set and claim, then a summary line (of ``totals`` if given)."""
    for result in results:
        console.print(f"[bold]{escape(printable(result.file))}[/]", emoji=False)
        if result.unreadable is not None:
            console.print(f"  [bold red]unreadable[/]: {escape(printable(result.unreadable))}", emoji=False)
            continue
        if not result.issues:
            console.print("  [green]no findings[/]", emoji=False)
            continue
        heading: tuple[str | None, str | None] | None = None
        for issue in result.issues:
            if (issue.transaction, issue.claim) != heading:
                if heading is None or issue.transaction != heading[0]:
                    label = f"transaction set {issue.transaction}" if issue.transaction else "envelope"
                    console.print(f"  [bold]{escape(printable(label))}[/]", emoji=False)
                if issue.claim:
                    console.print(f"    claim [bold]{escape(printable(issue.claim))}[/]", emoji=False)
                heading = (issue.transaction, issue.claim)
            _render_issue(console, issue)
    summary = counts(totals if totals is not None else results)
    style = "bold red" if summary["error"] or summary["unreadable"] else "bold green"
    text = (
        f"{summary['error']} error(s), {summary['warning']} warning(s), {summary['info']} note(s)"
        f" in {len(results)} file(s)"
    )
    if summary["unreadable"]:
        text += f"; {summary['unreadable']} unreadable"
    if summary["not_validated"]:
        text += f"; {summary['not_validated']} with transaction sets not validated (no guide)"
    console.print(f"[{style}]{text}[/]", emoji=False)


def _render_issue(console: Console, issue: Issue) -> None:
    snip = f"SNIP {issue.snip}" if issue.snip is not None else "ordering"
    style = STYLES.get(issue.severity, "")
    console.print(
        f"      [{style}]{issue.severity}[/] [dim]{snip} {escape(issue.rule)}[/] {escape(printable(_where(issue)))}",
        soft_wrap=True,
        emoji=False,
    )
    console.print(f"        {escape(printable(issue.message))}", soft_wrap=True, emoji=False)
    if issue.segment_text:
        console.print(f"        {escape(printable(issue.segment_text))}", soft_wrap=True, style="dim", emoji=False)
        carets = caret_line(issue)
        if carets:
            console.print(f"        {carets}", soft_wrap=True, style=style, emoji=False)
