"""The tidy tables: rows from the business JSON, bounded batches, atomic Parquet, `--parquet` and DuckDB."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import edi
from edi.cli import app
from edi.tables import SCHEMAS, claims_rows, record_batches, remittance_rows, write_parquet
from tests.conftest import SAMPLES

runner = CliRunner()
REMIT = SAMPLES / "835-office-visits.x12"
CLAIMS = SAMPLES / "837p-office-visits.x12"


def _claims(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for t in data["transactions"] for g in t.get("groups", []) for c in g.get("claims", [])]


def test_duckdb_reads_the_parquet_and_sums_each_claim_as_the_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["read", "--parquet", str(tmp_path), "-j", "1", str(REMIT), str(CLAIMS)])
    assert result.exit_code == 0, result.output
    remittance = edi.read_remittance(edi.read_document(REMIT))
    expected = {
        c["patient_control_number"]: sum((Decimal(line["paid"]) for line in c["lines"]), Decimal(0))
        for c in _claims(remittance)
    }
    query = f"""
        SELECT patient_control_number, sum(paid) FROM '{tmp_path / "lines.parquet"}'
        WHERE transaction_type = '835' GROUP BY patient_control_number
    """
    assert dict(duckdb.sql(query).fetchall()) == expected
    claim_paid = duckdb.sql(
        f"SELECT patient_control_number, paid FROM '{tmp_path / 'claims.parquet'}' WHERE transaction_type = '835'"
    ).fetchall()
    assert dict(claim_paid) == {c["patient_control_number"]: Decimal(c["paid"]) for c in _claims(remittance)}
    adjusted = duckdb.sql(
        f"SELECT sum(amount) FROM '{tmp_path / 'adjustments.parquet'}' WHERE group_code = 'PR'"
    ).fetchall()
    assert adjusted == [(sum(Decimal(c["patient_responsibility"]) for c in _claims(remittance)),)]
    claims = edi.read_claims(edi.read_document(CLAIMS))
    charges = duckdb.sql(
        f"""SELECT c.patient_control_number, c.charge, sum(l.charge), count(*)
            FROM '{tmp_path / "claims.parquet"}' c JOIN '{tmp_path / "lines.parquet"}' l USING (file, claim_number)
            WHERE c.transaction_type = '837P' GROUP BY ALL"""
    ).fetchall()
    found = [
        claim
        for provider in claims["billing_providers"]
        for subscriber in provider["subscribers"]
        for claim in subscriber.get("claims", []) + [c for p in subscriber.get("patients", []) for c in p["claims"]]
    ]
    assert sorted(charges) == sorted(
        (c["patient_control_number"], Decimal(c["charge"]), Decimal(c["charge"]), len(c["lines"])) for c in found
    )


def test_every_table_is_written_with_its_schema_even_when_empty(tmp_path: Path) -> None:
    result = runner.invoke(app, ["read", "--parquet", str(tmp_path), "-j", "1", str(CLAIMS)])
    assert result.exit_code == 0, result.output
    for name, schema in SCHEMAS.items():
        if name != "findings":
            assert pq.read_schema(tmp_path / f"{name}.parquet").remove_metadata() == schema
    assert pq.read_table(tmp_path / "payments.parquet").num_rows == 0
    assert not list(tmp_path.glob(".*"))


def test_a_file_that_cannot_be_read_is_an_error_row_and_the_others_are_written(tmp_path: Path) -> None:
    broken = tmp_path / "broken.x12"
    broken.write_text("ISA*00*", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["read", "--parquet", str(out), "-j", "2", str(broken), str(REMIT), str(CLAIMS)])
    assert result.exit_code == 2
    errors = pq.read_table(out / "errors.parquet").to_pylist()
    assert [row["file"] for row in errors] == [str(broken)]
    assert str(broken) in result.output
    claims = pq.read_table(out / "claims.parquet")
    assert sorted(set(claims.column("file").to_pylist())) == sorted([str(REMIT), str(CLAIMS)])


def test_the_pool_writes_what_one_process_writes(tmp_path: Path) -> None:
    files = [str(REMIT), str(CLAIMS), str(SAMPLES / "claims-837i.x12"), str(SAMPLES / "claims-837d.x12")]
    for jobs in ("1", "2"):
        result = runner.invoke(app, ["read", "--parquet", str(tmp_path / jobs), "-j", jobs, *files])
        assert result.exit_code == 0, result.output
    for name in SCHEMAS:
        if name != "findings":
            assert pq.read_table(tmp_path / "1" / f"{name}.parquet").equals(
                pq.read_table(tmp_path / "2" / f"{name}.parquet")
            ), name


def test_validate_parquet_writes_the_findings_and_keeps_the_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.x12"
    bad.write_text(CLAIMS.read_text(encoding="utf-8").replace("CLM*PCN-1001*245", "CLM*PCN-1001*999"), "utf-8")
    result = runner.invoke(app, ["validate", "--parquet", str(tmp_path / "out"), "-j", "1", str(bad), str(REMIT)])
    assert result.exit_code == 1, result.output
    findings = pq.read_table(tmp_path / "out" / "findings.parquet").to_pylist()
    balance = [f for f in findings if f["severity"] == "error" and f["file"] == str(bad)]
    assert balance and all(f["segment_position"] and f["rule"] and f["message"] for f in balance)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["errors.parquet", "findings.parquet"]
    clean = runner.invoke(app, ["validate", "--parquet", str(tmp_path / "clean"), str(REMIT)])
    assert clean.exit_code == 0, clean.output


def test_batches_hold_a_bounded_number_of_claims() -> None:
    data = edi.read_remittance(edi.read_document(REMIT))
    batches = list(record_batches(remittance_rows(data, "r.835"), claims_per_batch=2))
    assert [b.num_rows for name, b in batches if name == "claims"] == [2, 1]
    lines = pa.Table.from_batches([b for name, b in batches if name == "lines"])
    assert lines.column("claim_number").to_pylist() == [1, 1, 2, 3, 3]


def _claim(charge: str) -> dict[str, Any]:
    return {
        "transaction": {"type": "837P", "control_number": "0001"},
        "billing_providers": [
            {"subscribers": [{"claims": [{"patient_control_number": "P1", "charge": charge, "lines": []}]}]}
        ],
    }


def test_an_amount_that_does_not_fit_its_column_is_left_empty_and_reported() -> None:
    rows = list(claims_rows(_claim("12.345"), "c.837", itertools.count(7)))
    claim = next(row for name, row in rows if name == "claims")
    assert claim["charge"] is None and claim["claim_number"] == 7
    errors = [row for name, row in rows if name == "errors"]
    assert errors == [
        {
            "file": "c.837",
            "line": None,
            "message": "transaction 0001 claim 7 (P1) charge: '12.345' does not fit decimal(18,2); "
            "the column is left empty",
        }
    ]
    assert next(row for name, row in claims_rows(_claim("12.3"), "c.837") if name == "claims")["charge"] == Decimal(
        "12.30"
    )


def test_a_failed_write_leaves_the_previous_tables_and_no_temporary_file(tmp_path: Path) -> None:
    data = edi.read_remittance(edi.read_document(REMIT))
    write_parquet(tmp_path, record_batches(remittance_rows(data, "first.835")))
    before = pq.read_table(tmp_path / "claims.parquet")

    def failing() -> Iterator[tuple[str, pa.RecordBatch]]:
        yield from record_batches(remittance_rows(data, "second.835"))
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_parquet(tmp_path, failing())
    assert pq.read_table(tmp_path / "claims.parquet").equals(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{name}.parquet" for name in SCHEMAS)


def test_a_file_of_the_other_kind_gives_only_an_error_row() -> None:
    from edi.table_files import file_batches

    batches = file_batches(REMIT, "claims")
    assert [name for name, _ in batches] == ["errors"]
    assert batches[0][1].to_pylist() == [
        {"file": str(REMIT), "line": None, "message": f"{REMIT}: transaction set 0001 is of type 835; expected 837"}
    ]


def test_a_missing_file_gives_an_error_row(tmp_path: Path) -> None:
    from edi.table_files import file_batches

    missing = tmp_path / "gone.835"
    batches = file_batches(missing, "read")
    assert [(name, batch.to_pylist()) for name, batch in batches] == [
        (
            "errors",
            [
                {
                    "file": str(missing),
                    "line": None,
                    "message": f"{missing}: cannot open the file: No such file or directory",
                }
            ],
        )
    ]


def test_parquet_refuses_options_it_would_ignore(tmp_path: Path) -> None:
    result = runner.invoke(app, ["read", "--parquet", str(tmp_path), "-o", "x.json", str(REMIT)])
    assert result.exit_code == 2
    assert "--parquet writes its own files, unmasked; leave out -o and --redact" in result.output
    result = runner.invoke(app, ["validate", "--parquet", str(tmp_path), "--select", "snip3", str(REMIT)])
    assert result.exit_code == 2
    assert "leave out --json, --ack, --ack277, --select" in result.output
    assert not list(tmp_path.iterdir())
