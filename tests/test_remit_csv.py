"""Remittance CSV: one row per service line with that line's amounts; claims without lines give one row."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from edi.money import two_decimals
from edi.remit.csv import COLUMNS, remittance_rows, write_csv
from edi.x12.reader import read_document
from tests.conftest import SAMPLES


def _golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "835-office-visits.json").read_text(encoding="utf-8"))
    return data


def test_one_row_per_service_line_with_its_amounts() -> None:
    rows = remittance_rows(_golden())
    lines = [s for s in read_document(SAMPLES / "835-office-visits.x12").segments() if s.id == "SVC"]
    assert len(rows) == len(lines) == 5
    assert [(r["procedure"], r["charge"], r["paid"]) for r in rows] == [
        (s.get(1, 2), two_decimals(s.get(2)), two_decimals(s.get(3))) for s in lines
    ]
    assert [r["patient_control_number"] for r in rows] == ["PCN-1001", "PCN-1001", "PCN-1002", "PCN-1003", "PCN-1003"]
    first, _, copay, deductible, _ = rows
    assert (first["allowed"], first["coinsurance"], first["patient_responsibility"]) == ("150.00", "40.00", "40.00")
    assert first["adjustment_codes"] == "CO-45:30.00 PR-2:40.00"
    assert (copay["copay"], deductible["deductible"], deductible["modifiers"]) == ("30.00", "40.00", "25")
    assert {r["trace_number"] for r in rows} == {"EFT20260205001"}


def test_patient_share_per_claim_adds_up_to_clp05() -> None:
    data = _golden()
    rows = remittance_rows(data)
    for claim in data["transactions"][0]["groups"][0]["claims"]:
        pcn = claim["patient_control_number"]
        share = sum(Decimal(r["patient_responsibility"] or 0) for r in rows if r["patient_control_number"] == pcn)
        assert share == Decimal(claim["patient_responsibility"])


def test_claim_without_lines_gives_one_row_of_claim_amounts() -> None:
    data = _golden()
    claim = data["transactions"][0]["groups"][0]["claims"][1]
    del claim["lines"]
    claim["adjustments"] = [
        {"group": "CO", "reason": "45", "amount": "25"},
        {"group": "PR", "reason": "3", "amount": "30"},
    ]
    rows = [r for r in remittance_rows(data) if r["patient_control_number"] == "PCN-1002"]
    assert len(rows) == 1
    assert (rows[0]["line"], rows[0]["charge"], rows[0]["paid"], rows[0]["copay"]) == ("", "120.00", "65.00", "30.00")


def test_write_csv_has_a_header_and_every_row() -> None:
    out = io.StringIO()
    write_csv(_golden(), out)
    read = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(read[0].keys()) == COLUMNS
    assert [r["paid"] for r in read] == ["110.00", "40.00", "65.00", "120.00", "71.25"]
