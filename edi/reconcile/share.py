"""The patient's share of a claim: PR adjustments sorted by reason into deductible, coinsurance, copay and other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from edi.reconcile.extract import Adjustment, ClaimPayment

ZERO = Decimal(0)
SHARE_TYPES = ("deductible", "coinsurance", "copay", "other")
REASON_TYPES = {"1": "deductible", "2": "coinsurance", "3": "copay"}


@dataclass(slots=True, frozen=True)
class Share:
    """An amount the patient owes, by type."""

    deductible: Decimal = ZERO
    coinsurance: Decimal = ZERO
    copay: Decimal = ZERO
    other: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """The whole patient share."""
        return self.deductible + self.coinsurance + self.copay + self.other

    def __add__(self, other: Share) -> Share:
        return Share(
            self.deductible + other.deductible,
            self.coinsurance + other.coinsurance,
            self.copay + other.copay,
            self.other + other.other,
        )

    def by_type(self) -> dict[str, Decimal]:
        """The four amounts keyed by type name."""
        return {name: getattr(self, name) for name in SHARE_TYPES}


def share_of(adjustments: Iterable[Adjustment]) -> Share:
    """The PR adjustments among ``adjustments``, by CARC: 1 deductible, 2 coinsurance, 3 copay, else other."""
    amounts = dict.fromkeys(SHARE_TYPES, ZERO)
    for adjustment in adjustments:
        if adjustment.group == "PR":
            name = REASON_TYPES.get(adjustment.reason, "other")
            amounts[name] += adjustment.amount
    return Share(**amounts)


def payment_share(payment: ClaimPayment) -> Share:
    """The PR adjustments of one CLP, claim level and line level together."""
    share = share_of(payment.adjustments)
    for service in payment.services:
        share += share_of(service.adjustments)
    return share


def clp05_problem(payment: ClaimPayment) -> str | None:
    """Why CLP05 disagrees with the PR adjustments of its CLP, or None when they agree."""
    reported = payment.patient_responsibility or ZERO
    adjusted = payment_share(payment).total
    if reported == adjusted:
        return None
    return f"CLP05 {reported} differs from the sum of its PR adjustments {adjusted}"
