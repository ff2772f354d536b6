"""Reconcile 835 remittances against the 837 claims they answer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from edi.reconcile.extract import ProviderAdjustment, Remittance
from edi.reconcile.ledger import ClaimResult
from edi.reconcile.share import ZERO
from edi.x12.document import Document

Source = Document | str | Path

__all__ = ["ClaimResult", "Reconciliation", "SkippedFile", "Totals", "reconcile", "totals"]


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

    The files go through a ledger in a temporary in-memory database, so the answers are those
    `edi ledger` gives. Paths are read here; a file that cannot be read, holds no transaction
    set of the expected kind, or repeats what an earlier file gave (the same content, transaction
    sets or 835 payment), is skipped and listed in ``skipped_files``.
    """
    from edi.ledger import Ledger  # the ledger builds on this package

    skipped: list[SkippedFile] = []
    with Ledger.memory(business=False) as ledger:
        for sources, kind in ((claim_docs, "837"), (remit_docs, "835")):
            for source in sources:
                outcome = ledger.import_file(source if isinstance(source, Document) else Path(source), (kind,), False)
                if outcome.status == "skipped":
                    skipped.append(SkippedFile(outcome.file, outcome.reason))
                elif outcome.status == "already imported":
                    taken = "; ".join(outcome.duplicates) or "the same content"
                    skipped.append(SkippedFile(outcome.file, f"already given: {taken}"))
        return ledger.reconciliation(skipped)


def totals(
    results: tuple[ClaimResult, ...],
    unmatched: Sequence[str],
    unmatched_paid: Decimal,
    adjustments: tuple[tuple[Remittance, ProviderAdjustment], ...],
    remittances: list[Remittance],
) -> Totals:
    """The claim counts and sums of a reconciliation."""
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
