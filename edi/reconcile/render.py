"""Reconciliation as JSON data, as a rich table with totals, and as CSV (one row per claim line)."""

from __future__ import annotations

import csv
from dataclasses import asdict
from decimal import Decimal
from typing import Any, TextIO

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from edi.reconcile import Reconciliation
from edi.reconcile.ledger import ClaimResult, Entry, LineResult
from edi.reconcile.share import SHARE_TYPES

FORMAT = "edi.reconciliation/1"
CENT = Decimal("0.01")
HISTORY_WIDTH = 110
CSV_COLUMNS = (
    "patient_control_number",
    "claim_status",
    "payer_claim_control_number",
    "line_number",
    "line_control_number",
    "procedure",
    "billed",
    "paid",
    "patient_responsibility",
)
SHARE_TITLES = {"deductible": "Deduct.", "coinsurance": "Coins.", "copay": "Copay", "other": "Other"}
STATUS_STYLES = {
    "paid": "green",
    "partially_paid": "yellow",
    "denied": "red",
    "reversed_and_corrected": "cyan",
    "open": "magenta",
}


def amount(value: Decimal | None) -> str | None:
    """A money amount as a decimal string with at least two decimals (None stays None)."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        value = value.quantize(CENT)
    return f"{abs(value) if value == 0 else value:f}"


def to_json(result: Reconciliation) -> dict[str, Any]:
    """The reconciliation as data matching ``reconciliation.schema.json``."""
    totals = {k: (amount(v) if isinstance(v, Decimal) else v) for k, v in asdict(result.totals).items()}
    return {
        "format": FORMAT,
        "claims": [claim_json(claim) for claim in result.claims],
        "unmatched_remittance_claims": list(result.unmatched_remittance_claims),
        "open_claims": list(result.open_claims),
        "provider_adjustments": [
            {
                "file": remittance.file,
                "trace_number": remittance.trace_number,
                "payer": remittance.payer,
                "provider": adjustment.provider,
                "fiscal_period_date": adjustment.fiscal_date.isoformat() if adjustment.fiscal_date else None,
                "reason": adjustment.reason,
                "reference": adjustment.reference,
                "amount": amount(adjustment.amount),
            }
            for remittance, adjustment in result.provider_adjustments
        ],
        "skipped_files": [{"file": s.file, "reason": s.reason} for s in result.skipped_files],
        "totals": totals,
    }


def claim_json(claim: ClaimResult) -> dict[str, Any]:
    """One claim of the reconciliation as JSON data."""
    by_type = {k: amount(v) for k, v in claim.share.by_type().items()} if claim.share else None
    return {
        "patient_control_number": claim.patient_control_number,
        "billed": amount(claim.billed),
        "paid": amount(claim.paid),
        "patient_responsibility": amount(claim.share.total) if claim.share else None,
        "patient_responsibility_by_type": by_type,
        "status": claim.status,
        "payer_claim_control_number": claim.payer_claim_control_number,
        "remittances": [_remittance(entry) for entry in claim.entries],
        "lines": [_line(line) for line in claim.lines],
        "notes": list(claim.notes),
    }


def _remittance(entry: Entry) -> dict[str, Any]:
    payment = entry.payment
    return {
        "file": entry.remittance.file,
        "trace_number": entry.remittance.trace_number,
        "payer": entry.remittance.payer,
        "status_code": payment.status_code,
        "charge": amount(payment.charge),
        "paid": amount(payment.paid),
        "patient_responsibility": amount(payment.patient_responsibility),
        "kind": entry.kind,
    }


def _line(line: LineResult) -> dict[str, Any]:
    return {
        "line_number": line.line_number,
        "line_control_number": line.line_control_number,
        "procedure": line.procedure,
        "billed": amount(line.billed),
        "paid": amount(line.paid),
        "patient_responsibility": amount(line.patient_responsibility),
    }


def write_csv(result: Reconciliation, out: TextIO) -> None:
    """One CSV row per submitted claim line; empty cells where no payer reported an amount."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for claim in result.claims:
        for line in claim.lines:
            writer.writerow(
                [
                    claim.patient_control_number,
                    claim.status,
                    claim.payer_claim_control_number or "",
                    line.line_number,
                    line.line_control_number,
                    line.procedure,
                    amount(line.billed),
                    amount(line.paid) or "",
                    amount(line.patient_responsibility) or "",
                ]
            )


def table(result: Reconciliation, width: int = 120) -> RenderableType:
    """A table of claims with the patient share by type and a totals row, followed by what needs attention.

    The remittance history column is left out below ``HISTORY_WIDTH`` columns.
    """
    history = width >= HISTORY_WIDTH
    view = Table(
        title="Reconciliation",
        show_footer=True,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
    )
    totals = result.totals
    by_type = {
        name: sum((c.share.by_type()[name] for c in result.claims if c.share), Decimal(0)) for name in SHARE_TYPES
    }
    view.add_column("Claim", footer="Total", no_wrap=True)
    view.add_column("Status")
    if history:
        view.add_column("History")
    for title, value in (("Billed", totals.billed), ("Paid", totals.paid), ("Patient", totals.patient_responsibility)):
        view.add_column(title, justify="right", footer=_cell(value), no_wrap=True)
    for name in SHARE_TYPES:
        view.add_column(SHARE_TITLES[name], justify="right", footer=_cell(by_type[name]), no_wrap=True)
    for claim in result.claims:
        share = claim.share.by_type() if claim.share else {}
        view.add_row(
            escape(claim.patient_control_number),
            Text(claim.status.replace("_", " "), style=STATUS_STYLES.get(claim.status, "")),
            *([", ".join(e.kind for e in claim.entries) or "-"] if history else []),
            _cell(claim.billed),
            _cell(claim.paid),
            _cell(claim.share.total if claim.share else None),
            *(_cell(share.get(name)) for name in SHARE_TYPES),
        )
    return Group(view, *_attention(result))


def _cell(value: Decimal | None) -> str:
    return amount(value) or "-"


def _attention(result: Reconciliation) -> list[RenderableType]:
    parts: list[RenderableType] = []
    totals = result.totals
    balance = totals.paid + totals.unmatched_paid - totals.provider_adjustments
    parts.append(
        Text(
            f"{totals.claims} claims: {totals.matched_claims} answered, {totals.open_claims} open;"
            f" {totals.unmatched_remittance_claims} remittance claims match no claim"
        )
    )
    parts.append(
        Text(
            f"Payments {amount(totals.payments)}: paid on claims {amount(totals.paid)}"
            f" + unmatched {amount(totals.unmatched_paid)} - provider adjustments {amount(totals.provider_adjustments)}"
            + (" (balanced)" if balance == totals.payments else f" = {amount(balance)} (does not balance)"),
            style="" if balance == totals.payments else "red",
        )
    )
    for claim in result.claims:
        for note in claim.notes:
            parts.append(Text(f"{claim.patient_control_number}: {note}", style="yellow"))
    if result.unmatched_remittance_claims:
        parts.append(Text("Unmatched CLP01: " + ", ".join(result.unmatched_remittance_claims), style="red"))
    if result.open_claims:
        parts.append(Text("Open claims: " + ", ".join(result.open_claims), style="magenta"))
    for remittance, adjustment in result.provider_adjustments:
        parts.append(
            Text(
                f"Provider adjustment {adjustment.reason} {adjustment.reference} {amount(adjustment.amount)}"
                f" ({remittance.file}, trace {remittance.trace_number})"
            )
        )
    for skipped in result.skipped_files:
        parts.append(Text(f"Skipped {skipped.file}: {skipped.reason}", style="red"))
    return parts
