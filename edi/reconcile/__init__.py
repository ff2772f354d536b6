"""Reconcile 835 remittances against the 837 claims they answer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from edi.guides import CLAIM_KIND, REMITTANCE_KIND
from edi.reconcile.extract import ProviderAdjustment, Remittance
from edi.reconcile.ledger import ClaimResult
from edi.reconcile.share import ZERO
from edi.x12.document import Document

if TYPE_CHECKING:
    from edi.ledger import Ledger

Source = Document | str | Path

__all__ = [
    "ClaimResult",
    "Reconciliation",
    "SkippedFile",
    "Tally",
    "Totals",
    "payments",
    "reconcile",
    "reconciled",
    "totals",
]


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


def reconcile(claim_docs: Iterable[Source], remit_docs: Iterable[Source], jobs: int = 1) -> Reconciliation:
    """Match every CLP of ``remit_docs`` to the claims of ``claim_docs`` and build each claim's history.

    The files go through a ledger in a temporary database, so the answers are those `edi ledger`
    gives. Paths are read here; a file that cannot be read, holds no transaction set of the
    expected kind, or repeats what an earlier file gave (the same content, transaction sets or
    835 payment), is skipped and listed in ``skipped_files``. ``jobs``: processes that read a
    large file at once, in parts, with the same result.
    """
    with reconciled(claim_docs, remit_docs, jobs) as (ledger, skipped):
        return ledger.reconciliation(skipped)


@contextmanager
def reconciled(
    claim_docs: Iterable[Source], remit_docs: Iterable[Source], jobs: int = 1
) -> Iterator[tuple[Ledger, list[SkippedFile]]]:
    """A temporary ledger (a file, removed after) holding ``claim_docs`` and ``remit_docs``, and the files skipped.

    Paths are read a claim at a time, so memory stays bounded however large the files; a large
    one by ``jobs`` processes at once (`edi.ledger.parts`).
    """
    from edi.ledger import Ledger  # the ledger builds on this package

    skipped: list[SkippedFile] = []
    with Ledger.temporary(business=False, by_segments=True) as ledger:
        for sources, kind in ((claim_docs, CLAIM_KIND), (remit_docs, REMITTANCE_KIND)):
            for source in sources:
                found = source if isinstance(source, Document) else Path(source)
                outcome = ledger.import_file(found, (kind,), False, jobs)
                if outcome.status == "skipped":
                    skipped.append(SkippedFile(outcome.file, outcome.reason))
                elif outcome.status == "already imported":
                    taken = "; ".join(outcome.duplicates) or "the same content"
                    skipped.append(SkippedFile(outcome.file, f"already given: {taken}"))
        yield ledger, skipped


@dataclass(slots=True)
class Tally:
    """The counts and sums of `Totals`, added up claim by claim as a reconciliation is read."""

    claims: int = 0
    matched_claims: int = 0
    open_claims: int = 0
    unmatched_remittance_claims: int = 0
    billed: Decimal = ZERO
    paid: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    unmatched_paid: Decimal = ZERO

    def add(self, result: ClaimResult) -> None:
        """Count one reconciled claim."""
        self.claims += 1
        self.matched_claims += bool(result.entries)
        self.open_claims += result.status == "open"
        self.billed += result.billed
        self.paid += result.paid if result.paid is not None else ZERO
        self.patient_responsibility += result.share.total if result.share is not None else ZERO

    def add_unmatched(self, paid: Decimal) -> None:
        """Count one CLP that answers no claim."""
        self.unmatched_remittance_claims += 1
        self.unmatched_paid += paid

    def totals(self, adjustments: Iterable[tuple[Remittance, ProviderAdjustment]], payments: Decimal) -> Totals:
        """The totals, with the provider adjustments and the sum of the 835 payments."""
        return Totals(
            claims=self.claims,
            matched_claims=self.matched_claims,
            open_claims=self.open_claims,
            unmatched_remittance_claims=self.unmatched_remittance_claims,
            billed=self.billed,
            paid=self.paid,
            patient_responsibility=self.patient_responsibility,
            unmatched_paid=self.unmatched_paid,
            provider_adjustments=sum((a.amount for _, a in adjustments), ZERO),
            payments=payments,
        )


def payments(remittances: Iterable[Remittance]) -> Decimal:
    """The sum of the 835 payments (BPR02)."""
    return sum((r.payment for r in remittances if r.payment is not None), ZERO)


def totals(
    results: tuple[ClaimResult, ...],
    unmatched: Sequence[str],
    unmatched_paid: Decimal,
    adjustments: tuple[tuple[Remittance, ProviderAdjustment], ...],
    remittances: list[Remittance],
) -> Totals:
    """The claim counts and sums of a reconciliation."""
    tally = Tally(unmatched_remittance_claims=len(unmatched), unmatched_paid=unmatched_paid)
    for result in results:
        tally.add(result)
    return tally.totals(adjustments, payments(remittances))
