"""`edi validate` from the command line: exit codes 0/1/2, the JSON shape, --snip and --ack."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from edi.cli import app
from edi.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE
from edi.x12.reader import read_document
from tests.conftest import SAMPLES

runner = CliRunner()
SAMPLE = SAMPLES / "837p-office-visits.x12"
FINDING_FIELDS = {
    "severity", "snip", "rule", "message", "segment_id", "segment_position", "loop", "element", "file", "line",
    "transaction", "claim", "segment_text",
}  # fmt: skip


def faulty(tmp_path: Path) -> Path:
    """The 837P sample with a claim charge that does not add up."""
    path = tmp_path / "unbalanced.x12"
    path.write_text(SAMPLE.read_text().replace("CLM*PCN-1001*245", "CLM*PCN-1001*999"))
    return path


def test_a_clean_file_exits_0() -> None:
    result = runner.invoke(app, ["validate", str(SAMPLE)])
    assert result.exit_code == EXIT_OK, result.output
    assert "0 error(s)" in result.output


def test_errors_exit_1_and_are_shown_with_a_caret(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(faulty(tmp_path))], env={"COLUMNS": "200"})
    assert result.exit_code == EXIT_FINDINGS
    lines = result.output.splitlines()
    text = next(i for i, line in enumerate(lines) if line.strip().startswith("CLM*PCN-1001*999"))
    assert lines[text + 1].index("^^^") == lines[text].index("999")
    assert "claim PCN-1001" in result.output
    assert "1 error(s)" in result.output


def test_an_unreadable_file_exits_2_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not an interchange")
    result = runner.invoke(app, ["validate", str(bad), str(SAMPLE)])
    assert result.exit_code == EXIT_UNREADABLE
    assert "notes.txt" in result.output and "no ISA segment" in result.output


def test_json_lists_findings_per_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--json", str(faulty(tmp_path)), str(SAMPLE)])
    assert result.exit_code == EXIT_FINDINGS
    data = json.loads(result.stdout)
    assert data["summary"] == {
        "files": 2,
        "errors": 1,
        "warnings": 0,
        "info": 0,
        "unreadable": 0,
        "not_validated": 0,
        "filtered_out": 0,
    }
    first, second = data["files"]
    assert first["readable"] and second["findings"] == []
    (finding,) = first["findings"]
    assert set(finding) == FINDING_FIELDS
    assert (finding["rule"], finding["segment_id"], finding["segment_position"], finding["element"]) == (
        "snip3.claim_charge", "CLM", 19, "CLM02",
    )  # fmt: skip
    assert finding["claim"] == "PCN-1001" and finding["loop"] == "2300" and finding["snip"] == 3


def test_snip_limits_the_rules(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--json", "--snip", "2", str(faulty(tmp_path))])
    assert result.exit_code == EXIT_OK
    assert json.loads(result.stdout)["summary"]["errors"] == 0


def test_ack_writes_a_999_that_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "out.999"
    result = runner.invoke(app, ["validate", str(SAMPLE), "--ack", str(out)])
    assert result.exit_code == EXIT_OK
    (_, _, transaction), *_ = read_document(out).transactions()
    assert transaction.st.get(1) == "999"


def test_ack_for_several_files_writes_one_per_file(tmp_path: Path) -> None:
    folder = tmp_path / "acks"
    runner.invoke(app, ["validate", str(SAMPLE), str(faulty(tmp_path)), "--ack", str(folder)])
    assert sorted(p.name for p in folder.iterdir()) == ["837p-office-visits.999", "unbalanced.999"]


def test_ack_adds_a_ta1_when_the_envelope_is_broken(tmp_path: Path) -> None:
    broken = tmp_path / "broken.x12"
    broken.write_text(SAMPLE.read_text().replace("IEA*1*000000101", "IEA*1*000000999"))
    out = tmp_path / "broken.999"
    result = runner.invoke(app, ["validate", str(broken), "--ack", str(out)])
    assert result.exit_code == EXIT_FINDINGS
    first, second = read_document(out).interchanges
    assert [s.get(5) for s in first.ta1] == ["001"]
    assert second.groups and second.groups[0].transactions[0].st.get(1) == "999"
