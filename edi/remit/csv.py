"""Remittance JSON -> spreadsheet rows: one row per service line (a claim without lines gives one)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, TextIO

from edi.money import two_decimals
from edi.remit.balance import claims, money

COLUMNS = (
    "trace_number",
    "payment_date",
    "payer",
    "payee",
    "patient_control_number",
    "status_code",
    "status",
    "payer_claim_control_number",
    "patient",
    "line",
    "line_control_number",
    "service_date",
    "procedure",
    "modifiers",
    "units",
    "charge",
    "paid",
    "allowed",
    "patient_responsibility",
    "deductible",
    "coinsurance",
    "copay",
    "adjustment_codes",
    "remarks",
)
MONEY_COLUMNS = ("charge", "paid", "allowed", "patient_responsibility", "deductible", "coinsurance", "copay")
# Patient-responsibility CARCs with a column of their own.
PR_COLUMNS = {"1": "deductible", "2": "coinsurance", "3": "copay"}


def remittance_rows(data: dict[str, Any]) -> list[dict[str, str]]:
    """One row per service line of every claim; a claim without lines gives one row of its own amounts."""
    return list(_rows(data))


def write_csv(data: dict[str, Any], out: TextIO) -> None:
    """Write `remittance_rows` as CSV with a header row."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(remittance_rows(data))


def _rows(data: dict[str, Any]) -> Iterator[dict[str, str]]:
    for transaction in data.get("transactions", []):
        common = payment_columns(transaction)
        for claim in claims(transaction):
            yield from claim_rows(common, claim)


def payment_columns(transaction: dict[str, Any]) -> dict[str, str]:
    """The columns every row of a transaction set shares: the payment's trace and date, payer and payee."""
    payment = transaction.get("payment", {})
    return {
        "trace_number": payment.get("trace_number", ""),
        "payment_date": payment.get("date", ""),
        "payer": transaction.get("payer", {}).get("name", ""),
        "payee": transaction.get("payee", {}).get("name", ""),
    }


def claim_rows(common: dict[str, str], claim: dict[str, Any]) -> Iterator[dict[str, str]]:
    """The rows of one claim payment: one per service line, or one of its own amounts when it has none."""
    head = {
        **common,
        "patient_control_number": claim.get("patient_control_number", ""),
        "status_code": claim.get("status_code", ""),
        "status": claim.get("status", ""),
        "payer_claim_control_number": claim.get("payer_claim_control_number", ""),
        "patient": _person(claim.get("patient", {})),
    }
    lines = claim.get("lines", [])
    if not lines:
        yield _row(head, claim, _claim_remarks(claim), "")
    for number, line in enumerate(lines, start=1):
        yield _row(head, line, [r["code"] for r in line.get("remarks", [])], str(number))


def _row(head: dict[str, str], item: dict[str, Any], remarks: list[str], number: str) -> dict[str, str]:
    adjustments = item.get("adjustments", [])
    procedure = item.get("procedure", {})
    period = item.get("service_period", {})
    service_date = item.get("service_date") or period.get("start") or item.get("dates", {}).get("statement_start", "")
    row = {
        **head,
        "line": number,
        "line_control_number": item.get("line_control_number", ""),
        "service_date": service_date,
        "procedure": procedure.get("code", ""),
        "modifiers": " ".join(procedure.get("modifiers", [])),
        "units": item.get("units", ""),
        "charge": item.get("charge", ""),
        "paid": item.get("paid", ""),
        "allowed": item.get("allowed", ""),
        "adjustment_codes": " ".join(_adjustment_code(a) for a in adjustments),
        "remarks": " ".join(remarks),
    }
    patient = [a for a in adjustments if a["group"] == "PR"]
    row["patient_responsibility"] = _total(patient) if patient else item.get("patient_responsibility", "")
    for reason, column in PR_COLUMNS.items():
        row[column] = _total([a for a in patient if a["reason"] == reason])
    for column in MONEY_COLUMNS:
        row[column] = two_decimals(row[column])
    return row


def _total(adjustments: list[dict[str, Any]]) -> str:
    return str(sum((money(a["amount"]) for a in adjustments), Decimal(0))) if adjustments else ""


def _adjustment_code(adjustment: dict[str, Any]) -> str:
    return f"{adjustment['group']}-{adjustment['reason']}:{two_decimals(adjustment['amount'])}"


def _claim_remarks(claim: dict[str, Any]) -> list[str]:
    return [*claim.get("inpatient", {}).get("remarks", []), *claim.get("outpatient", {}).get("remarks", [])]


def _person(name: dict[str, Any]) -> str:
    return " ".join(p for p in (name.get("first_name", ""), name.get("last_name", "")) if p)
