"""`edi reconcile` from the command line: table, JSON checked against its schema, CSV, errors."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edi.cli import app
from edi.errors import EdiError
from edi.schemas import schema_problems
from edi.x12.reader import read_document
from edi.x12.segment import Segment
from tests.conftest import SAMPLES, CorpusFile, corpus_files

DATA = Path(__file__).parent / "data" / "reconcile"
runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["reconcile", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_table_for_the_samples_shows_each_claim_and_the_totals() -> None:
    code, out, _ = invoke("--claims", SAMPLES / "837p-office-visits.x12", "--remit", SAMPLES / "835-office-visits.x12")
    assert code == 0
    for text in ("PCN-1001", "PCN-1002", "PCN-1003", "Total", "675.00", "406.25", "138.75", "(balanced)"):
        assert text in out


def test_json_matches_the_schema_and_carries_amounts_as_strings() -> None:
    code, out, _ = invoke(
        "--claims", DATA / "batch.837", "--remit", DATA / "batch-1.835", "--remit", DATA / "batch-2.835", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert schema_problems("reconciliation", data) == []
    assert data["open_claims"] == ["PCN-2004"]
    assert data["unmatched_remittance_claims"] == ["PCN-9999", "PCN-2OO4"]
    first = data["claims"][0]
    assert (first["billed"], first["paid"], first["patient_responsibility"]) == ("120.00", "65.00", "25.00")
    assert first["patient_responsibility_by_type"]["copay"] == "25.00"
    assert data["totals"]["provider_adjustments"] == "22.50"


def test_json_keeps_claim_level_only_lines_null() -> None:
    code, out, _ = invoke("--claims", DATA / "inpatient.837", "--remit", DATA / "inpatient.835", "--json")
    assert code == 0
    lines = json.loads(out)["claims"][0]["lines"]
    assert {(line["paid"], line["patient_responsibility"]) for line in lines} == {(None, None)}


def test_csv_has_one_row_per_claim_line(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    code, _, _ = invoke("--claims", DATA / "lines.837", "--remit", DATA / "lines.835", "--csv", "-o", target)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 8
    assert rows[1]["line_control_number"] == "A2"
    assert (rows[1]["billed"], rows[1]["paid"]) == ("120.00", "90.00")


def test_json_and_csv_together_are_refused() -> None:
    code, _, err = invoke("--claims", DATA / "office.837", "--remit", DATA / "office.835", "--json", "--csv")
    assert code == 2
    assert "choose one of --json and --csv" in err


def test_an_unreadable_remittance_stops_the_command_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.835"
    broken.write_text("this is not X12", encoding="utf-8")
    target = tmp_path / "out.json"
    code, out, err = invoke(
        "--claims", DATA / "office.837", "--remit", DATA / "office.835", "--remit", broken, "--json", "-o", target
    )
    assert code == 2
    assert str(broken) in err and "balanced" not in out
    assert not target.exists()


def test_a_claim_file_cut_short_stops_the_command_with_the_readers_error(tmp_path: Path) -> None:
    """Only the grammar sees that the set never ends: the command must stop on it, not skip the file."""
    text = (DATA / "office.837").read_text(encoding="utf-8")
    cut = tmp_path / "cut.837"
    cut.write_text(text[: text.index("CLM*")], encoding="utf-8")
    target = tmp_path / "out.json"
    code, out, err = invoke("--claims", cut, "--remit", DATA / "office.835", "--json", "-o", target)
    assert code == 2, out
    assert str(cut) in err and "ends inside a transaction set" in err
    assert not target.exists()


@pytest.mark.parametrize("problem", ["missing", "folder", "empty folder", "wrong kind"])
def test_every_unusable_input_is_named_with_exit_2(tmp_path: Path, problem: str) -> None:
    bad = {
        "missing": tmp_path / "missing.835",
        "folder": tmp_path,
        "empty folder": tmp_path / "empty",
        "wrong kind": DATA / "office.837",
    }[problem]
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("not X12", encoding="utf-8")
    code, out, err = invoke("--claims", DATA / "office.837", "--remit", bad)
    assert code == 2, out
    assert str(bad) in err
    assert out == ""


def test_a_file_of_the_wrong_kind_is_named_with_a_hint() -> None:
    code, _, err = invoke(
        "--claims", DATA / "office.835", "--claims", DATA / "office.837", "--remit", DATA / "office.835"
    )
    assert code == 2
    assert "holds no 837 transaction set" in err and "give it to --remit" in err


def test_folders_globs_and_loose_files_are_accepted(tmp_path: Path) -> None:
    remits = tmp_path / "remits"
    remits.mkdir()
    (remits / "a.835").write_bytes((DATA / "office.835").read_bytes())
    (remits / "readme.md").write_text("# not X12", encoding="utf-8")
    by_folder = invoke("--claims", DATA / "office.837", "--remit", remits, "--json")
    by_glob = invoke("--claims", str(DATA / "office.*7"), "--remit", str(remits / "*.835"), "--json")
    loose = invoke("--claims", DATA / "office.837", "--remit", remits / "a.835", DATA / "office.835", "--json")
    alone = invoke("--claims", DATA / "office.837", "--remit", DATA / "office.835", "--json")
    assert by_folder[0] == by_glob[0] == loose[0] == 0
    paid = json.loads(alone[1])["totals"]["paid"]
    assert json.loads(by_folder[1])["totals"]["paid"] == json.loads(by_glob[1])["totals"]["paid"] == paid
    # A copy of the same 835 under another name is the same remittance: taken once, never paid twice.
    payments = Decimal(json.loads(alone[1])["totals"]["payments"])
    assert Decimal(json.loads(loose[1])["totals"]["payments"]) == payments
    assert json.loads(loose[1])["skipped_files"]


def test_whole_corpus_reconciles_without_a_traceback(tmp_path: Path) -> None:
    claims = corpus_files("837p", "837i", "837d")
    remits = corpus_files("835")
    if not claims or not remits:
        pytest.skip("corpus not found")
    claims, remits = _usable(claims, "837"), _usable(remits, "835")
    args: list[str | Path] = []
    for row in claims:
        args += ["--claims", row.path]
    for row in remits:
        args += ["--remit", row.path]
    target = tmp_path / "corpus.json"
    result = runner.invoke(app, ["reconcile", *map(str, args), "--json", "-o", str(target)])
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert schema_problems("reconciliation", data) == []
    skipped = {s["file"] for s in data["skipped_files"]}
    numbers = {c["patient_control_number"] for c in data["claims"]}
    answered = {c["patient_control_number"] for c in data["claims"] if c["remittances"]}
    assert numbers == answered | set(data["open_claims"])
    assert numbers == {s.get(1) for s in _segments(claims, skipped, "CLM")}
    clps = [s.get(1) for s in _segments(remits, skipped, "CLP")]
    attached = sum(len(c["remittances"]) for c in data["claims"])
    assert len(clps) == attached + len(data["unmatched_remittance_claims"])
    assert set(data["unmatched_remittance_claims"]).isdisjoint(numbers)


def _usable(rows: list[CorpusFile], kind: str) -> list[CorpusFile]:
    usable = []
    for row in rows:
        try:
            document = read_document(row.path)
        except EdiError:
            continue
        if any(t.st.get(1) == kind for _, _, t in document.transactions()):
            usable.append(row)
    return usable


def _segments(rows: list[CorpusFile], skipped: set[str], seg_id: str) -> list[Segment]:
    found = []
    for row in rows:
        if str(row.path) not in skipped:
            found += [s for s in read_document(row.path).segments() if s.id == seg_id]
    return found
