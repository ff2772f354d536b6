"""`edi validate --select/--ignore/--max-findings`, the same in a config file, and the published JSON format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edi.cli import app
from edi.commands.findings import matches
from edi.errors import EXIT_FINDINGS, EXIT_OK
from edi.schemas import schema_problems
from edi.x12.reader import read_document
from tests.conftest import SAMPLES

runner = CliRunner()
SAMPLE = SAMPLES / "837p-office-visits.x12"


def faulty(tmp_path: Path) -> Path:
    """Two charge errors (snip3) and a bad NPI check digit (snip5)."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("CLM*PCN-1001*245", "CLM*PCN-1001*999").replace("CLM*PCN-1002*120", "CLM*PCN-1002*121")
    text = text.replace("XX*1234567893", "XX*1234567890")
    path = tmp_path / "faulty.x12"
    path.write_text(text, encoding="utf-8")
    return path


def rules(result_stdout: str) -> list[str]:
    return [f["rule"] for f in json.loads(result_stdout)["files"][0]["findings"]]


def test_rule_ids_match_by_whole_dotted_prefix() -> None:
    assert matches("snip5.npi_check_digit", "snip5")
    assert matches("snip5.npi_check_digit", "snip5.npi_check_digit")
    assert not matches("snip5.npi_check_digit", "snip5.npi")
    assert not matches("snip50.x", "snip5")


def test_the_json_has_its_format_and_matches_its_schema(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--json", str(faulty(tmp_path)), str(SAMPLE)])
    data = json.loads(result.stdout)
    assert data["format"] == "edi.findings/1"
    assert schema_problems("findings", data) == []
    assert {"snip3.claim_charge", "snip5.npi_check_digit"} <= set(rules(result.stdout))


def test_ignore_by_prefix_and_by_id(tmp_path: Path) -> None:
    source = faulty(tmp_path)
    everything = rules(runner.invoke(app, ["validate", "--json", str(source)]).stdout)
    by_prefix = runner.invoke(app, ["validate", "--json", str(source), "--ignore", "snip3"])
    assert by_prefix.exit_code == EXIT_FINDINGS
    assert rules(by_prefix.stdout) == [r for r in everything if not r.startswith("snip3.")]
    both = runner.invoke(app, ["validate", "--json", str(source), "--ignore", "snip3,snip5.npi_check_digit"])
    assert both.exit_code == EXIT_OK
    data = json.loads(both.stdout)
    assert data["files"][0]["filtered_out"] == {"snip3.claim_charge": 2, "snip5.npi_check_digit": 1}
    assert data["summary"]["filtered_out"] == 3 and data["filters"]["ignore"] == ["snip3", "snip5.npi_check_digit"]


def test_select_keeps_only_the_rules_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--json", str(faulty(tmp_path)), "--select", "snip5"])
    assert set(rules(result.stdout)) == {"snip5.npi_check_digit"}


def test_the_text_report_lists_what_was_filtered_out(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(faulty(tmp_path)), "--ignore", "snip3"])
    assert "filtered out" in result.stdout and "snip3.claim_charge 2" in result.stdout


def test_a_filtered_999_says_so_on_standard_error(tmp_path: Path) -> None:
    ack = tmp_path / "out.999"
    result = runner.invoke(app, ["validate", str(faulty(tmp_path)), "--ignore", "snip3,snip5", "--ack", str(ack)])
    assert result.exit_code == EXIT_OK
    assert "leaves out 3 error(s)" in result.stderr and "snip3.claim_charge" in result.stderr
    assert read_document(ack).transactions()


def test_max_findings_cuts_the_list_but_not_the_counts_or_the_exit_code(tmp_path: Path) -> None:
    source = faulty(tmp_path)
    full = json.loads(runner.invoke(app, ["validate", "--json", str(source)]).stdout)
    result = runner.invoke(app, ["validate", "--json", str(source), "--max-findings", "1"])
    assert result.exit_code == EXIT_FINDINGS
    data = json.loads(result.stdout)
    entry = data["files"][0]
    assert len(entry["findings"]) == 1 and entry["truncated"] is True
    assert sum(entry["by_rule"].values()) == len(full["files"][0]["findings"]) == data["summary"]["errors"]
    assert entry["by_rule"]["snip3.claim_charge"] == 2
    text = runner.invoke(app, ["validate", str(source), "--max-findings", "1"]).stdout
    assert "1 of 3 findings shown" in text and "snip3.claim_charge 2" in text


def test_a_malformed_rule_is_exit_2() -> None:
    result = runner.invoke(app, ["validate", str(SAMPLE), "--ignore", "SNIP 5"])
    assert result.exit_code == 2 and "not a rule id or prefix" in result.stderr


@pytest.mark.parametrize("where", ["edi.toml in the current folder", "pyproject.toml beside the file"])
def test_the_config_file_filters_and_the_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    source = faulty(files)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    if where.startswith("edi.toml"):
        (work / "edi.toml").write_text('ignore = ["snip5"]\n', encoding="utf-8")
    else:
        (files / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.edi]\nignore = ["snip5"]\n', "utf-8")
    configured = json.loads(runner.invoke(app, ["validate", "--json", str(source)]).stdout)
    assert "snip5.npi_check_digit" not in [f["rule"] for f in configured["files"][0]["findings"]]
    assert configured["filters"]["config"] and configured["filters"]["ignore"] == ["snip5"]
    overridden = runner.invoke(app, ["validate", "--json", str(source), "--ignore", "snip3"])
    assert set(rules(overridden.stdout)) == {"snip5.npi_check_digit"}


def test_a_broken_config_file_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "edi.toml").write_text("ignore = [snip5\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(SAMPLE)])
    assert result.exit_code == 2 and "edi.toml" in result.stderr
    (tmp_path / "edi.toml").write_text('ignor = ["snip5"]\n', encoding="utf-8")
    result = runner.invoke(app, ["validate", str(SAMPLE)])
    assert result.exit_code == 2 and "unknown config keys" in result.stderr
