"""Money as every output writes it: a decimal string with two decimals (more only when the amount has more)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


def two_decimals(value: Any) -> str:
    """``180`` -> ``180.00``, ``12.5`` -> ``12.50``; empty stays empty, and text that is not an amount is kept."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or not isinstance(exponent, int):
        return str(value)
    if exponent >= -2:
        amount = amount.quantize(CENT)
    return f"{abs(amount) if amount == 0 else amount:f}"
