"""What each 837 loop becomes in the claims JSON: its named segments, dates and child loops.

A loop is known by its trigger: the segment ID plus, for NM1 and HL, the entity or level
code (``NM1*85``, ``HL*22``). The same tables serve 837P, 837I and 837D; where a guide
differs (CLM05-1, HI ordering) the table is chosen by guide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

from edi.fields import Field, SegmentMap
from edi.guides import CLAIM_KIND, claim_guide
from edi.x12.lalr import Loop
from edi.x12.segment import Segment

# NM101 entity codes of provider loops, and the role name each gets under "providers".
ROLES: dict[str, str] = {
    "DN": "referring",
    "P3": "primary_care",
    "82": "rendering",
    "77": "service_facility",
    "DQ": "supervising",
    "71": "attending",
    "72": "operating",
    "ZZ": "other_operating",
    "DD": "assistant_surgeon",
    "PW": "ambulance_pickup",
    "45": "ambulance_dropoff",
    "QB": "purchased_service",
    "DK": "ordering",
    "85": "billing_provider",
}
ROLE_CODES = {role: code for code, role in ROLES.items()}
AMBULANCE_LOCATIONS = frozenset({"PW", "45"})

CLAIM_DATES: dict[str, str] = {
    "431": "onset",
    "454": "initial_treatment",
    "304": "last_seen",
    "453": "acute_manifestation",
    "439": "accident",
    "484": "last_menstrual_period",
    "455": "last_xray",
    "471": "prescription",
    "314": "disability",
    "360": "disability_begin",
    "361": "disability_end",
    "297": "last_worked",
    "296": "return_to_work",
    "435": "admission",
    "096": "discharge",
    "090": "assumed_care",
    "091": "relinquished_care",
    "444": "first_visit",
    "050": "repricer_received",
    "434": "statement",
    "472": "service",
    "452": "appliance_placement",
}
LINE_DATES: dict[str, str] = {
    "471": "prescription",
    "607": "certification_revision",
    "463": "therapy_begin",
    "461": "last_certification",
    "304": "last_seen",
    "738": "hemoglobin_test",
    "739": "serum_creatinine_test",
    "011": "shipped",
    "455": "last_xray",
    "454": "initial_treatment",
    "441": "prior_placement",
    "452": "appliance_placement",
    "446": "replacement",
    "196": "treatment_start",
    "198": "treatment_completion",
}


@dataclass(frozen=True, slots=True)
class Child:
    """Where a child loop goes in its parent's object: one object, a list, or a dict by role."""

    key: str
    mode: str = "one"


