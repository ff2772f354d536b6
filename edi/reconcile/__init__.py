"""Reconcile 835 remittances against the 837 claims they answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from edi.errors import ReadError
from edi.reconcile.extract import Claim, ProviderAdjustment, Remittance, claims_of, remittances_of
from edi.reconcile.ledger import ClaimResult, Entry, claim_result, entry_for
from edi.reconcile.match import ClaimIndex
from edi.reconcile.share import ZERO
from edi.x12.document import Document
from edi.x12.reader import read_document

Source = Document | str | Path
T = TypeVar("T")

__all__ = ["ClaimResult", "Reconciliation", "SkippedFile", "Totals", "reconcile"]


@dataclass(slots=True, frozen=True)
class SkippedFile:
    """An input file that could not be used, and why."""

    file: str
    reason: str


@dataclass(slots=True, frozen=True)
class Totals:
    """Sums over the whole reconciliation."""

    claims: int
    matched_claims: int
    open_claims: int
    unmatched_remittance_claims: int
    billed: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    unmatched_paid: Decimal
    provider_adjustments: Decimal
    payments: Decimal


@dataclass(slots=True, frozen=True)
class Reconciliation:
    """Every submitted claim with its history, the CLPs that answer no claim, and the provider adjustments."""

    claims: tuple[ClaimResult, ...]
    unmatched_remittance_claims: tuple[str, ...]
    open_claims: tuple[str, ...]
    provider_adjustments: tuple[tuple[Remittance, ProviderAdjustment], ...]
    skipped_files: tuple[SkippedFile, ...]
    totals: Totals


def reconcile(claim_docs: Iterable[Source], remit_docs: Iterable[Source]) -> Reconciliation:
    """Match every CLP of ``remit_docs`` to the claims of ``claim_docs`` and build each claim's history.

    Paths are read here; a file that cannot be read, or holds no transaction set of the
    expected kind, is skipped and listed in ``skipped_files``.
    """
    skipped: list[SkippedFile] = []
    claims: list[Claim] = []
    for source in claim_docs:
        claims.extend(_extract(source, "837", skipped, lambda d: list(claims_of(d))))
    remittances: list[Remittance] = []
    for source in remit_docs:
        remittances.extend(_extract(source, "835", skipped, lambda d: list(remittances_of(d))))
    index = ClaimIndex.of(claims)
    entries: dict[str, list[Entry]] = {number: [] for number in index.submissions}
    notes: dict[str, list[str]] = {number: [] for number in index.submissions}
    unmatched: list[str] = []
    unmatched_paid = ZERO
    for remittance in remittances:
        for payment in remittance.claims:
            number = index.lookup(payment.patient_control_number)
            if number is None:
                unmatched.append(payment.patient_control_number)
                unmatched_paid += payment.paid
                continue
            if number != payment.patient_control_number:
                notes[number].append(
                    f"{remittance.file} line {payment.line}: CLP01 {payment.patient_control_number!r} "
                    f"is the first {len(payment.patient_control_number)} characters of CLM01"
                )
            history = entries[number]
            history.append(entry_for(index.submissions[number][-1], remittance, payment, history))
    results = tuple(
        claim_result(number, index.submissions[number], entries[number], notes[number]) for number in index.submissions
    )
    adjustments = tuple((r, a) for r in remittances for a in r.provider_adjustments)
    return Reconciliation(
        claims=results,
        unmatched_remittance_claims=tuple(unmatched),
        open_claims=tuple(r.patient_control_number for r in results if r.status == "open"),
        provider_adjustments=adjustments,
        skipped_files=tuple(skipped),
        totals=_totals(results, unmatched, unmatched_paid, adjustments, remittances),
    )


def _extract(source: Source, kind: str, skipped: list[SkippedFile], extract: Callable[[Document], list[T]]) -> list[T]:
    name = source.file if isinstance(source, Document) else str(source)
    try:
        document = source if isinstance(source, Document) else read_document(source)
        found = extract(document)
    except ReadError as error:
        skipped.append(SkippedFile(name, str(error).removeprefix(name).lstrip(",: ")))
        return []
    kinds = {transaction.st.get(1) for _, _, transaction in document.transactions()}
    if kind not in kinds:
        held = ", ".join(sorted(kinds)) or "none"
        skipped.append(SkippedFile(name, f"holds no {kind} transaction set (found: {held})"))
    return found


def _totals(
    results: tuple[ClaimResult, ...],
    unmatched: list[str],
    unmatched_paid: Decimal,
    adjustments: tuple[tuple[Remittance, ProviderAdjustment], ...],
    remittances: list[Remittance],
) -> Totals:
    return Totals(
        claims=len(results),
        matched_claims=sum(1 for r in results if r.entries),
        open_claims=sum(1 for r in results if r.status == "open"),
        unmatched_remittance_claims=len(unmatched),
        billed=sum((r.billed for r in results), ZERO),
        paid=sum((r.paid for r in results if r.paid is not None), ZERO),
        patient_responsibility=sum((r.share.total for r in results if r.share is not None), ZERO),
        unmatched_paid=unmatched_paid,
        provider_adjustments=sum((a.amount for _, a in adjustments), ZERO),
        payments=sum((r.payment for r in remittances if r.payment is not None), ZERO),
    )
