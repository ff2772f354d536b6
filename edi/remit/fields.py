"""The 835 segments the remittance JSON names, declared as maps of the one field engine (edi.fields).

Each map reads and writes its segment through `edi.fields`, with the 835's kinds of value (raw
texts, amounts as written, exact dates, procedures). Whatever a map does not cover (an element
the guide leaves unused, a date that is not a date, a trailing separator) is kept under
``other_elements`` in the structural form, so a segment builds back exactly.
"""

from __future__ import annotations

from edi.fields import Field, SegmentMap
from edi.kinds import decode, encode
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import check_value


def _fields(seg: str, *names: str, start: int = 1, kind: str = "raw") -> tuple[Field, ...]:
    return tuple(Field(name, f"{seg}{start + i:02d}", kind) for i, name in enumerate(names))


def _map(seg: str, *fields: Field | tuple[Field, ...], code: str = "") -> SegmentMap:
    """The flat map of ``seg`` (see `SegmentMap`); ``code``: the first element, implied by where the object goes."""
    flat = tuple(f for item in fields for f in (item if isinstance(item, tuple) else (item,)))
    return SegmentMap(seg, flat, match=((1, code),) if code else (), flat=True)


BPR = _map(
    "BPR",
    Field("handling", "BPR01", "raw"),
    Field("amount", "BPR02", "amount"),
    _fields("BPR", "credit_debit", "method", "format", "sender_dfi_qualifier", "sender_dfi_id", start=3),
    _fields("BPR", "sender_account_qualifier", "sender_account", "payer_id", "payer_supplemental_code", start=8),
    _fields(
        "BPR", "receiver_dfi_qualifier", "receiver_dfi_id", "receiver_account_qualifier", "receiver_account", start=12
    ),
    Field("date", "BPR16", "exact_date"),
)
TRN = _map("TRN", _fields("TRN", "trace_type", "trace_number", "originator", "originator_supplemental"))
_N1 = _fields("N1", "name", "id_qualifier", "id", start=2)
# The payer (N1*PR) and the payee (N1*PE).
N1 = {code: _map("N1", _N1, code=code) for code in ("PR", "PE")}
LX = _map("LX", Field("header_number", "LX01", "raw"))
N3 = _map("N3", Field("lines", "N301", "run", count=2))
N4 = _map("N4", _fields("N4", "city", "state", "postal_code", "country"), Field("country_subdivision", "N407", "raw"))
REF = _map("REF", _fields("REF", "qualifier", "value", "description"))
PER = _map(
    "PER",
    _fields("PER", "function", "name"),
    Field("communications", "PER03", "whole_groups", names=("qualifier", "number"), count=3),
)
_NM1 = _fields(
    "NM1", "entity_type", "last_name", "first_name", "middle_name", "prefix", "suffix", "id_qualifier", "id", start=2
)
TS3 = _map(
    "TS3",
    _fields("TS3", "provider_id", "facility_type"),
    Field("fiscal_period_date", "TS303", "exact_date"),
    _fields("TS3", "claim_count", "total_charge", start=4, kind="amount"),
    Field("total_msp_payer", "TS313", "amount"),
    Field("total_non_lab_charge", "TS315", "amount"),
    _fields("TS3", "total_hcpcs_reported_charge", "total_hcpcs_payable", start=17, kind="amount"),
    _fields(
        "TS3",
        "total_professional_component",
        "total_msp_patient_liability",
        "total_patient_reimbursement",
        "total_pip_claim_count",
        "total_pip_adjustment",
        start=20,
        kind="amount",
    ),
)
TS2 = _map(
    "TS2",
    _fields(
        "TS2",
        "total_drg",
        "total_federal_specific",
        "total_hospital_specific",
        "total_disproportionate_share",
        "total_capital",
        "total_indirect_medical_education",
        "total_outlier_day_count",
        "total_day_outlier",
        "total_cost_outlier",
        "average_drg_length_of_stay",
        "total_discharge_count",
        "total_cost_report_day_count",
        "total_covered_day_count",
        "total_noncovered_day_count",
        "total_msp_pass_through",
        "average_drg_weight",
        "total_pps_capital_fsp_drg",
        "total_pps_capital_hsp_drg",
        "total_pps_dsh_drg",
        kind="amount",
    ),
)
CLP = _map(
    "CLP",
    _fields("CLP", "patient_control_number", "status_code"),
    _fields("CLP", "charge", "paid", "patient_responsibility", start=3, kind="amount"),
    _fields("CLP", "claim_filing_indicator", "payer_claim_control_number", "facility_type", "frequency", start=6),
    Field("drg_code", "CLP11", "raw"),
    _fields("CLP", "drg_weight", "discharge_fraction", start=12, kind="amount"),
)
MIA = _map(
    "MIA",
    _fields("MIA", "covered_days", "pps_operating_outlier", "lifetime_psychiatric_days", "drg_amount", kind="amount"),
    Field("remarks", "MIA05", "run", at=(5, 20, 21, 22, 23)),
    _fields(
        "MIA",
        "disproportionate_share",
        "msp_pass_through",
        "pps_capital",
        "pps_capital_fsp_drg",
        "pps_capital_hsp_drg",
        "pps_capital_dsh_drg",
        "old_capital",
        "pps_capital_ime",
        "pps_operating_hospital_drg",
        "cost_report_day_count",
        "pps_operating_federal_drg",
        "pps_capital_outlier",
        "indirect_teaching",
        "nonpayable_professional_component",
        start=6,
        kind="amount",
    ),
    Field("pps_capital_exception", "MIA24", "amount"),
)
MOA = _map(
    "MOA",
    _fields("MOA", "reimbursement_rate", "hcpcs_payable", kind="amount"),
    Field("remarks", "MOA03", "run", count=5),
    _fields("MOA", "esrd_payment", "nonpayable_professional_component", start=8, kind="amount"),
)
SVC = _map(
    "SVC",
    Field("procedure", "SVC01", "procedure"),
    _fields("SVC", "charge", "paid", start=2, kind="amount"),
    Field("revenue_code", "SVC04", "raw"),
    Field("units", "SVC05", "amount"),
    Field("submitted_procedure", "SVC06", "procedure"),
    Field("original_units", "SVC07", "amount"),
)
# NM1 roles in the claim, in guide order.
CLAIM_NAMES = {
    "QC": "patient",
    "IL": "insured",
    "74": "corrected_name",
    "82": "rendering_provider",
    "TT": "crossover_carrier",
    "PR": "corrected_priority_payer",
    "GB": "other_subscriber",
}
# The NM1 map of each role.
NM1 = {code: _map("NM1", _NM1, code=code) for code in CLAIM_NAMES}
CLAIM_DATES = {"232": "statement_start", "233": "statement_end", "036": "coverage_expiration", "050": "received"}
# DTM qualifiers of a line's service period.
SERVICE_PERIOD = {"150": "start", "151": "end"}


# Two-element segments --------------------------------------------------------------------


def read_pair(segment: Segment, kind: str) -> tuple[str, str] | None:
    """(qualifier, value) of a two-element DTM, AMT, QTY or LQ segment, or None for any other shape."""
    if len(segment.elements) != 2:
        return None
    qualifier, text = segment.elements
    d = segment.delimiters
    if decode(qualifier, "raw", d) is None:
        return None
    value = decode(text, kind, d)
    return (qualifier, value) if value is not None else None


def pair_segment(seg_id: str, qualifier: str, value: str, kind: str, delimiters: Delimiters) -> Segment:
    """A two-element segment such as DTM*472*20260110."""
    text = check_value(encode(value, kind), delimiters, f"{seg_id}02", part=False)  # a whole element
    return Segment(seg_id, [check_value(qualifier, delimiters, f"{seg_id}01"), text], delimiters)
