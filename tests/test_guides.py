"""What each guide class declares, checked against the guide's own spec (edi/guides/data/<guide>.json)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from edi.claims.codelists import BY_KEY
from edi.guides import (
    CLAIM_GUIDES,
    ClaimGuide,
    Dental,
    Guide,
    Institutional,
    Professional,
    Remittance,
    claim_guide,
    guide_by_id,
    resolve_guide,
)
from edi.guides.registry import GUIDES

# The X12 data element each declared position must hold.
POSITIONS = {
    "procedure": "C003",  # composite medical procedure identifier
    "charge": "782",  # monetary amount
    "units": "380",  # quantity
    "unit_type": "355",  # unit or basis for measurement code
    "pointers": "C004",  # composite diagnosis code pointer
    "place_of_service": "1331",  # facility code value
}
SUPERVISING, RENDERING = "DQ", "82"  # NM101 entity codes


def _segments(loop: dict[str, Any], seg_id: str) -> list[dict[str, Any]]:
    return [item for item in loop["items"] if item["id"] == seg_id and "elements" in item]


def _children(loop: dict[str, Any]) -> set[str]:
    return {item["id"] for item in loop["items"] if "items" in item}


def _codes(element: dict[str, Any]) -> set[str]:
    return set(element.get("codes") or ())


def _first_codes(segment: dict[str, Any]) -> set[str]:
    first = segment["elements"][0]
    return _codes(first["components"][0] if "components" in first else first)


def _qualifiers(segment: dict[str, Any]) -> set[str]:
    """The codes of every HI0x-1 (the first component of each composite)."""
    return set().union(*(_codes(e["components"][0]) for e in segment["elements"] if e.get("components")))


def _entity(guide: Guide, loop_id: str) -> set[str]:
    return set().union(*(_first_codes(s) for s in _segments(guide.loops[loop_id], "NM1")))


def _element_problems(guide: Guide) -> list[str]:
    """Each declared service-line position names an element of the data element it stands for."""
    assert guide.line_loop is not None
    service = _segments(guide.loops[guide.line_loop], guide.service_segment)
    if not service:
        return [f"no {guide.service_segment} in loop {guide.line_loop}"]
    elements = service[0]["elements"]
    problems = []
    for fact, data_element in POSITIONS.items():
        position = getattr(guide, fact)
        if not position:
            continue
        found = elements[position - 1] if position <= len(elements) else {}
        if found.get("ref") != f"{guide.service_segment}{position:02d}" or found.get("data_ele") != data_element:
            problems.append(f"{fact}: {guide.service_segment}{position:02d} is not data element {data_element}")
    return problems


def _claim_problems(guide: ClaimGuide) -> list[str]:
    """The 837 facts: provider loops, dates, CLM05-2, HI qualifiers, optional segments, diagnosis limit."""
    problems = []
    assert guide.claim_loop is not None and guide.line_loop is not None
    claim, line = guide.loops[guide.claim_loop], guide.loops[guide.line_loop]
    wanted = [(guide.rendering_loop, claim, RENDERING), (guide.line_rendering_loop, line, RENDERING)]
    wanted += [(guide.supervising_loop, claim, SUPERVISING)] if guide.supervising_loop else []
    for loop_id, parent, entity in wanted:
        if loop_id not in _children(parent) or entity not in _entity(guide, loop_id):
            problems.append(f"loop {loop_id}: not a provider loop with NM101 {entity} under {parent['id']}")
    claim_dates = set().union(*(_first_codes(s) for s in _segments(claim, "DTP")))
    line_dates = set().union(*(_first_codes(s) for s in _segments(line, "DTP")))
    if not set(guide.service_date_qualifiers) <= claim_dates | line_dates:
        problems.append(f"service dates {guide.service_date_qualifiers}: not DTP01 codes of the claim or line")
    if guide.discharge_hour and "096" not in claim_dates:
        problems.append("discharge hour: no DTP*096 on the claim")
    clm05 = _segments(claim, "CLM")[0]["elements"][4]["components"]
    if _codes(clm05[1]) != {guide.facility_code_qualifier}:
        problems.append(f"facility code qualifier {guide.facility_code_qualifier}: CLM05-2 allows {_codes(clm05[1])}")
    procedure = _segments(line, guide.service_segment)[0]["elements"][guide.procedure - 1]["components"][0]
    if guide.procedure_qualifier not in _codes(procedure):
        problems.append(f"procedure qualifier {guide.procedure_qualifier}: not a code of {procedure['ref']}")
    hi_codes = [_qualifiers(s) for s in _segments(claim, "HI")]
    for qualifiers in guide.diagnosis_classes:
        if not any(qualifiers <= codes for codes in hi_codes):
            problems.append(f"diagnosis class {sorted(qualifiers)}: no HI segment of the claim takes them")
    for key in guide.code_lists:
        if not any(set(BY_KEY[key].qualifiers) <= codes for codes in hi_codes):
            problems.append(f"code list {key}: no HI segment of the claim takes its qualifiers")
    first_hi = _segments(claim, "HI")[0]["elements"]
    if guide.max_diagnoses > sum(1 for e in first_hi if e.get("usage") != "N"):
        problems.append(f"max diagnoses {guide.max_diagnoses}: more than the diagnosis HI holds")
    extras = [("CR1", claim), ("CR1", line), ("CRC", line)] if guide.ambulance else []
    extras += [("TOO", line)] if guide.teeth else []
    problems += [f"{seg_id}: not in loop {loop['id']}" for seg_id, loop in extras if not _segments(loop, seg_id)]
    return problems


def problems(guide: Guide) -> list[str]:
    """Every declared fact of ``guide`` that its spec contradicts."""
    spec = guide.spec
    found = [
        f"{fact} {getattr(guide, fact)!r}: the spec says {spec[key]!r}"
        for fact, key in (("id", "guide"), ("version", "version"), ("st01", "st01"), ("functional_id", "gs01"))
        if getattr(guide, fact) != spec[key]
    ]
    found += [f"unit loop {loop_id}: not in the spec" for loop_id in guide.unit_loops if loop_id not in guide.loops]
    if guide.claim_loop is not None:
        assert guide.line_loop is not None
        if guide.claim_loop not in guide.loops or guide.line_loop not in _children(guide.loops[guide.claim_loop]):
            return [*found, f"claim loop {guide.claim_loop}: no line loop {guide.line_loop} in it"]
        found += _element_problems(guide)
        cas = [_first_codes(s) for loop in guide.loops.values() for s in _segments(loop, "CAS")]
        if any(codes != guide.adjustment_groups for codes in cas):
            found.append(f"adjustment groups {sorted(guide.adjustment_groups)}: CAS01 allows {cas}")
    if isinstance(guide, ClaimGuide):
        found += _claim_problems(guide)
    loops = [spec["transaction"], *guide.loops.values()]
    for where, ref in [*guide.usage_overrides, *guide.code_additions]:
        in_loop = where in guide.loops and any(i["id"] == ref for i in guide.loops[where]["items"])
        in_segment = any(e["ref"] == ref for loop in loops for s in _segments(loop, where) for e in s["elements"])
        if not (in_loop or in_segment):
            found.append(f"override ({where}, {ref}): no such loop segment or segment element")
    return found


@pytest.mark.parametrize("guide_id", sorted(GUIDES))
def test_declared_facts_match_the_spec(guide_id: str) -> None:
    guide = guide_by_id(guide_id)
    assert type(guide) is GUIDES[guide_id]
    assert problems(guide) == []


@dataclass(frozen=True)
class WrongCharge(Professional):
    charge = 3


@dataclass(frozen=True)
class WrongSupervising(Dental):
    supervising_loop = "2310D"


@dataclass(frozen=True)
class WrongDates(Institutional):
    service_date_qualifiers = ("454",)


@dataclass(frozen=True)
class WrongFacility(Professional):
    facility_code_qualifier = "A"


@dataclass(frozen=True)
class WrongLine(Remittance):
    line_loop = "2100"


@pytest.mark.parametrize(
    ("guide", "expected"),
    [
        (WrongCharge(), "charge: SV103 is not data element 782"),
        (WrongSupervising(), "loop 2310D: not a provider loop with NM101 DQ under 2300"),
        (WrongDates(), "service dates ('454',): not DTP01 codes of the claim or line"),
        (WrongFacility(), "facility code qualifier A: CLM05-2 allows {'B'}"),
        (WrongLine(), "claim loop 2100: no line loop 2100 in it"),
    ],
)
def test_a_wrong_fact_is_caught(guide: Guide, expected: str) -> None:
    assert expected in problems(guide)


def test_registry_picks_each_class_by_version_and_alias() -> None:
    for guide_id, cls in GUIDES.items():
        st01 = cls.st01
        assert resolve_guide(st01, cls.version) == (guide_by_id(guide_id), None)
        for alias in cls.aliases:
            guide, warning = resolve_guide(st01, alias)
            assert guide is guide_by_id(guide_id)
            assert warning == f"version {alias} is read with the {guide_id} guide {cls.version}"
    assert tuple(g.id for g in GUIDES.values() if isinstance(g(), ClaimGuide)) == CLAIM_GUIDES


def test_an_837_without_version_is_told_apart_by_its_lines() -> None:
    assert resolve_guide("837", "", lambda: ["CLM", "SV2"])[0] is guide_by_id("837I")
    assert resolve_guide("837", "", lambda: ["CLM", "SV3"])[0] is guide_by_id("837D")
    assert resolve_guide("837", "", lambda: ["CLM"])[0] is guide_by_id("837P")


def test_claim_guide_refuses_other_guides() -> None:
    assert claim_guide("837D").uniform_billing is False
    assert claim_guide("837I").location == "facility_type"
    with pytest.raises(TypeError, match="'835' is not an 837 claim guide"):
        claim_guide("835")
