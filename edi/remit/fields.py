"""The element -> field maps of the 835 segments the remittance JSON names, read and built through one map.

Whatever a map does not cover (an element the guide leaves unused, a date that is not a date, a trailing
separator) is kept under ``other_elements`` in the structural form, so a segment builds back exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edi.convert.structure import element_value, segment_from_json
from edi.remit.values import decode, encode
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import check_value


@dataclass(frozen=True, slots=True)
class Field:
    """One named field: the element(s) it reads and how (text, amount, date, procedure, list, pairs)."""

    name: str
    index: int | tuple[int, ...]
    kind: str = "text"
    indices: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "indices", self.index if isinstance(self.index, tuple) else (self.index,))


def _fields(*names: str, start: int = 1, kind: str = "text") -> tuple[Field, ...]:
    return tuple(Field(name, start + i, kind) for i, name in enumerate(names))


BPR = (
    Field("handling", 1),
    Field("amount", 2, "amount"),
    *_fields("credit_debit", "method", "format", "sender_dfi_qualifier", "sender_dfi_id", start=3),
    *_fields("sender_account_qualifier", "sender_account", "payer_id", "payer_supplemental_code", start=8),
    *_fields("receiver_dfi_qualifier", "receiver_dfi_id", "receiver_account_qualifier", "receiver_account", start=12),
    Field("date", 16, "date"),
)
TRN = _fields("trace_type", "trace_number", "originator", "originator_supplemental")
N1 = _fields("name", "id_qualifier", "id", start=2)
LX = (Field("header_number", 1),)
N3 = (Field("lines", (1, 2), "list"),)
N4 = (*_fields("city", "state", "postal_code", "country"), Field("country_subdivision", 7))
REF = _fields("qualifier", "value", "description")
PER = (Field("function", 1), Field("name", 2), Field("communications", (3, 5, 7), "pairs"))
NM1 = _fields(
    "entity_type", "last_name", "first_name", "middle_name", "prefix", "suffix", "id_qualifier", "id", start=2
)
TS3 = (
    *_fields("provider_id", "facility_type"),
    Field("fiscal_period_date", 3, "date"),
    *_fields("claim_count", "total_charge", start=4, kind="amount"),
    Field("total_msp_payer", 13, "amount"),
    Field("total_non_lab_charge", 15, "amount"),
    *_fields("total_hcpcs_reported_charge", "total_hcpcs_payable", start=17, kind="amount"),
    *_fields(
        "total_professional_component",
        "total_msp_patient_liability",
        "total_patient_reimbursement",
        "total_pip_claim_count",
        "total_pip_adjustment",
        start=20,
        kind="amount",
    ),
)
TS2 = _fields(
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
)
CLP = (
    *_fields("patient_control_number", "status_code"),
    *_fields("charge", "paid", "patient_responsibility", start=3, kind="amount"),
    *_fields("claim_filing_indicator", "payer_claim_control_number", "facility_type", "frequency", start=6),
    Field("drg_code", 11),
    *_fields("drg_weight", "discharge_fraction", start=12, kind="amount"),
)
MIA = (
    *_fields("covered_days", "pps_operating_outlier", "lifetime_psychiatric_days", "drg_amount", kind="amount"),
    Field("remarks", (5, 20, 21, 22, 23), "list"),
    *_fields(
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
    Field("pps_capital_exception", 24, "amount"),
)
MOA = (
    *_fields("reimbursement_rate", "hcpcs_payable", kind="amount"),
    Field("remarks", (3, 4, 5, 6, 7), "list"),
    *_fields("esrd_payment", "nonpayable_professional_component", start=8, kind="amount"),
)
SVC = (
    Field("procedure", 1, "procedure"),
    *_fields("charge", "paid", start=2, kind="amount"),
    Field("revenue_code", 4),
    Field("units", 5, "amount"),
    Field("submitted_procedure", 6, "procedure"),
    Field("original_units", 7, "amount"),
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
CLAIM_DATES = {"232": "statement_start", "233": "statement_end", "036": "coverage_expiration", "050": "received"}
# DTM qualifiers of a line's service period.
SERVICE_PERIOD = {"150": "start", "151": "end"}


# Segments read through a map ---------------------------------------------------------------


def read_fields(segment: Segment, fields: tuple[Field, ...], into: dict[str, Any], keyed: int = 0) -> None:
    """Name the elements of ``segment`` into ``into``; the first ``keyed`` elements are implied by the field."""
    d = segment.delimiters
    rep = d.repetition
    elements = segment.elements
    count = len(elements)
    used = set(range(1, keyed + 1))
    for f in fields:
        if f.kind == "text":  # the common case, as `decode` reads it: only a repetition separator is syntax
            index = f.indices[0]
            text = elements[index - 1] if index <= count else ""
            if text and not (rep and rep in text):
                into[f.name] = text
                used.add(index)
        elif f.kind in ("list", "pairs"):
            items: list[Any] = []
            for i in f.indices:
                item = decode(segment.get(i), "text", d)
                if f.kind == "pairs":
                    number = decode(segment.get(i + 1), "text", d)
                    item = {"qualifier": item, "number": number} if item is not None and number is not None else None
                if item is None:
                    break
                items.append(item)
                used.update((i, i + 1) if f.kind == "pairs" else (i,))
            if items:
                into[f.name] = items
        else:
            value = decode(segment.get(f.indices[0]), f.kind, d)
            if value is not None:
                into[f.name] = value
                used.add(f.indices[0])
    last = len(segment.elements)
    other = dict(into.get("other_elements", {}))
    for i, value in enumerate(segment.elements, start=1):
        if i not in used and (value or i == last):
            other[f"{segment.id}{i:02d}"] = element_value(value, d)
    if other:
        into["other_elements"] = other


def has_fields(data: dict[str, Any], fields: tuple[Field, ...], seg_id: str) -> bool:
    """Whether ``data`` holds any field of this segment (named or under ``other_elements``)."""
    return any(f.name in data for f in fields) or any(_own(ref, seg_id) for ref in data.get("other_elements", {}))


def _own(ref: str, seg_id: str) -> bool:
    return ref.startswith(seg_id) and ref[len(seg_id) :].isdigit()


def build_fields(
    seg_id: str, fields: tuple[Field, ...], data: dict[str, Any], delimiters: Delimiters, keys: tuple[str, ...] = ()
) -> Segment:
    """The segment that ``read_fields`` read into ``data``; ``keys`` are its implied leading elements."""
    values: dict[int, str] = {i: key for i, key in enumerate(keys, start=1)}
    for f in fields:
        if f.name not in data:
            continue
        if f.kind == "list":
            values.update(zip(f.indices, map(str, data[f.name]), strict=False))
        elif f.kind == "pairs":
            for i, pair in zip(f.indices, data[f.name], strict=False):
                values[i], values[i + 1] = pair["qualifier"], pair["number"]
        else:
            values[f.indices[0]] = encode(data[f.name], f.kind, delimiters)
        if f.kind != "procedure":
            written = f.indices if f.kind != "pairs" else tuple(j for i in f.indices for j in (i, i + 1))
            for n in written:
                check_value(values.get(n, ""), delimiters, f"{seg_id}{n:02d}")
    own = {ref: value for ref, value in data.get("other_elements", {}).items() if _own(ref, seg_id)}
    if own:
        raw = segment_from_json({"id": seg_id, "elements": own}, delimiters)
        values.update({int(ref[len(seg_id) :]): raw.get(int(ref[len(seg_id) :])) for ref in own})
    count = max(values, default=0)
    return Segment(seg_id, [values.get(i, "") for i in range(1, count + 1)], delimiters)


def read_pair(segment: Segment, kind: str) -> tuple[str, str] | None:
    """(qualifier, value) of a two-element DTM, AMT, QTY or LQ segment, or None for any other shape."""
    if len(segment.elements) != 2:
        return None
    qualifier, text = segment.elements
    rep = segment.delimiters.repetition
    if not qualifier or (rep and rep in qualifier):  # as `decode` reads a text
        return None
    value = decode(text, kind, segment.delimiters)
    return (qualifier, value) if value is not None else None


def pair_segment(seg_id: str, qualifier: str, value: str, kind: str, delimiters: Delimiters) -> Segment:
    """A two-element segment such as DTM*472*20260110."""
    text = check_value(encode(value, kind, delimiters), delimiters, f"{seg_id}02", part=kind == "procedure")
    return Segment(seg_id, [check_value(qualifier, delimiters, f"{seg_id}01"), text], delimiters)
