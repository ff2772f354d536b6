"""Claims rows to an 837: the sample billing export, errors by row and column, nothing written on an error."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from edi.claims.read import read_claims
from edi.errors import InputError
from edi.rows.build import build_rows
from edi.rows.columns import columns
from edi.rows.source import load_map, open_rows
from edi.rows.write import rows_for
from edi.validate.runner import validate_file
from edi.x12.reader import read_document
from tests.conftest import ROOT, SAMPLES

EXPORT = SAMPLES / "billing-export.csv"
MAP = SAMPLES / "billing-export.map.toml"
NOW = datetime(2026, 2, 6, 8, 30)


def _edi(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "edi.cli", *args], capture_output=True, text=True, check=False, cwd=ROOT, env=env
    )


def _export() -> tuple[list[str], list[dict[str, str]]]:
    with EXPORT.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, names: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _build(path: Path, max_claims: int = 5000) -> str:
    out = io.StringIO()
    build_rows(open_rows(path, load_map(MAP)), out, str(path), max_claims=max_claims, now=NOW)
    return out.getvalue()


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as refused:
        _build(path)
    return refused.value.problems


def test_the_export_builds_an_837p_with_its_claims_lines_and_secondary_payer(tmp_path: Path) -> None:
    _, rows = _export()
    data = read_claims(read_document(_build(EXPORT).encode()))
    claims = [
        claim
        for provider in data["billing_providers"]
        for subscriber in provider["subscribers"]
        for claim in subscriber.get("claims", []) + [c for p in subscriber.get("patients", []) for c in p["claims"]]
    ]
    assert [c["patient_control_number"] for c in claims] == list(dict.fromkeys(r["Claim No"] for r in rows))
    assert sum(len(c["lines"]) for c in claims) == len(rows)
    for claim in claims:
        mine = [r for r in rows if r["Claim No"] == claim["patient_control_number"]]
        assert Decimal(claim["charge"]) == sum(Decimal(r["Charge"]) for r in mine)
        assert [line["procedure"]["code"] for line in claim["lines"]] == [r["CPT"] for r in mine]
        assert claim["diagnoses"][0]["code"] == mine[0]["ICD Codes"].split(",")[0].replace(".", "")
    secondary = [c for c in claims if c.get("other_payers")]
    assert secondary and all(c["other_payers"][0]["payer_responsibility"] == "S" for c in secondary)
    assert {p["relationship"] for s in data["billing_providers"][0]["subscribers"] for p in s.get("patients", [])} == {
        "19"
    }


def test_the_export_validates_with_edi(tmp_path: Path) -> None:
    built = tmp_path / "export.837"
    built.write_text(_build(EXPORT), encoding="utf-8")
    _, findings = validate_file(built)
    assert [f for f in findings if f.severity == "error"] == []


def test_pyx12_accepts_the_export(tmp_path: Path) -> None:
    beside = Path(sys.executable).with_name("x12valid")
    tool = str(beside) if beside.is_file() else shutil.which("x12valid")
    if tool is None:
        pytest.skip("pyx12 (x12valid) is not installed")
    built = tmp_path / "export.837"
    built.write_text(_build(EXPORT), encoding="utf-8")
    result = subprocess.run([tool, str(built)], capture_output=True, text=True, check=False, cwd=ROOT)
    assert f"{built}: OK" in result.stdout + result.stderr, result.stdout + result.stderr


def test_the_export_read_back_as_rows_builds_the_same_837(tmp_path: Path) -> None:
    first = _build(EXPORT)
    names, rows = rows_for(read_claims(read_document(first.encode())))
    again = _write(tmp_path / "rows.csv", names, rows)
    out = io.StringIO()
    build_rows(open_rows(again), out, str(again), now=NOW)
    assert out.getvalue() == first


def test_claims_are_cut_into_transaction_sets_of_at_most_max_claims() -> None:
    document = read_document(_build(EXPORT, max_claims=2).encode())
    transactions = [t for _, _, t in document.transactions()]
    assert [t.control_number for t in transactions] == ["0001", "0002"]
    assert len(document.interchanges) == 1
    assert [len(read_claims(document)["batch"][n]["billing_providers"][0]["subscribers"]) for n in (0, 1)] == [2, 1]


def test_claims_are_cut_before_a_set_would_pass_max_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("edi.rows.group.MAX_LINES", 6)
    batch = read_claims(read_document(_build(EXPORT).encode()))["batch"]
    lines = [
        sum(len(c["lines"]) for s in d["billing_providers"][0]["subscribers"] for c in _claims_of(s)) for d in batch
    ]
    assert lines == [6, 3]  # claims of 4, 2 and 3 lines


def _claims_of(subscriber: dict[str, Any]) -> list[dict[str, Any]]:
    return list(subscriber.get("claims", [])) + [c for p in subscriber.get("patients", []) for c in p["claims"]]


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    names, rows = _export()
    names.remove("Charge")
    problems = _problems(_write(tmp_path / "rows.csv", names, [{n: r[n] for n in names} for r in rows]))
    assert problems == ["row 1, column line_charge: expected this column in the header row (or from --map)"]


def test_a_bad_date_is_named_by_row_and_column(tmp_path: Path) -> None:
    names, rows = _export()
    rows[2]["DOS From"] = "02/30/2026"
    problems = _problems(_write(tmp_path / "rows.csv", names, rows))
    assert problems == [
        "row 4, column DOS From (service_date): '02/30/2026' expected a real date, "
        "written YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY"
    ]


def test_a_charge_that_is_not_a_number_is_named_by_row_and_column(tmp_path: Path) -> None:
    names, rows = _export()
    rows[5]["Charge"] = "$30"
    problems = _problems(_write(tmp_path / "rows.csv", names, rows))
    assert len(problems) == 1
    assert problems[0].startswith("row 7, column Charge (line_charge): '$30' expected a number like 125 or 125.50")


def test_lines_of_one_claim_with_different_claim_values_name_the_row_that_disagrees(tmp_path: Path) -> None:
    names, rows = _export()
    rows[1]["POS"] = "22"
    problems = _problems(_write(tmp_path / "rows.csv", names, rows))
    assert problems == [
        "row 3, column POS (place_of_service): '22' expected '11' as in row 2, where claim 'RF-24001' began: "
        "every line of a claim carries the same claim, patient, subscriber, provider and envelope values"
    ]


def test_rows_of_one_claim_must_be_together(tmp_path: Path) -> None:
    names, rows = _export()
    rows.append(dict(rows[0]))
    problems = _problems(_write(tmp_path / "rows.csv", names, rows))
    assert len(problems) == 1
    assert problems[0].startswith("row 11, column Claim No (patient_control_number): 'RF-24001' expected the rows of")
    assert "(first at row 2)" in problems[0]


def test_a_separator_in_a_cell_is_refused_not_injected(tmp_path: Path) -> None:
    names, rows = _export()
    rows[4]["Payer"] = "ACME~NM1*PR*2*OTHER"
    problems = _problems(_write(tmp_path / "rows.csv", names, rows))
    assert problems[0].startswith("row 6, column Payer (payer_name): 'ACME~NM1*PR*2*OTHER' expected no '~'")


def test_schema_problems_are_named_by_row_and_column(tmp_path: Path) -> None:
    names, rows = _export()
    for row in rows[:4]:
        row["ICD Codes"] = "E11.65, I10, E7"
    problems = _problems(_write(tmp_path / "rows.csv", names, rows))
    assert problems == [
        "row 2, column ICD Codes (diagnoses): expected what the claims schema accepts "
        "('E7' does not match '^[A-Z0-9]{3,7}$')"
    ]


def test_an_unknown_column_without_a_map_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("patient_control_number,line_charge,transaction_type,charge\nA,1,837P,1\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        open_rows(path)
    assert refused.value.problems == [
        "row 1, column charge: expected a column of the claims rows layout (did you mean 'line_charge'?), "
        "a [columns] entry of --map, or ignore"
    ]


def test_a_map_naming_no_column_of_the_layout_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "map.toml"
    bad.write_text('[columns]\n"Claim No" = "claim_number"\n[constants]\npayer = "X"\n', encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_map(bad)
    assert len(refused.value.problems) == 2
    assert "'Claim No' = 'claim_number'" in refused.value.problems[0]


def test_cli_writes_nothing_on_an_error(tmp_path: Path) -> None:
    names, rows = _export()
    rows[-1]["Charge"] = "twelve"
    source = _write(tmp_path / "rows.csv", names, rows)
    out = tmp_path / "out.837"
    result = _edi("build", str(source), "--map", str(MAP), "-o", str(out))
    assert result.returncode == 2
    assert "row 10, column Charge (line_charge): 'twelve'" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]


def test_cli_builds_the_export_and_reads_it_back_as_parquet(tmp_path: Path) -> None:
    out = tmp_path / "export.837"
    assert _edi("build", str(EXPORT), "--map", str(MAP), "-o", str(out)).returncode == 0
    table = tmp_path / "rows.parquet"
    result = _edi("read", str(out), "--rows", "-o", str(table))
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again.837"
    assert _edi("build", str(table), "-o", str(again)).returncode == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_typed_parquet_columns_read_as_their_text(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names, rows = _export()
    values = {n: [r[n] for r in rows] for n in names}
    values["DOS From"] = [datetime.strptime(v, "%m/%d/%Y").date() for v in values["DOS From"]]  # type: ignore[misc]
    values["Charge"] = [Decimal(v) for v in values["Charge"]]  # type: ignore[misc]
    table = tmp_path / "export.parquet"
    pq.write_table(pa.table(values), table)
    out = io.StringIO()
    build_rows(open_rows(table, load_map(MAP)), out, str(table), now=NOW)
    assert out.getvalue() == _build(EXPORT)


def test_every_column_is_documented() -> None:
    text = (ROOT / "docs" / "claims-rows.md").read_text(encoding="utf-8").split("\n## Columns\n", 1)[1]
    documented = [line.split("|")[1].strip().strip("`") for line in text.splitlines() if line.startswith("| `")]
    assert documented == [c.name for c in columns()]
