"""`edi ledger export --parquet`: the tidy tables of `edi read --parquet`, rebuilt from the ledger."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from edi.cli import app
from edi.tables import SCHEMAS
from tests.conftest import SAMPLES

runner = CliRunner()
FILES = [SAMPLES / f"ledger-{name}.x12" for name in ("claims-day1", "claims-day2", "era-primary", "era-secondary")]
TABLES = ("claims", "lines", "diagnoses", "payments", "adjustments", "provider_adjustments")


def _tables(folder: Path) -> dict[str, list[dict[str, object]]]:
    return {name: pq.read_table(folder / f"{name}.parquet").to_pylist() for name in TABLES}


def _by_claim(rows: list[dict[str, object]], column: str) -> dict[object, Decimal]:
    totals: dict[object, Decimal] = {}
    for row in rows:
        key = (row["transaction_type"], row["patient_control_number"])
        value = row[column]
        totals[key] = totals.get(key, Decimal(0)) + (value if isinstance(value, Decimal) else Decimal(0))
    return totals


def test_the_ledger_export_has_the_tables_of_edi_read(tmp_path: Path) -> None:
    database = str(tmp_path / "ledger.db")
    assert runner.invoke(app, ["ledger", "import", "--db", database, *map(str, FILES)]).exit_code == 0
    exported, read = tmp_path / "exported", tmp_path / "read"
    result = runner.invoke(app, ["ledger", "export", "--db", database, "--parquet", str(exported)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["read", "--parquet", str(read), "-j", "1", *map(str, FILES)]).exit_code == 0
    for name in TABLES:
        assert pq.read_schema(exported / f"{name}.parquet").equals(SCHEMAS[name])
    mine, theirs = _tables(exported), _tables(read)
    assert {name: len(rows) for name, rows in mine.items()} == {name: len(rows) for name, rows in theirs.items()}
    assert len(mine["claims"]) > 0 and len(mine["payments"]) == 2
    for column in ("charge", "paid"):
        assert _by_claim(mine["claims"], column) == _by_claim(theirs["claims"], column)
    assert _by_claim(mine["adjustments"], "amount") == _by_claim(theirs["adjustments"], "amount")