@dataclass(frozen=True, slots=True)
class LoopKind:
    """What one loop becomes: its named segments (the trigger first) and where its children go.

    ``by_segment`` holds the maps of each segment ID, in order.
    """

    maps: tuple[SegmentMap, ...]
    children: dict[tuple[str, str], Child] = field(default_factory=dict)
    roles: str = ""
    dates: dict[str, str] = field(default_factory=dict)
    service_date: bool = False
    diagnoses: bool = False
    hl: str = ""
    by_segment: dict[str, tuple[SegmentMap, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_segment: dict[str, tuple[SegmentMap, ...]] = {}
        for smap in self.maps:
            by_segment[smap.seg] = (*by_segment.get(smap.seg, ()), smap)
        object.__setattr__(self, "by_segment", by_segment)


# The trigger keys of the loops a streaming read hands out on their own (`Guide.unit_rules`).
UNIT_TRIGGERS = {"2000A": ("HL", "20"), "2000B": ("HL", "22"), "2000C": ("HL", "23"), "2300": ("CLM", "")}


def trigger_key(loop: Loop) -> tuple[str, str]:
    """(segment ID, entity or level code) of the segment that opens ``loop``."""
    return segment_key(loop.trigger)


def segment_key(first: Segment) -> tuple[str, str]:
    """(segment ID, entity or level code) of a segment that opens a loop."""
    if first.id == "NM1":
        return ("NM1", first.get(1))
    if first.id == "HL":
        return ("HL", first.get(3))
    return (first.id, "")


def _ref(code: str, key: str) -> SegmentMap:
    return SegmentMap("REF", (Field(key, "REF02"),), match=((1, code),))


def _amt(code: str, key: str) -> SegmentMap:
    return SegmentMap("AMT", (Field(key, "AMT02", "amount"),), match=((1, code),))


NM1_FIELDS = (
    Field("name", "NM103", when=("NM102", "2")),
    Field("last_name", "NM103", when=("NM102", "1")),
    Field("first_name", "NM104"),
    Field("middle_name", "NM105"),
    Field("suffix", "NM107"),
    Field("npi", "NM109", when=("NM108", "XX")),
    Field("id_qualifier", "NM108", when=("NM108", "!XX")),
    Field("id", "NM109", when=("NM108", "!XX")),
)
ADDRESS = (
    SegmentMap("N3", (Field("line1", "N301"), Field("line2", "N302")), key="address"),
    SegmentMap(
        "N4",
        (
            Field("city", "N401"),
            Field("state", "N402"),
            Field("postal_code", "N403"),
            Field("country", "N404"),
            Field("country_subdivision", "N407"),
        ),
        key="address",
    ),
)
CONTACT = SegmentMap(
    "PER",
    (Field("name", "PER02"), Field("numbers", "PER03", "groups", names=("type", "number"), count=3)),
    match=((1, "IC"),),
    key="contacts",
    many=True,
)
ADJUSTMENT = SegmentMap(
    "CAS",
    (Field("group", "CAS01"), Field("reasons", "CAS02", "groups", names=("reason", "amount", "quantity"), count=6)),
    key="adjustments",
    many=True,
)
ADJUDICATION_DATE = SegmentMap("DTP", (Field("adjudication_date", "DTP03", "date"),), match=((1, "573"), (2, "D8")))
SUBSCRIBER_FIELDS = (
    Field("payer_responsibility", "SBR01"),
    Field("relationship", "SBR02"),
    Field("group_number", "SBR03"),
    Field("group_name", "SBR04"),
    Field("insurance_type", "SBR05"),
    Field("claim_filing_indicator", "SBR09"),
)


def _codes(*codes: str) -> dict[str, str]:
    """A guide code list whose codes are written in the JSON as they are."""
    return {code: code for code in codes}


# CR1 ambulance transport (837P 2300 and 2400): codes from the 837P guide.
AMBULANCE_TRANSPORT = SegmentMap(
    "CR1",
    (
        Field("weight", "CR102", "amount", when=("CR101", "LB")),
        Field("transport_reason", "CR104", codes=_codes("A", "B", "C", "D", "E")),
        Field("distance", "CR106", "amount", when=("CR105", "DH")),
        Field("round_trip_purpose", "CR109"),
        Field("stretcher_purpose", "CR110"),
    ),
    key="ambulance_transport",
)
# CRC*07 ambulance certification: CRC02 Y/N says whether the conditions CRC03-CRC07 apply.
AMBULANCE_CERTIFICATION = SegmentMap(
    "CRC",
    (
        Field("applies", "CRC02", codes=_codes("Y", "N")),
        Field("conditions", "CRC03", "elements", codes=_codes("01", "04", "05", "06", "07", "08", "09", "12"), count=5),
    ),
    match=((1, "07"),),
    key="ambulance_certifications",
    many=True,
)


def _procedure(ref: str) -> tuple[Field, ...]:
    return (
        Field("procedure.qualifier", f"{ref}-1"),
        Field("procedure.code", f"{ref}-2"),
        Field("procedure.modifiers", f"{ref}-3:6", "list"),
        Field("procedure.description", f"{ref}-7"),
    )


@cache
def party(code: str) -> LoopKind:
    """A name loop (NM1 with ``code``): name, IDs, address, contacts, demographics.

    An ambulance pick-up or drop-off location (NM1*PW, NM1*45) is always written as a
    non-person entity (NM102 ``2``), as the 837P guide requires, even without a name.
    """
    entity = ((2, 0, "2"),) if code in AMBULANCE_LOCATIONS else ()
    return LoopKind(
        (
            SegmentMap("NM1", NM1_FIELDS, match=((1, code),), fixed=entity, always=True),
            *ADDRESS,
            SegmentMap(
                "PRV",
                (Field("provider_code", "PRV01"), Field("taxonomy", "PRV03")),
                fixed=((2, 0, "PXC"),),
                requires="provider_code",
            ),
            _ref("EI", "tax_id"),
            _ref("SY", "ssn"),
            CONTACT,
            SegmentMap("DMG", (Field("birth_date", "DMG02", "date"), Field("gender", "DMG03")), match=((1, "D8"),)),
            ADJUDICATION_DATE,
        ),
    )


ROOT = LoopKind(
    (
        SegmentMap(
            "ST",
            (Field("control_number", "ST02"), Field("version", "ST03")),
            match=((1, CLAIM_KIND),),
            key="transaction",
            always=True,
        ),
        SegmentMap(
            "BHT",
            (
                Field("purpose", "BHT02"),
                Field("reference", "BHT03"),
                Field("created", "BHT04", "datetime"),
                Field("claim_or_encounter", "BHT06", codes={"CH": "claim", "RP": "encounter", "31": "subrogation"}),
            ),
            match=((1, "0019"),),
            key="transaction",
        ),
    ),
    {
        ("NM1", "41"): Child("submitter"),
        ("NM1", "40"): Child("receiver"),
        ("HL", "20"): Child("billing_providers", "many"),
    },
)
BILLING = LoopKind(
    (
        SegmentMap(
            "PRV", (Field("taxonomy", "PRV03"),), match=((1, "BI"),), fixed=((2, 0, "PXC"),), key="billing_provider"
        ),
    ),
    {
        ("NM1", "85"): Child("billing_provider"),
        ("NM1", "87"): Child("pay_to_address"),
        ("NM1", "PE"): Child("pay_to_plan"),
        ("HL", "22"): Child("subscribers", "many"),
    },
    hl="20",
)
SUBSCRIBER = LoopKind(
    (SegmentMap("SBR", SUBSCRIBER_FIELDS, always=True),),
    {
        ("NM1", "IL"): Child("subscriber"),
        ("NM1", "PR"): Child("payer"),
        ("HL", "23"): Child("patients", "many"),
        ("CLM", ""): Child("claims", "many"),
    },
    hl="22",
)
PATIENT = LoopKind(
    (SegmentMap("PAT", (Field("relationship", "PAT01"),)),),
    {("NM1", "QC"): Child("patient"), ("CLM", ""): Child("claims", "many")},
    hl="23",
)
OTHER_PAYER = LoopKind(
    (
        SegmentMap("SBR", SUBSCRIBER_FIELDS, always=True),
        ADJUSTMENT,
        _amt("D", "paid"),
        _amt("A8", "noncovered"),
        _amt("EAF", "remaining_patient_liability"),
        SegmentMap(
            "OI",
            (
                Field("benefits_assigned", "OI03"),
                Field("patient_signature_source", "OI04"),
                Field("release_of_information", "OI06"),
            ),
        ),
    ),
    {("NM1", "IL"): Child("subscriber"), ("NM1", "PR"): Child("payer")},
    roles="providers",
)
DRUG = LoopKind(
    (
        SegmentMap("LIN", (Field("product_qualifier", "LIN02"), Field("product_id", "LIN03")), always=True),
        SegmentMap("CTP", (Field("quantity", "CTP04", "amount"), Field("unit", "CTP05-1"))),
    ),
)
ADJUDICATION = LoopKind(
    (
        SegmentMap(
            "SVD",
            (
                Field("payer_id", "SVD01"),
                Field("paid", "SVD02", "amount"),
                *_procedure("SVD03"),
                Field("units", "SVD05", "amount"),
                Field("bundled_line", "SVD06", "int"),
            ),
            always=True,
        ),
        ADJUSTMENT,
        ADJUDICATION_DATE,
        _amt("EAF", "remaining_patient_liability"),
    ),
)
# The service-line segment of each claim guide, by its ID (`ClaimGuide.service_segment`).
SERVICES = {
    "SV1": SegmentMap(
        "SV1",
        (
            *_procedure("SV101"),
            Field("charge", "SV102", "amount"),
            Field("unit_type", "SV103"),
            Field("units", "SV104", "amount"),
            Field("place_of_service", "SV105"),
            Field("diagnosis_pointers", "SV107", "pointers"),
            Field("emergency", "SV109"),
            Field("epsdt", "SV111"),
            Field("family_planning", "SV112"),
            Field("copay_exempt", "SV115"),
        ),
    ),
    "SV2": SegmentMap(
        "SV2",
        (
            Field("revenue_code", "SV201"),
            *_procedure("SV202"),
            Field("charge", "SV203", "amount"),
            Field("unit_type", "SV204"),
            Field("units", "SV205", "amount"),
            Field("unit_rate", "SV206", "amount"),
            Field("noncovered_charge", "SV207", "amount"),
        ),
    ),
    "SV3": SegmentMap(
        "SV3",
        (
            *_procedure("SV301"),
            Field("charge", "SV302", "amount"),
            Field("place_of_service", "SV303"),
            Field("oral_cavity", "SV304", "list"),
            Field("prosthesis", "SV305"),
            Field("units", "SV306", "amount"),
            Field("diagnosis_pointers", "SV311", "pointers"),
        ),
    ),
}
TEETH = SegmentMap(
    "TOO",
    (Field("tooth", "TOO02"), Field("surfaces", "TOO03", "list")),
    match=((1, "JP"),),
    key="teeth",
    many=True,
)


@cache
def line(guide: str) -> LoopKind:
    """The 2400 service line of ``guide``: LX, SV1/SV2/SV3 (and TOO), line dates and references."""
    facts = claim_guide(guide)
    return LoopKind(
        (
            SegmentMap("LX", (Field("line_number", "LX01", "int"),), always=True),
            SERVICES[facts.service_segment],
            *((TEETH,) if facts.teeth else ()),
            *((AMBULANCE_TRANSPORT, AMBULANCE_CERTIFICATION) if facts.ambulance else ()),
            _ref("6R", "line_control_number"),
            _ref("G1", "prior_authorization"),
            SegmentMap("NTE", (Field("code", "NTE01"), Field("text", "NTE02")), key="note"),
        ),
        {("LIN", ""): Child("drug"), ("SVD", ""): Child("adjudications", "many")},
        roles="providers",
        dates=LINE_DATES,
        service_date=True,
    )


@cache
def claim(guide: str) -> LoopKind:
    """The 2300 claim loop of ``guide``: CLM, claim dates, amounts, references, diagnoses."""
    facts = claim_guide(guide)
    return LoopKind(
        (
            SegmentMap(
                "CLM",
                (
                    Field("patient_control_number", "CLM01"),
                    Field("charge", "CLM02", "amount"),
                    Field(facts.location, "CLM05-1"),
                    Field("frequency", "CLM05-3"),
                    Field("provider_signature", "CLM06"),
                    Field("assignment", "CLM07"),
                    Field("benefits_assigned", "CLM08"),
                    Field("release_of_information", "CLM09"),
                    Field("patient_signature_source", "CLM10"),
                    Field("related_causes", "CLM11-1:3", "list"),
                    Field("accident_state", "CLM11-4"),
                    Field("accident_country", "CLM11-5"),
                    Field("special_program", "CLM12"),
                    Field("predetermination", "CLM19"),
                    Field("delay_reason", "CLM20"),
                ),
                fixed=((5, 2, facts.facility_code_qualifier),),
                always=True,
            ),
            _amt("F5", "patient_paid"),
            _amt("F3", "patient_estimated_due"),
            _ref("F8", "payer_claim_control_number"),
            _ref("G1", "prior_authorization"),
            _ref("9F", "referral_number"),
            _ref("EA", "medical_record_number"),
            _ref("D9", "clearinghouse_trace_number"),
            SegmentMap("NTE", (Field("code", "NTE01"), Field("text", "NTE02")), key="note"),
            *((AMBULANCE_TRANSPORT, AMBULANCE_CERTIFICATION) if facts.ambulance else ()),
            SegmentMap(
                "CL1",
                (
                    Field("admission_type", "CL101"),
                    Field("admission_source", "CL102"),
                    Field("patient_status", "CL103"),
                ),
            ),
            SegmentMap(
                "DN1",
                (Field("total_months", "DN101", "amount"), Field("remaining_months", "DN102", "amount")),
                key="orthodontic",
            ),
            SegmentMap("DN2", (Field("tooth", "DN201"), Field("status", "DN202")), key="tooth_status", many=True),
        ),
        {("SBR", ""): Child("other_payers", "many"), ("LX", ""): Child("lines", "many")},
        roles="providers",
        dates={**CLAIM_DATES, "096": "discharge_hour"} if facts.discharge_hour else CLAIM_DATES,
        diagnoses=True,
    )


@lru_cache(maxsize=4096)
def loop_kind(key: tuple[str, str], guide: str) -> LoopKind | None:
    """The kind of loop a trigger opens, or None when the claims JSON has no name for it (remembered:
    a loop of each kind is met again and again)."""
    seg_id, code = key
    fixed = {
        ("HL", "20"): BILLING,
        ("HL", "22"): SUBSCRIBER,
        ("HL", "23"): PATIENT,
        ("SBR", ""): OTHER_PAYER,
        ("LIN", ""): DRUG,
        ("SVD", ""): ADJUDICATION,
    }
    if key in fixed:
        return fixed[key]
    if seg_id == "CLM":
        return claim(guide)
    if seg_id == "LX":
        return line(guide)
    if seg_id == "NM1" and code:
        return party(code)
    return None
