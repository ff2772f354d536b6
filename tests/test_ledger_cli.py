"""`edi ledger` from the command line: import, aging, patient balance, denials, payments, claim history, claims."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from edi.cli import app
from edi.reconcile import reconcile
from edi.reconcile.render import to_json
from edi.schemas import schema_problems
from tests.ledger_db import BACKENDS, ledger_database

DATA = Path(__file__).parent / "data" / "reconcile"
FILES = ["cob-denial.837", "appeal.837", "office.837", "cob-denial-primary.835", "cob-denial-secondary.835"]
FILES += ["appeal-denial.835", "appeal-paid.835", "office.835"]
runner = CliRunner()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    for location in ledger_database(request.param, tmp_path):
        result = runner.invoke(app, ["ledger", "import", "--db", location, *(str(DATA / n) for n in FILES)])
        assert result.exit_code == 0, result.output
        yield location


def ledger(database: str, *args: str) -> Any:
    result = runner.invoke(app, ["ledger", *args, "--db", database, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_import_reports_each_file_and_a_second_import_changes_nothing(database: str) -> None:
    again = ledger(database, "import", str(DATA / "office.837"), str(DATA / "office.835"))
    assert [(o["status"], o["claims"], o["payments"]) for o in again] == [("already imported", 0, 0)] * 2


def test_a_folder_of_unreadable_files_fails_with_exit_code_2(tmp_path: Path) -> None:
    (tmp_path / "junk.835").write_text("not X12", encoding="utf-8")
    result = runner.invoke(app, ["ledger", "import", "--db", str(tmp_path / "l.db"), str(tmp_path)])
    assert result.exit_code == 2
    assert "none of the files could be imported" in result.output


def bucket(days: int) -> str:
    return "0-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 else "90+"


@pytest.mark.parametrize("as_of", ["2026-02-08", "2026-03-10", "2026-04-09", "2026-06-01"])
def test_aging_buckets_open_claims_per_payer_by_days_since_the_claim_date(database: str, as_of: str) -> None:
    runner.invoke(app, ["ledger", "import", "--db", database, str(DATA / "batch.837"), str(DATA / "reversal.837")])
    listed = ledger(database, "open", "--as-of", as_of)
    assert listed["claims"] == len(listed["rows"]) == 6
    expected: dict[tuple[str, str], int] = {}
    for row in listed["rows"]:
        assert row["days"] == (date.fromisoformat(as_of) - date.fromisoformat(row["claim_date"])).days
        key = (row["payer"], bucket(row["days"]))
        expected[key] = expected.get(key, 0) + 1
    aging = ledger(database, "open", "--aging", "--as-of", as_of)
    found = {
        (r["payer"], name): r[f"{name} claims"] for r in aging["rows"] for name in ("0-30", "31-60", "61-90", "90+")
    }
    assert {k: v for k, v in found.items() if v} == expected
    assert sum(r["claims"] for r in aging["rows"]) == aging["totals"]["claims"] == 6


def test_the_patient_owes_only_the_secondarys_share(database: str) -> None:
    data = ledger(database, "patient", "P55501")
    assert data["balance"] == "60.00"
    assert [(r["patient_control_number"], r["status"]) for r in data["rows"]] == [("PCN-7001", "paid")]


def test_an_unknown_patient_is_an_input_error(database: str) -> None:
    result = runner.invoke(app, ["ledger", "patient", "NOBODY", "--db", database])
    assert result.exit_code == 2


def test_denials_by_carc_and_by_payer_sum_what_each_claim_lists(database: str) -> None:
    each = ledger(database, "denials")["rows"]
    assert {r["patient_control_number"] for r in each} == {"PCN-1102", "PCN-1103"}
    by_carc = ledger(database, "denials", "--by", "carc")["rows"]
    by_payer = ledger(database, "denials", "--by", "payer")["rows"]
    total = sum(float(r["amount"]) for r in each)
    assert sum(float(r["amount"]) for r in by_carc) == sum(float(r["amount"]) for r in by_payer) == total
    assert {r["carc"] for r in by_carc} == {r["adjustment"] for r in each}


def test_payments_balance_and_one_trace_lists_its_claims(database: str) -> None:
    rows = ledger(database, "payments")["rows"]
    assert {r["trace_number"] for r in rows} == {"EFT-CD-1", "NP-CD-2", "NP-AP-1", "EFT-AP-2", "EFT-OFFICE-1"}
    assert all(r["balanced"] == "yes" for r in rows)
    one = ledger(database, "payments", "--trace", "EFT-AP-2")
    assert (one["payment"], one["balanced"]) == ("160.00", "yes")
    assert [(r["claim"], r["paid"]) for r in one["rows"]] == [("PCN-8001", "160.00")]


def test_claim_history_lists_submissions_and_every_answer_in_order(database: str) -> None:
    data = ledger(database, "claim", "PCN-8001")
    assert [s["billed"] for s in data["submissions"]] == ["210.00"]
    assert [(r["trace_number"], r["kind"]) for r in data["claim"]["remittances"]] == [
        ("NP-AP-1", "denial"),
        ("EFT-AP-2", "original"),
    ]
    assert data["claim"]["patient_responsibility"] == "0.00"


def test_claims_give_the_reconcile_json_and_csv(database: str) -> None:
    data = ledger(database, "claims")
    assert schema_problems("reconciliation", data) == []
    claims = [DATA / n for n in FILES if n.endswith(".837")]
    expected = to_json(reconcile(claims, [DATA / n for n in FILES if n.endswith(".835")]))
    assert sorted(data["claims"], key=lambda c: c["patient_control_number"]) == sorted(
        expected["claims"], key=lambda c: c["patient_control_number"]
    )
    assert data["totals"] == expected["totals"]
    out = runner.invoke(app, ["ledger", "claims", "--db", database, "--csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["patient_control_number"] for r in rows} == {c["patient_control_number"] for c in data["claims"]}


def test_tables_are_printed_for_people(database: str) -> None:
    for args in (["open", "--aging"], ["patient", "P55501"], ["denials"], ["payments"], ["claim", "PCN-7001"]):
        result = runner.invoke(app, ["ledger", *args, "--db", database])
        assert result.exit_code == 0, result.output
        assert result.output.strip()


def test_the_demo_samples_two_days_of_claims_then_the_primary_and_the_secondary(tmp_path: Path) -> None:
    samples = Path(__file__).parents[1] / "samples"
    db = str(tmp_path / "demo.sqlite3")
    for name in ("claims-day1", "claims-day2", "era-primary", "era-secondary"):
        result = runner.invoke(app, ["ledger", "import", "--db", db, str(samples / f"ledger-{name}.x12")])
        assert result.exit_code == 0 and "imported" in result.output, result.output
    owed = ledger(db, "patient", "P55501")
    assert owed["balance"] == "40.00"
    assert {r["patient_control_number"]: r["patient_responsibility"] for r in owed["rows"]} == {
        "PCN-D101": "10.00",
        "PCN-D201": "30.00",
        "PCN-D203": None,
    }
    aging = ledger(db, "open", "--aging", "--as-of", "2026-04-15")
    assert {r["payer"]: r["claims"] for r in aging["rows"]} == {"ACME HEALTH PLAN": 2, "PRIMARY HEALTH PLAN": 1}
