"""edi view: the HTML page of a file, its findings at their segments, every value escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from typer.testing import CliRunner

from edi.cli import app
from edi.validate.runner import validate_file
from edi.view import render_html
from edi.x12.segment import Segment
from tests.conftest import SAMPLES, TWO_FAULTS, seeded_batch


class _Findings(HTMLParser):
    """Each finding of the page with the segment <div> it sits in, and the elements marked bad."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict[str, str | None]] = []
        self.findings: list[tuple[str, str, str, str]] = []  # rule, element, segment id, position
        self.bad: list[tuple[str, str]] = []  # segment position, element reference
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        if tag in ("meta", "br", "link", "img", "input"):
            return
        self.stack.append({"tag": tag, **found})
        segment = next((e for e in reversed(self.stack) if "seg" in (e.get("class") or "").split()), None)
        classes = (found.get("class") or "").split()
        if segment is not None and tag == "li" and "finding" in classes:
            self.findings.append(
                (found["data-rule"] or "", found.get("data-element") or "", segment["data-segment"] or "",
                 segment["data-position"] or "")
            )  # fmt: skip
        if segment is not None and "bad" in classes:
            self.bad.append((segment["data-position"] or "", found["data-ref"] or ""))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break


def _parse(html: str) -> _Findings:
    parser = _Findings()
    parser.feed(html)
    return parser


def test_each_finding_is_shown_at_its_segment_and_element(tmp_path: Path) -> None:
    path = seeded_batch(tmp_path, *TWO_FAULTS)
    _, issues = validate_file(path)
    assert len(issues) == 2
    parsed = _parse(render_html(path))
    for issue in issues:
        assert (issue.rule, issue.element, issue.segment_id, str(issue.segment_position)) in parsed.findings
        assert (str(issue.segment_position), issue.element) in parsed.bad
    assert len(parsed.findings) == len(issues)


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    html = render_html(seeded_batch(tmp_path, *TWO_FAULTS))
    parsed = _parse(html)
    assert not {"link", "img", "iframe", "object", "embed"} & set(parsed.tags)
    for outside in ("src=", "http://", "https://", "@import", "url(", "@font-face"):
        assert outside not in html


def test_values_are_escaped_never_markup(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    path = seeded_batch(tmp_path, ("NM1*IL*1*DOE*JOHN*A", f"NM1*IL*1*DOE{hostile}*JOHN*A"))
    html = render_html(path)
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert _parse(html).tags.count("script") == 1  # the page's own


def test_loops_carry_the_guide_names_and_elements_their_names(tmp_path: Path) -> None:
    html = render_html(seeded_batch(tmp_path, *TWO_FAULTS))
    assert '<span class="loop-name">2300 Claim Information</span>' in html
    assert 'title="CLM02 Total Claim Charge Amount (error: snip3.claim_charge)"' in html
    assert 'title="SV101-2 Procedure Code"' in html


def test_totals_at_the_top(tmp_path: Path) -> None:
    html = render_html(seeded_batch(tmp_path, *TWO_FAULTS))
    head = html.split("<main>")[0]
    assert "<th>Claims</th><td>3</td>" in head
    assert "<th>Total charge</th><td>685.00</td>" in head  # 245 + 130 + 310
    remit = render_html(SAMPLES / "835-office-visits.x12")
    assert "<th>Payment (BPR02)</th><td>406.25</td>" in remit
    assert "Claim Payment Information" in remit


def test_999_and_277ca_pages(tmp_path: Path) -> None:
    source = seeded_batch(tmp_path, *TWO_FAULTS)
    ack, ack277 = tmp_path / "a.999", tmp_path / "a.277"
    result = CliRunner().invoke(app, ["validate", str(source), "--ack", str(ack), "--ack277", str(ack277)])
    assert result.exit_code == 1, result.output
    assert "<th>Sets accepted</th><td>1</td>" in render_html(ack)
    page = render_html(ack277)
    assert "<th>Claims rejected</th><td>2</td>" in page
    assert "2200D Claim Status Tracking Number" in page


def test_redaction_hides_values_and_their_mentions(tmp_path: Path) -> None:
    path = seeded_batch(tmp_path, ("XX*1558598797", "XX*1558598790"))
    plain = render_html(path)
    assert "W123456789" in plain and "1558598790 is not a valid NPI" in plain
    hidden = render_html(path, redact=_mask_names_and_ids)
    assert "W123456789" not in hidden and "1558598790" not in hidden and "PATEL" not in hidden
    assert "XXXXXXXXXX is not a valid NPI" in hidden


def _mask_names_and_ids(segment: Segment) -> list[str]:
    masked = (3, 9) if segment.id == "NM1" else ()
    return ["X" * len(v) if n in masked else v for n, v in enumerate(segment.elements, start=1)]


def test_cli_writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["view", str(seeded_batch(tmp_path, *TWO_FAULTS)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    missing = CliRunner().invoke(app, ["view", str(tmp_path / "nope.837")])
    assert missing.exit_code == 2


def test_envelope_findings_sit_at_their_envelope_segments(tmp_path: Path) -> None:
    path = seeded_batch(tmp_path, ("IEA*1*000000101", "IEA*1*000000102"), ("SE*60*0001", "SE*61*0001"))
    _, issues = validate_file(path)
    found = _parse(render_html(path)).findings
    assert {(i.rule, i.segment_id) for i in issues} == {
        ("snip1.interchange_control_number", "IEA"),
        ("snip1.segment_count", "SE"),
    }
    assert {(rule, segment) for rule, _, segment, _ in found} == {(i.rule, i.segment_id) for i in issues}
