"""SNIP 5: external code sets: ICD-10-CM, NPI, state and ZIP, place of service, claim frequency, CAS groups, HCPCS, CDT.

Also the claim helpers that the code ordering rules share: `claims` gives the model of each
2300 loop (`edi.claims.model`: its diagnosis codes, service lines, procedures and pointers),
built once from the transaction set's shared index (`edi.validate.index`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from importlib import resources

from edi.claims.model import ICD10_DIAGNOSIS, Claim
from edi.guides import CLAIM_GUIDES, DENTAL, PROFESSIONAL, REMITTANCE, ClaimGuide, claim_guide, guide_by_id
from edi.validate import icd10
from edi.validate.context import Context, rule
from edi.validate.issue import Issue
from edi.x12.lalr import Loop
from edi.x12.segment import Segment

CLAIMS = CLAIM_GUIDES
PROFESSIONAL_FREQUENCY = frozenset({"1", "7", "8"})
CANADIAN_PROVINCES = frozenset(
    {"AB", "BC", "MB", "NB", "NF", "NL", "NS", "NT", "NU", "ON", "PE", "PQ", "QC", "SK", "YT"}
)
HCPCS = re.compile(r"\d{4}[0-9A-Z]|[A-Z]\d{4}")
CDT = re.compile(r"D\d{4}")
ZIP = re.compile(r"\d{5}(?:\d{4})?")
INVALID_CODE = "7"  # IK403: invalid code value
INVALID_CHARACTER = "6"  # IK403: invalid character in data element


@cache
def code_list(name: str) -> frozenset[str]:
    """One external code list of ``codes.json`` (``states``, ``pos`` ...)."""
    text = (resources.files("edi.guides") / "data" / "codes.json").read_text(encoding="utf-8")
    return frozenset(json.loads(text)[name])


def guide_id(ctx: Context) -> str:
    """The ID of the guide the context's transaction was read with ("" without one)."""
    return ctx.index.guide_id


def claims(ctx: Context) -> list[Claim]:
    """The model of each 2300 claim loop of the context's transaction (HI codes, service lines)."""
    return ctx.index.claim_models


def claim_id(claim: Claim) -> str:
    """The patient control number (CLM01) of a claim."""
    return claim.patient_control_number


