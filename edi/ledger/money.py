"""Money in the ledger's summary columns: whole cents as integers, so every database sums them exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

HUNDRED = Decimal(100)


def cents(amount: Decimal) -> int:
    """``amount`` in cents (an X12 amount with more than two decimals is rounded half to even)."""
    return int((amount * HUNDRED).to_integral_value(ROUND_HALF_EVEN))


def from_cents(value: int | None) -> Decimal | None:
    """Cents back to a Decimal amount with two decimals (None stays None)."""
    return None if value is None else Decimal(value) / HUNDRED
