"""The 835 remittance guide."""

from __future__ import annotations

from dataclasses import dataclass

from edi.guides.guide import Guide


@dataclass(frozen=True)
class Remittance(Guide):
    """835, X221A1: a 2100 claim payment with its 2110 service payments."""

    id: str = "835"
    version = "005010X221A1"
    aliases = ("005010X221",)
    st01 = "835"
    functional_id = "HP"
    unit_loops = ("2000", "2100")
    claim_loop = "2100"
    line_loop = "2110"
    service_segment = "SVC"
    procedure = 1
    submitted_procedure = 6
    charge = 2
    units = 5
    adjustment_groups = frozenset({"CO", "OA", "PI", "PR"})


REMITTANCE = Remittance.id
REMITTANCE_KIND = Remittance.st01
