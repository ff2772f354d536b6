"""The report for people: carets under the element, grouping by claim, the summary line."""

from __future__ import annotations

from rich.console import Console

from edi.validate.issue import Issue, Severity
from edi.validate.report import FileResult, caret_line, render, report_json


def issue(text: str, element: str | None, claim: str | None = None, severity: Severity = "error") -> Issue:
    """A finding on the segment ``text``."""
    return Issue(
        severity=severity,
        snip=2,
        rule="snip2.example",
        message="example",
        file="f.x12",
        line=4,
        segment_id=text.split("*")[0],
        segment_position=3,
        loop="2300",
        element=element,
        segment_text=text,
        transaction="0001",
        claim=claim,
    )


def test_the_caret_sits_under_the_named_element() -> None:
    text = "CLM*PCN-1*245***11:B:1"
    assert caret_line(issue(text, "CLM02")) == " " * text.index("245") + "^^^"
    assert caret_line(issue(text, "CLM05-3")) == " " * text.index("11:B:1") + "^" * len("11:B:1")


def test_a_missing_trailing_element_gets_a_caret_past_the_end() -> None:
    assert caret_line(issue("NM1*41*2", "NM103")) == " " * len("NM1*41*2") + "^"


def test_no_caret_without_an_element() -> None:
    assert caret_line(issue("LX*1", None)) is None


def test_findings_are_grouped_by_transaction_and_claim() -> None:
    console = Console(width=120, record=True, color_system=None)
    results = [
        FileResult(
            "f.x12", [issue("CLM*A*1", "CLM02", "A"), issue("SV1*HC:1*1", "SV102", "A"), issue("CLM*B*1", "CLM02", "B")]
        ),
        FileResult("g.x12", unreadable="g.x12, line 1: no ISA segment"),
    ]
    render(console, results)
    text = console.export_text()
    assert text.count("transaction set 0001") == 1
    assert text.count("claim A") == 1 and text.count("claim B") == 1
    assert "unreadable" in text
    assert text.strip().splitlines()[-1] == "3 error(s), 0 warning(s), 0 note(s) in 2 file(s); 1 unreadable"


def test_json_counts_by_severity() -> None:
    data = report_json([FileResult("f.x12", [issue("LX*1", None), issue("LX*2", None, severity="warning")])])
    assert data["summary"] == {"files": 1, "errors": 1, "warnings": 1, "info": 0, "unreadable": 0, "not_validated": 0}
    assert data["files"][0]["findings"][1]["severity"] == "warning"
