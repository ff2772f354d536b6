"""Command-line conventions: --version, python -m edi, - for stdin and stdout, several inputs, clean help."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

import edi
from edi.cli import app
from edi.commands import common
from tests.conftest import ROOT, SAMPLES

runner = CliRunner()
SAMPLE_837 = SAMPLES / "837p-office-visits.x12"
SAMPLE_835 = SAMPLES / "835-office-visits.x12"
COMMANDS = ("parse", "write", "build", "read", "validate", "reconcile")


def edi_process(
    *args: str | Path, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "edi", *map(str, args)], input=stdin, capture_output=True, cwd=cwd, env=environment
    )


def test_version_comes_from_the_package() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"edi {edi.__version__}"


def test_python_dash_m_edi_runs_the_command() -> None:
    result = edi_process("--version")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == f"edi {edi.__version__}"


def test_completion_is_offered() -> None:
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_type_labels(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    for label in ("<bool>", "<list", "<path>", "<int", "<str>", "{files}"):
        assert label not in result.stdout


def test_dash_reads_standard_input_for_every_reading_command(tmp_path: Path) -> None:
    data = SAMPLE_837.read_bytes()
    parsed = edi_process("parse", "--json", "-", stdin=data)
    assert parsed.returncode == 0, parsed.stderr
    from_file = json.loads(edi_process("parse", "--json", SAMPLE_837).stdout)
    from_stdin = json.loads(parsed.stdout)
    assert from_stdin["file"] == "<stdin>"
    assert from_stdin["interchanges"] == from_file["interchanges"]
    read = edi_process("read", "-", stdin=data)
    assert json.loads(read.stdout) == json.loads(edi_process("read", SAMPLE_837).stdout)
    validated = edi_process("validate", "--json", "-", stdin=data)
    assert validated.returncode == 0, validated.stderr
    assert json.loads(validated.stdout)["files"][0]["file"] == "<stdin>"
    claims_json = edi_process("read", SAMPLE_837).stdout
    built = edi_process("build", "-", stdin=claims_json)
    assert built.returncode == 0 and built.stdout.startswith(b"ISA*")
    tree = edi_process("parse", "--json", SAMPLE_837).stdout
    assert edi_process("write", "-", stdin=tree).stdout == data
    reconciled = edi_process("reconcile", "--claims", "-", "--remit", SAMPLE_835, "--json", stdin=data)
    assert reconciled.returncode == 0 and json.loads(reconciled.stdout)["totals"]["claims"] == 3


def test_validate_findings_from_standard_input_name_it(tmp_path: Path) -> None:
    broken = SAMPLE_837.read_bytes().replace(b"CLM*PCN-1001*245", b"CLM*PCN-1001*999")
    result = edi_process("validate", "--json", "-", stdin=broken)
    assert result.returncode == 1
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert findings and {f["file"] for f in findings} == {"<stdin>"}
    truncated = edi_process("validate", "-", stdin=broken[: len(broken) // 2])
    assert truncated.returncode == 2 and b"<stdin>" in truncated.stderr and b"edi-stdin" not in truncated.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["parse", "--json", SAMPLE_837],
        ["read", SAMPLE_837],
        ["build", SAMPLES / "837p-office-visits.json"],
        ["reconcile", "--claims", SAMPLE_837, "--remit", SAMPLE_835, "--json"],
    ],
)
def test_dash_output_is_standard_output_never_a_file(tmp_path: Path, args: list[str | Path]) -> None:
    result = edi_process(*args, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout
    assert not (tmp_path / "-").exists()


def test_parse_read_and_validate_take_files_folders_and_globs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "b.837").write_bytes(SAMPLE_837.read_bytes())
    (folder / "a.835").write_bytes(SAMPLE_835.read_bytes())
    (folder / "notes.txt").write_text("not X12", encoding="utf-8")
    by_folder = runner.invoke(app, ["validate", "--json", str(folder)])
    by_glob = runner.invoke(app, ["validate", "--json", str(folder / "*.83?")])
    by_files = runner.invoke(app, ["validate", "--json", str(folder / "a.835"), str(folder / "b.837")])
    names = [[f["file"] for f in json.loads(r.stdout)["files"]] for r in (by_folder, by_glob, by_files)]
    assert names[0] == names[1] == names[2] == [str(folder / "a.835"), str(folder / "b.837")]
    parsed = runner.invoke(app, ["parse", "--json", str(folder)])
    assert [json.loads(line)["file"] for line in parsed.stdout.splitlines()] == names[0]
    read = runner.invoke(app, ["read", str(folder / "*.8*")])
    assert [json.loads(line)["format"] for line in read.stdout.splitlines()] == ["edi.remittance/1", "edi.claims/1"]


@pytest.mark.parametrize("command", ["parse", "read", "validate"])
@pytest.mark.parametrize("problem", ["missing", "glob", "empty folder"])
def test_an_input_that_matches_nothing_is_exit_2(tmp_path: Path, command: str, problem: str) -> None:
    (tmp_path / "empty").mkdir()
    argument = {"missing": tmp_path / "nope.837", "glob": tmp_path / "*.nothing", "empty folder": tmp_path / "empty"}
    result = runner.invoke(app, [command, str(SAMPLE_837), str(argument[problem])])
    assert result.exit_code == 2
    assert str(argument[problem]) in result.stderr
    assert "Traceback" not in result.output


def test_messages_are_not_wrapped_when_not_a_terminal(tmp_path: Path) -> None:
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / ("and-another-long-one-" * 3)
    deep.mkdir(parents=True)
    missing = deep / "claims-that-do-not-exist.837"
    result = runner.invoke(app, ["validate", str(missing)])
    assert result.exit_code == 2
    assert str(missing) in result.stderr


def test_no_progress_bar_when_standard_error_is_not_a_terminal() -> None:
    result = runner.invoke(app, ["validate", str(SAMPLE_837)])
    assert result.exit_code == 0 and result.stderr == ""


def test_progress_bar_is_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(common, "stderr", Console(file=screen, force_terminal=True, width=100))
    monkeypatch.setattr(common, "PROGRESS_MIN_BYTES", 0)
    assert list(common.progress([SAMPLE_837, SAMPLE_835], "validating")) == [SAMPLE_837, SAMPLE_835]
    assert "validating" in screen.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(common, "stderr", Console(file=quiet, force_terminal=False))
    assert list(common.progress([SAMPLE_837], "validating")) == [SAMPLE_837]
    assert quiet.getvalue() == ""


def test_build_given_x12_says_to_use_read(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(SAMPLE_837)])
    assert result.exit_code == 2
    assert "this is X12" in result.stderr and "edi read" in result.stderr


@pytest.mark.parametrize("sample", ["837p-office-visits.json", "835-office-visits.json"])
def test_write_given_business_json_says_to_use_build(sample: str) -> None:
    result = runner.invoke(app, ["write", str(SAMPLES / sample)])
    assert result.exit_code == 2
    assert "use `edi build`" in result.stderr


def test_read_of_several_files_as_csv_has_one_header() -> None:
    first, second = SAMPLE_835, SAMPLES / "835-office-visits-correction.x12"
    alone = [runner.invoke(app, ["read", "--csv", str(path)]).stdout.splitlines() for path in (first, second)]
    together = runner.invoke(app, ["read", "--csv", str(first), str(second)]).stdout.splitlines()
    assert together == alone[0] + alone[1][1:]
    assert sum(line.startswith("trace_number,") for line in together) == 1


def test_a_command_added_later_gets_clean_help_too() -> None:
    extra = typer.Typer(cls=common.TidyGroup)

    @extra.command()
    def ledger(files: list[Path], flag: bool = False, limit: int = 3) -> None:
        """A command registered elsewhere."""

    @extra.command()
    def other() -> None:
        """A second command, so that the first is not the group's only one."""

    shown = runner.invoke(extra, ["ledger", "--help"]).stdout
    assert "--flag" in shown and "LIMIT" in shown
    assert "<bool>" not in shown and "<list" not in shown and "<int>" not in shown