@lru_cache(maxsize=65_536)
def npi_valid(npi: str) -> bool:
    """True for a 10-digit NPI starting with 1 or 2 whose Luhn check digit (with prefix 80840) holds."""
    if len(npi) != 10 or not npi.isdigit() or npi[0] not in "12":
        return False
    total = 0
    for position, digit in enumerate(reversed("80840" + npi)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _code_error(
    ctx: Context,
    rule_id: str,
    message: str,
    segment: Segment,
    loop: Loop | str,
    element: str,
    *,
    data_element: str,
    element_error: str = INVALID_CODE,
    claim: str | None = None,
) -> Issue:
    """A SNIP 5 error for a value outside its code set (999 IK403 ``element_error``, invalid code unless given)."""
    return ctx.issue(
        "error",
        5,
        rule_id,
        message,
        segment,
        loop,
        element,
        element_error=element_error,
        data_element=data_element,
        claim=claim,
    )


@rule(snip=5, guides=CLAIMS, within="2300")
def icd10_codes(ctx: Context) -> Iterator[Issue]:
    """ICD-10-CM diagnosis codes must exist in the tabular and be billable (a leaf)."""
    table = icd10.table()
    for claim in claims(ctx):
        for hi in claim.diagnoses:
            if hi.qualifier not in ICD10_DIAGNOSIS or not hi.code:
                continue
            key = icd10.normalize(hi.code)
            flags = table.flags(key)
            if flags is None or not key[:1].isalpha() or "-" in key:
                rule_id = "snip5.icd10_valid"
                message = f"{hi.code} is not in the ICD-10-CM tabular (simple-icd-10-cm {table.version})"
            elif not flags & icd10.LEAF:
                rule_id = "snip5.icd10_billable"
                message = f"{hi.code} ({table.texts(key)[0]}) is a category with subcodes, not a billable code"
            else:
                continue
            yield _code_error(
                ctx, rule_id, message, hi.segment, claim.loop, hi.element, data_element="1271", claim=claim_id(claim)
            )


@rule(snip=5, guides=(*CLAIMS, REMITTANCE))
def npi_check_digit(ctx: Context) -> Iterator[Issue]:
    """Every NPI (NM108 or N103 = XX) must have 10 digits and a valid check digit."""
    for segment, loop in ctx.index.segments("NM1", "N1"):
        if segment.id == "NM1" and segment.get(8) == "XX":
            element, npi = "NM109", segment.get(9)
        elif segment.id == "N1" and segment.get(3) == "XX":
            element, npi = "N104", segment.get(4)
        else:
            continue
        if npi and not npi_valid(npi):
            yield _code_error(
                ctx,
                "snip5.npi_check_digit",
                f"{npi} is not a valid NPI: expected 10 digits starting with 1 or 2 and a valid check digit",
                segment,
                loop,
                element,
                data_element="67",
            )


def _us_addresses(ctx: Context) -> Iterator[tuple[Segment, Loop]]:
    for segment, loop in ctx.index.segments("N4"):
        if segment.get(4) in ("", "US"):
            yield segment, loop


@rule(snip=5, guides=(*CLAIMS, REMITTANCE))
def state_code(ctx: Context) -> Iterator[Issue]:
    """N402 must be a US state or Canadian province code."""
    for segment, loop in _us_addresses(ctx):
        state = segment.get(2)
        if state and state not in code_list("states"):
            yield _code_error(
                ctx,
                "snip5.state_code",
                f"{state} is not a state or province code",
                segment,
                loop,
                "N402",
                data_element="156",
            )


@rule(snip=5, guides=(*CLAIMS, REMITTANCE))
def zip_format(ctx: Context) -> Iterator[Issue]:
    """A US ZIP code (N403) must have 5 or 9 digits."""
    for segment, loop in _us_addresses(ctx):
        postal = segment.get(3)
        if postal and segment.get(2) not in CANADIAN_PROVINCES and not ZIP.fullmatch(postal):
            yield _code_error(
                ctx,
                "snip5.zip_format",
                f"ZIP code {postal!r} must be 5 or 9 digits",
                segment,
                loop,
                "N403",
                data_element="116",
                element_error=INVALID_CHARACTER,
            )


@rule(snip=5, guides=(PROFESSIONAL, DENTAL), within="2300")
def place_of_service(ctx: Context) -> Iterator[Issue]:
    """Place of service (CLM05-1, SV105, SV303) must be a CMS place of service code."""
    index = guide_by_id(guide_id(ctx)).place_of_service
    if not index:
        return
    known = code_list("pos")
    for claim in claims(ctx):
        value = claim.facility_code
        if value and value not in known:
            yield _place_error(ctx, value, claim.clm, claim.loop, "CLM05-1")
        for line in claim.lines:
            value, service = line.place_of_service, line.service
            if value and value not in known and service is not None:
                yield _place_error(ctx, value, service, line.loop, line.element(index))


def _place_error(ctx: Context, value: str, segment: Segment, loop: str, element: str) -> Issue:
    return _code_error(
        ctx,
        "snip5.place_of_service",
        f"{value} is not a CMS place of service code",
        segment,
        loop,
        element,
        data_element="1331",
    )


@rule(snip=5, guides=CLAIMS, within="2300")
def claim_frequency(ctx: Context) -> Iterator[Issue]:
    """CLM05-3 must be 1, 7 or 8 on 837P/837D, and one NUBC character (digit or letter) on 837I."""
    institutional = claim_guide(guide_id(ctx)).uniform_billing
    for claim in claims(ctx):
        frequency = claim.frequency
        if not frequency:
            continue
        if institutional:
            valid, expected = len(frequency) == 1 and frequency.isalnum(), "one NUBC digit or letter"
        else:
            valid, expected = frequency in PROFESSIONAL_FREQUENCY, "1 (original), 7 (replacement) or 8 (void)"
        if not valid:
            yield _code_error(
                ctx,
                "snip5.claim_frequency",
                f"claim frequency {frequency!r} is not valid: expected {expected}",
                claim.clm,
                claim.loop,
                "CLM05-3",
                data_element="1325",
                claim=claim_id(claim),
            )


@rule(snip=5, guides=(*CLAIMS, REMITTANCE))
def adjustment_group(ctx: Context) -> Iterator[Issue]:
    """CAS01 must be a claim adjustment group code (CR only in 837 COB, not in the 835)."""
    allowed = guide_by_id(guide_id(ctx)).adjustment_groups
    for segment, loop in ctx.index.segments("CAS"):
        group = segment.get(1)
        if group and group not in allowed:
            yield _code_error(
                ctx,
                "snip5.adjustment_group",
                f"{group} is not an adjustment group code here: expected one of {', '.join(sorted(allowed))}",
                segment,
                loop,
                "CAS01",
                data_element="1033",
            )


@rule(snip=5, guides=(*CLAIMS, REMITTANCE))
def hcpcs_format(ctx: Context) -> Iterator[Issue]:
    """A procedure code with qualifier HC (SV101, SV202, SV301, SVC01, SVC06) must look like HCPCS."""
    for segment, loop, index in _procedures(ctx):
        parts = segment.components(index)
        code = parts[1] if len(parts) > 1 else ""
        if parts and parts[0] == "HC" and code and not HCPCS.fullmatch(code):
            yield _code_error(
                ctx,
                "snip5.hcpcs_format",
                f"{code} is not a HCPCS code: expected 4 digits + a digit or letter (CPT), or a letter + 4 digits",
                segment,
                loop,
                f"{segment.id}{index:02d}-2",
                data_element="234",
            )


def _procedures(ctx: Context) -> Iterator[tuple[Segment, Loop | str, int]]:
    """(segment, loop, element) of each procedure composite: each claim line's, or an 835's SVC01 and SVC06."""
    guide = guide_by_id(guide_id(ctx))
    if isinstance(guide, ClaimGuide):
        for claim in claims(ctx):
            for line in claim.lines:
                if line.service is not None:
                    yield line.service, line.loop, guide.procedure
        return
    for segment, loop in ctx.index.segments(guide.service_segment):
        for index in (guide.procedure, guide.submitted_procedure):
            yield segment, loop, index


@rule(snip=5, guides=(DENTAL,), within="2300")
def cdt_format(ctx: Context) -> Iterator[Issue]:
    """A dental procedure code with qualifier AD (SV301) must be D and 4 digits."""
    for claim in claims(ctx):
        for line in claim.lines:
            found, service = line.procedure, line.service
            if found is None or service is None or found.qualifier != "AD":
                continue
            if not CDT.fullmatch(found.code):
                yield _code_error(
                    ctx,
                    "snip5.cdt_format",
                    f"{found.code} is not a CDT code: expected D and 4 digits",
                    service,
                    line.loop,
                    line.element(line.guide.procedure, 2),
                    data_element="234",
                    claim=claim_id(claim),
                )
