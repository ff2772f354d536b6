"""Validation findings: data, yielded by rules, never raised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
NOT_VALIDATED = "not_validated"  # the rule of a transaction set no guide checks


@dataclass(slots=True, frozen=True)
class Issue:
    """One finding of one rule, located as the 999 locates it.

    ``snip`` is the WEDI SNIP type (1 to 7), or None for code ordering rules;
    ``rule`` is a stable identifier (``snip3.claim_charge_balance``);
    ``segment_position`` counts from ST = 1 (0 for envelope segments);
    ``element`` is the element reference (``CLM02``, ``SV101-3``).
    """

    severity: Severity
    snip: int | None
    rule: str
    message: str
    file: str = ""
    line: int | None = None
    segment_id: str | None = None
    segment_position: int | None = None
    loop: str | None = None
    element: str | None = None
    segment_text: str | None = None
    transaction: str | None = None
    claim: str | None = None
    # 999 codes: IK304 segment syntax error code, IK403 element error code, data element number
    segment_error: str | None = None
    element_error: str | None = None
    data_element: str | None = None
