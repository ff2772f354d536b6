"""Claims JSON -> spreadsheet rows: one row per service line."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from edi.money import two_decimals

COLUMNS = (
    "patient_control_number",
    "claim_charge",
    "billing_provider_npi",
    "payer",
    "subscriber_id",
    "patient",
    "diagnoses",
    "line",
    "line_control_number",
    "service_date",
    "revenue_code",
    "procedure",
    "modifiers",
    "units",
    "charge",
)


def claim_rows(data: dict[str, Any]) -> Iterator[dict[str, str]]:
    """One row per service line of every claim in claims JSON (a single document or a batch)."""
    for document in data.get("batch", [data]):
        for provider in document.get("billing_providers", []):
            for subscriber in provider.get("subscribers", []):
                for claim in subscriber.get("claims", []):
                    yield from lines_of(claim, provider, subscriber, None)
                for patient in subscriber.get("patients", []):
                    for claim in patient.get("claims", []):
                        yield from lines_of(claim, provider, subscriber, patient)


def lines_of(
    claim: dict[str, Any], provider: dict[str, Any], subscriber: dict[str, Any], patient: dict[str, Any] | None
) -> Iterator[dict[str, str]]:
    """The rows of one claim, given the objects of its billing provider, subscriber and patient levels."""
    member = subscriber.get("subscriber", {})
    head = {
        "billing_provider_npi": provider.get("billing_provider", {}).get("npi", ""),
        "payer": subscriber.get("payer", {}).get("name", ""),
        "subscriber_id": member.get("id", ""),
        "patient": _name(member if patient is None else patient.get("patient", {})),
    }
    return _lines(claim, head)


def csv_writer(
    out: TextIO, header: bool = True
) -> Callable[[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any] | None], None]:
    """Write the CSV header to ``out`` (unless not ``header``); return what writes one claim's rows (`lines_of`)."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    if header:
        writer.writeheader()

    def write(
        claim: dict[str, Any], provider: dict[str, Any], subscriber: dict[str, Any], patient: dict[str, Any] | None
    ) -> None:
        writer.writerows(lines_of(claim, provider, subscriber, patient))

    return write


def write_claim_csv(data: dict[str, Any], out: TextIO) -> None:
    """Write `claim_rows` as CSV with a header row."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(claim_rows(data))


def _lines(claim: dict[str, Any], head: dict[str, str]) -> Iterator[dict[str, str]]:
    common = {
        **head,
        "patient_control_number": claim.get("patient_control_number", ""),
        "claim_charge": two_decimals(claim.get("charge", "")),
        "diagnoses": " ".join(d["code"] for d in claim.get("diagnoses", [])),
    }
    for n, line in enumerate(claim.get("lines", []), start=1):
        procedure = line.get("procedure", {})
        period = line.get("service_period")
        yield {
            **common,
            "line": str(line.get("line_number", n)),
            "line_control_number": line.get("line_control_number", ""),
            "service_date": line.get("service_date") or (f"{period['start']}/{period['end']}" if period else ""),
            "revenue_code": line.get("revenue_code", ""),
            "procedure": procedure.get("code", ""),
            "modifiers": " ".join(procedure.get("modifiers", [])),
            "units": line.get("units", ""),
            "charge": two_decimals(line.get("charge", "")),
        }


def _name(party: dict[str, Any]) -> str:
    if "name" in party:
        return str(party["name"])
    return ", ".join(p for p in (party.get("last_name", ""), party.get("first_name", "")) if p)
