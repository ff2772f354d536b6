"""Reconciliation as JSON data, as a rich table with totals, and as CSV (one row per claim line)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict
from decimal import Decimal
from itertools import chain
from typing import Any, TextIO

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from edi.reconcile import Reconciliation, SkippedFile, Totals
from edi.reconcile.extract import ProviderAdjustment, Remittance
from edi.reconcile.ledger import ClaimResult, Entry, LineResult
from edi.reconcile.share import SHARE_TYPES, ZERO

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
    return {
        "format": FORMAT,
        "claims": [claim_json(claim) for claim in result.claims],
        "unmatched_remittance_claims": list(result.unmatched_remittance_claims),
        "open_claims": list(result.open_claims),
        "provider_adjustments": [_adjustment(remittance, a) for remittance, a in result.provider_adjustments],
        "skipped_files": [_skipped(s) for s in result.skipped_files],
        "totals": _totals(result.totals),
    }


def _totals(totals: Totals) -> dict[str, Any]:
    return {k: (amount(v) if isinstance(v, Decimal) else v) for k, v in asdict(totals).items()}


def _adjustment(remittance: Remittance, adjustment: ProviderAdjustment) -> dict[str, Any]:
    return {
        "file": remittance.file,
        "trace_number": remittance.trace_number,
        "payer": remittance.payer,
        "provider": adjustment.provider,
        "fiscal_period_date": adjustment.fiscal_date.isoformat() if adjustment.fiscal_date else None,
        "reason": adjustment.reason,
        "reference": adjustment.reference,
        "amount": amount(adjustment.amount),
    }


def _skipped(skipped: SkippedFile) -> dict[str, str]:
    return {"file": skipped.file, "reason": skipped.reason}


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
        writer.writerows(csv_rows(claim))


def csv_rows(claim: ClaimResult) -> list[list[str]]:
    """The CSV rows of one claim: one per submitted line."""
    return [
        [
            claim.patient_control_number,
            claim.status,
            claim.payer_claim_control_number or "",
            line.line_number,
            line.line_control_number,
            line.procedure,
            amount(line.billed) or "",
            amount(line.paid) or "",
            amount(line.patient_responsibility) or "",
        ]
        for line in claim.lines
    ]


def table(result: Reconciliation, width: int = 120) -> RenderableType:
    """A table of claims with the patient share by type and a totals row, followed by what needs attention.

    The remittance history column is left out below ``HISTORY_WIDTH`` columns.
    """
    history = width >= HISTORY_WIDTH
    by_type = {name: sum((c.share.by_type()[name] for c in result.claims if c.share), ZERO) for name in SHARE_TYPES}
    view = Table(**TABLE_SETTINGS)
    add_columns(view, result.totals, by_type, history)
    for claim in result.claims:
        view.add_row(*row_cells(claim, history))
    notes = [claim_note(claim.patient_control_number, note) for claim in result.claims for note in claim.notes]
    return Group(
        view,
        *summary(result.totals),
        *notes,
        *listed(result.unmatched_remittance_claims, result.open_claims),
        *closing(result.provider_adjustments, result.skipped_files),
    )


TABLE_SETTINGS: dict[str, Any] = {
    "title": "Reconciliation",
    "show_footer": True,
    "header_style": "bold",
    "box": box.SIMPLE_HEAD,
    "padding": (0, 1),
    "collapse_padding": True,
    "pad_edge": False,
}


def add_columns(view: Table, totals: Totals, by_type: dict[str, Decimal], history: bool) -> None:
    """The table's columns, with the totals as footers."""
    view.add_column("Claim", footer="Total", no_wrap=True)
    view.add_column("Status")
    if history:
        view.add_column("History")
    for title, value in (("Billed", totals.billed), ("Paid", totals.paid), ("Patient", totals.patient_responsibility)):
        view.add_column(title, justify="right", footer=_cell(value), no_wrap=True)
    for name in SHARE_TYPES:
        view.add_column(SHARE_TITLES[name], justify="right", footer=_cell(by_type[name]), no_wrap=True)


def row_cells(claim: ClaimResult, history: bool) -> list[RenderableType]:
    """One claim's cells in the table."""
    return renderables(plain_cells(claim, history))


def plain_cells(claim: ClaimResult, history: bool) -> list[str]:
    """One claim's cells as text: claim number, status, history (when shown) and amounts."""
    share = claim.share.by_type() if claim.share else {}
    return [
        claim.patient_control_number,
        claim.status,
        *([", ".join(e.kind for e in claim.entries) or "-"] if history else []),
        _cell(claim.billed),
        _cell(claim.paid),
        _cell(claim.share.total if claim.share else None),
        *(_cell(share.get(name)) for name in SHARE_TYPES),
    ]


def renderables(cells: list[str]) -> list[RenderableType]:
    """The table cells of `plain_cells`: the claim number escaped from markup, the status styled."""
    number, status, *rest = cells
    return [escape(number), Text(status.replace("_", " "), style=STATUS_STYLES.get(status, "")), *rest]


def shown_cells(cells: list[str]) -> list[str]:
    """The text each cell of `plain_cells` shows in the table."""
    number, status, *rest = cells
    return [number, status.replace("_", " "), *rest]


def _cell(value: Decimal | None) -> str:
    return amount(value) or "-"


def summary(totals: Totals) -> list[Text]:
    """The claim counts, and the payments checked against what was paid on claims."""
    balance = totals.paid + totals.unmatched_paid - totals.provider_adjustments
    return [
        Text(
            f"{totals.claims} claims: {totals.matched_claims} answered, {totals.open_claims} open;"
            f" {totals.unmatched_remittance_claims} remittance claims match no claim"
        ),
        Text(
            f"Payments {amount(totals.payments)}: paid on claims {amount(totals.paid)}"
            f" + unmatched {amount(totals.unmatched_paid)} - provider adjustments {amount(totals.provider_adjustments)}"
            + (" (balanced)" if balance == totals.payments else f" = {amount(balance)} (does not balance)"),
            style="" if balance == totals.payments else "red",
        ),
    ]


def claim_note(number: str, note: str) -> Text:
    """One note of a claim, below the table."""
    return Text(f"{number}: {note}", style="yellow")


def listed(unmatched: Iterable[str], open_claims: Iterable[str]) -> list[Text]:
    """The CLP01s that answer no claim and the claims no payer answered, when there are any."""
    parts = []
    for title, numbers, style in (("Unmatched CLP01: ", unmatched, "red"), ("Open claims: ", open_claims, "magenta")):
        found = iter(numbers)
        first = next(found, None)
        if first is not None:
            parts.append(Text(title + ", ".join(chain((first,), found)), style=style))
    return parts


def closing(
    adjustments: Iterable[tuple[Remittance, ProviderAdjustment]], skipped_files: Iterable[SkippedFile]
) -> list[Text]:
    """The provider adjustments and the files skipped."""
    parts = [
        Text(
            f"Provider adjustment {adjustment.reason} {adjustment.reference} {amount(adjustment.amount)}"
            f" ({remittance.file}, trace {remittance.trace_number})"
        )
        for remittance, adjustment in adjustments
    ]
    parts += [Text(f"Skipped {skipped.file}: {skipped.reason}", style="red") for skipped in skipped_files]
    return parts
