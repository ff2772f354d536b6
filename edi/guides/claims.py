"""The three 837 claim guides: professional, institutional and dental, each a set of declared facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from edi.guides.guide import Guide

_DIAGNOSES = frozenset({"ABK", "BK", "ABF", "BF"})


class ClaimGuide(Guide):
    """What every 837 shares: the HL levels, the 2300 claim and the 2400 line."""

    st01 = "837"
    functional_id = "HC"
    unit_loops = ("2000A", "2000B", "2000C", "2300")
    claim_loop = "2300"
    line_loop = "2400"
    adjustment_groups = frozenset({"CO", "CR", "OA", "PI", "PR"})

    facility_code_qualifier: ClassVar[str] = "B"
    """CLM05-2: B when CLM05-1 is a place of service, A when it is a facility type (uniform billing)."""
    procedure_qualifier: ClassVar[str] = "HC"
    """The procedure code qualifier taken when none is given (HCPCS)."""
    service_date_qualifiers: ClassVar[tuple[str, ...]] = ("472",)
    """DTP01 of the claim-level dates that stand for every line's date of service."""
    rendering_loop: ClassVar[str] = "2310B"
    line_rendering_loop: ClassVar[str] = "2420A"
    supervising_loop: ClassVar[str | None] = None
    diagnosis_classes: ClassVar[tuple[frozenset[str], ...]] = (_DIAGNOSES,)
    """HI01-1 qualifiers of the diagnosis HI segments, one set per segment kind, in the guide's order."""
    code_lists: ClassVar[tuple[str, ...]] = ()
    """The HI code lists besides diagnoses (by their claims JSON key)."""
    ambulance: ClassVar[bool] = False
    """Ambulance transport (CR1) and certification (CRC) at claim and line."""
    teeth: ClassVar[bool] = False
    """Tooth information (TOO) on the line."""
    discharge_hour: ClassVar[bool] = False
    """A discharge hour (DTP*096) on the claim."""

    @property
    def uniform_billing(self) -> bool:
        """True when the claim follows the UB-04: CLM05-1 is a facility type, CLM05-3 a NUBC frequency."""
        return self.facility_code_qualifier == "A"

    @property
    def location(self) -> str:
        """The claims JSON name of CLM05-1."""
        return "facility_type" if self.uniform_billing else "place_of_service"

    @classmethod
    def service_element(cls, index: int, component: int | None = None) -> str:
        """The reference of an element of the service-line segment, such as ``SV107`` or ``SV101-3``."""
        name = f"{cls.service_segment}{index:02d}"
        return name if component is None else f"{name}-{component}"


@dataclass(frozen=True)
class Professional(ClaimGuide):
    """837P, X222A1."""

    id: str = "837P"
    version = "005010X222A1"
    aliases = ("005010X222", "005010X222A2")
    service_segment = "SV1"
    procedure = 1
    charge = 2
    unit_type = 3
    units = 4
    place_of_service = 5
    pointers = 7
    max_diagnoses = 12
    supervising_loop = "2310D"
    code_lists = ("condition_codes",)
    ambulance = True


@dataclass(frozen=True)
class Institutional(ClaimGuide):
    """837I, X223A2."""

    id: str = "837I"
    version = "005010X223A2"
    aliases = ("005010X223", "005010X223A1", "005010X223A3")
    service_segment = "SV2"
    revenue_code = 1
    procedure = 2
    charge = 3
    unit_type = 4
    units = 5
    facility_code_qualifier = "A"
    service_date_qualifiers = ("434",)
    rendering_loop = "2310D"
    line_rendering_loop = "2420C"
    diagnosis_classes = (
        frozenset({"ABK", "BK"}),
        frozenset({"ABJ", "BJ"}),
        frozenset({"APR", "PR"}),
        frozenset({"ABN", "BN"}),
        frozenset({"ABF", "BF"}),
    )
    code_lists = (
        "drg",
        "principal_procedure",
        "other_procedures",
        "occurrence_spans",
        "occurrences",
        "values",
        "condition_codes",
    )
    discharge_hour = True


@dataclass(frozen=True)
class Dental(ClaimGuide):
    """837D, X224A2."""

    id: str = "837D"
    version = "005010X224A2"
    aliases = ("005010X224", "005010X224A1", "005010X224A3")
    service_segment = "SV3"
    procedure = 1
    charge = 2
    place_of_service = 3
    units = 6
    pointers = 11
    max_diagnoses = 4
    procedure_qualifier = "AD"
    supervising_loop = "2310E"
    teeth = True
    usage_overrides: ClassVar[Mapping[tuple[str, str], str]] = {
        ("2300", "HI"): "S",  # diagnosis codes only when they affect adjudication
        ("SV3", "SV306"): "S",  # procedure count only when the procedure is done several times
        ("CLM", "CLM19"): "S",  # PB marks a predetermination of benefits
    }


CLAIM_GUIDE_CLASSES: tuple[type[ClaimGuide], ...] = (Professional, Institutional, Dental)
PROFESSIONAL, INSTITUTIONAL, DENTAL = Professional.id, Institutional.id, Dental.id
CLAIM_GUIDES = (PROFESSIONAL, INSTITUTIONAL, DENTAL)
CLAIM_KIND = ClaimGuide.st01
"""The IDs of the 837 claim guides, for ``@rule(guides=...)`` and column declarations."""
