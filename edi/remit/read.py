"""835 remittance advice -> remittance JSON, and the element maps the builder shares with it.

Each segment the JSON names is read through a small map of element -> field. Whatever a map
does not cover (an element the guide leaves unused, a date that is not a date, a trailing
separator) is kept under ``other_elements`` in the structural form, and a whole segment no
named field covers goes to ``extra_segments`` at its level, so the builder can give back
every segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from edi.convert.structure import element_value, segment_from_json, segment_json
from edi.guides.registry import guide_by_id
from edi.remit.labels import CLAIM_STATUS, CREDIT_DEBIT, GROUP_CODES, HANDLING, PAYMENT_METHODS, label
from edi.x12.document import Document, Group, Interchange, Transaction
from edi.x12.segment import Delimiters, Segment

FORMAT = "edi.remittance/1"
AMOUNT = re.compile(r"-?(\d+\.?\d*|\.\d+)")
CAS_TRIPLETS = 6
UNKNOWN_POSITION = 10**6
LOOPS = {"header": "ST", "payer": "1000A", "payee": "1000B", "group": "2000", "claim": "2100", "line": "2110"}


@dataclass(frozen=True, slots=True)
class Field:
    """One named field: the element(s) it reads and how (text, amount, date, procedure, list, pairs)."""

    name: str
    index: int | tuple[int, ...]
    kind: str = "text"

    @property
    def indices(self) -> tuple[int, ...]:
        return self.index if isinstance(self.index, tuple) else (self.index,)


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


# Element values <-> JSON values ------------------------------------------------------------


def decode(value: str, kind: str, delimiters: Delimiters) -> Any:
    """The JSON value of one element, or None when ``kind`` cannot hold it exactly."""
    if not value:
        return None
    result: Any = None
    if kind == "procedure":
        parts = value.split(delimiters.component)
        if 2 <= len(parts) <= 8 and parts[0] and parts[1]:
            result = {"qualifier": parts[0], "code": parts[1]}
            if any(parts[2:6]):
                result["modifiers"] = [m for m in parts[2:6] if m]
            if len(parts) > 6 and parts[6]:
                result["description"] = parts[6]
            if len(parts) > 7 and parts[7]:
                result["product_id"] = parts[7]
    elif kind == "amount":
        result = value if AMOUNT.fullmatch(value) else None
    elif kind == "date":
        result = _iso(value)
    else:
        result = value
    if result is None or _has_separator(value, kind, delimiters) or encode(result, kind, delimiters) != value:
        return None
    return result


def _has_separator(value: str, kind: str, delimiters: Delimiters) -> bool:
    rep = delimiters.repetition
    return bool(rep and rep in value) or (kind != "procedure" and delimiters.component in value)


def _iso(value: str) -> str | None:
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
    except ValueError:
        return None


def encode(value: Any, kind: str, delimiters: Delimiters) -> str:
    """The element text of one JSON value."""
    if kind == "date":
        return date.fromisoformat(str(value)).strftime("%Y%m%d")
    if kind == "procedure":
        parts = [value["qualifier"], value["code"], *value.get("modifiers", [])]
        tail = [value.get("description", ""), value.get("product_id", "")]
        if any(tail):
            parts = parts + [""] * (6 - len(parts)) + tail
        while parts and not parts[-1]:
            parts.pop()
        return delimiters.component.join(parts)
    return str(value)


def read_fields(segment: Segment, fields: tuple[Field, ...], into: dict[str, Any], keyed: int = 0) -> None:
    """Name the elements of ``segment`` into ``into``; the first ``keyed`` elements are implied by the field."""
    d = segment.delimiters
    used = set(range(1, keyed + 1))
    for f in fields:
        if f.kind in ("list", "pairs"):
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
    own = {ref: value for ref, value in data.get("other_elements", {}).items() if _own(ref, seg_id)}
    if own:
        raw = segment_from_json({"id": seg_id, "elements": own}, delimiters)
        values.update({int(ref[len(seg_id) :]): raw.get(int(ref[len(seg_id) :])) for ref in own})
    count = max(values, default=0)
    return Segment(seg_id, [values.get(i, "") for i in range(1, count + 1)], delimiters)


# Segments with a shape of their own --------------------------------------------------------


def read_cas(segment: Segment, previous: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The adjustments of one CAS segment, or None when they cannot give the segment back exactly."""
    d = segment.delimiters
    group = decode(segment.get(1), "text", d)
    if group is None:
        return None
    items: list[dict[str, Any]] = []
    for start in range(2, len(segment.elements) + 1, 3):
        item: dict[str, Any] = {"group": group, "group_label": label(GROUP_CODES, group)}
        item["reason"] = decode(segment.get(start), "text", d)
        item["amount"] = decode(segment.get(start + 1), "amount", d)
        quantity = segment.get(start + 2)
        if quantity:
            item["quantity"] = decode(quantity, "amount", d)
        if None in item.values():
            return None
        items.append(item)
    if not items:
        return None
    if previous:
        last = cas_segments(previous, d)[-1]
        if last.get(1) == group and (len(last.elements) + 1) // 3 < CAS_TRIPLETS:
            items[0]["starts_segment"] = True
    rebuilt = cas_segments(items, d)
    return items if len(rebuilt) == 1 and rebuilt[0].elements == segment.elements else None


def cas_segments(adjustments: list[dict[str, Any]], delimiters: Delimiters) -> list[Segment]:
    """CAS segments for a list of adjustments: one per group run, at most six reasons each."""
    segments: list[Segment] = []
    for item in adjustments:
        current = segments[-1] if segments else None
        triplets = (len(current.elements) + 1) // 3 if current else 0
        if current is None or current.get(1) != item["group"] or triplets >= CAS_TRIPLETS or item.get("starts_segment"):
            current = Segment("CAS", [item["group"]], delimiters)
            segments.append(current)
        elif len(current.elements) % 3 == 0:
            current.elements.append("")
        current.elements += [item["reason"], str(item["amount"])]
        if "quantity" in item:
            current.elements.append(str(item["quantity"]))
    return segments


def read_plb(segment: Segment) -> dict[str, Any] | None:
    """A provider adjustment (PLB), or None when it cannot give the segment back exactly."""
    d = segment.delimiters
    data: dict[str, Any] = {"provider": decode(segment.get(1), "text", d)}
    data["fiscal_period_date"] = decode(segment.get(2), "date", d)
    adjustments: list[dict[str, Any]] = []
    for start in range(3, len(segment.elements) + 1, 2):
        parts = segment.get(start).split(d.component)
        adjustment = {"reason": decode(parts[0], "text", d), "amount": decode(segment.get(start + 1), "amount", d)}
        if len(parts) > 1:
            adjustment["reference"] = decode(d.component.join(parts[1:]), "text", d)
        adjustments.append(adjustment)
    data["adjustments"] = adjustments
    if not adjustments or None in data.values() or any(None in a.values() for a in adjustments):
        return None
    return data if plb_segment(data, d).elements == segment.elements else None


def plb_segment(data: dict[str, Any], delimiters: Delimiters) -> Segment:
    """The PLB segment of one provider adjustment."""
    values = [data["provider"], encode(data["fiscal_period_date"], "date", delimiters)]
    for adjustment in data["adjustments"]:
        reason = adjustment["reason"]
        if "reference" in adjustment:
            reason += delimiters.component + adjustment["reference"]
        values += [reason, str(adjustment["amount"])]
    return Segment("PLB", values, delimiters)


def read_pair(segment: Segment, kind: str) -> tuple[str, str] | None:
    """(qualifier, value) of a two-element DTM, AMT, QTY or LQ segment, or None for any other shape."""
    if len(segment.elements) != 2:
        return None
    qualifier = decode(segment.get(1), "text", segment.delimiters)
    value = decode(segment.get(2), kind, segment.delimiters)
    return (qualifier, value) if qualifier is not None and value is not None else None


def pair_segment(seg_id: str, qualifier: str, value: str, kind: str, delimiters: Delimiters) -> Segment:
    """A two-element segment such as DTM*472*20260110."""
    return Segment(seg_id, [qualifier, encode(value, kind, delimiters)], delimiters)


@cache
def _positions() -> dict[tuple[str, str, str | None], int]:
    """(loop, segment ID, qualifier) -> the segment's position number in the 835 guide."""
    guide = guide_by_id("835")
    found: dict[tuple[str, str, str | None], int] = {}

    def visit(loop: dict[str, Any], loop_id: str) -> None:
        for item in loop["items"]:
            if "items" in item:
                visit(item, item["id"])
                continue
            codes = item["elements"][0].get("codes") if item["id"] in guide.qualifiers else None
            for code in codes or [None]:
                found.setdefault((loop_id, item["id"], code), int(item["pos"]))

    visit(guide.spec["transaction"], "ST")
    return found


def guide_position(loop: str, segment: Segment) -> int:
    """Where the 835 guide places ``segment`` within ``loop`` (its position number), or UNKNOWN_POSITION."""
    qualifier = segment.get(1) if segment.id in guide_by_id("835").qualifiers else None
    return _positions().get((loop, segment.id, qualifier), UNKNOWN_POSITION)


# The reader ------------------------------------------------------------------------------


def read_remittance(document: Document) -> dict[str, Any]:
    """Remittance JSON for every 835 transaction set in ``document``."""
    transactions = [
        _TransactionReader(interchange, group).read(transaction)
        for interchange, group, transaction in document.transactions()
        if transaction.st.get(1) == "835"
    ]
    return {"format": FORMAT, "file": document.file, "transactions": transactions}


def envelope_json(interchange: Interchange, group: Group) -> dict[str, Any]:
    """The envelope values worth keeping: parties, usage, date, time and control numbers."""
    out: dict[str, Any] = {}
    isa, gs = interchange.isa, group.gs
    if isa is not None:
        out["sender_qualifier"], out["sender_id"] = isa.get(5), isa.get(6).rstrip()
        out["receiver_qualifier"], out["receiver_id"] = isa.get(7), isa.get(8).rstrip()
        out["interchange_control_number"] = isa.get(13)
        out["acknowledgment_requested"], out["usage"] = isa.get(14), isa.get(15)
    if gs is not None:
        out["application_sender"], out["application_receiver"] = gs.get(2), gs.get(3)
        when = _iso(gs.get(4))
        if when:
            out["date"] = when
        out["time"], out["group_control_number"] = gs.get(5), gs.get(6)
    return {key: value for key, value in out.items() if value}


class _TransactionReader:
    """Walks one transaction set's segments in order: CLP starts a claim, SVC a line, LX a group."""

    def __init__(self, interchange: Interchange, group: Group) -> None:
        self.data: dict[str, Any] = {}
        envelope = envelope_json(interchange, group)
        if envelope:
            self.data["envelope"] = envelope
        self.level = "header"
        self.current: dict[str, Any] = self.data
        self._group: dict[str, Any] = {}
        self._claim: dict[str, Any] = {}

    def read(self, transaction: Transaction) -> dict[str, Any]:
        segments = list(transaction.segments())
        st = segments[0]
        self.data["control_number"] = st.get(2)
        if st.get(3):
            self.data["version"] = st.get(3)
        self.data["payment"] = {}
        for segment in segments[1:-1]:
            self._segment(segment)
        payment = self.data["payment"]
        for key, table in (("handling", HANDLING), ("method", PAYMENT_METHODS), ("credit_debit", CREDIT_DEBIT)):
            if key in payment:
                payment[f"{key}_label"] = label(table, payment[key])
        return self.data

    def _segment(self, segment: Segment) -> None:
        seg_id, qualifier = segment.id, segment.get(1)
        if seg_id == "N1" and qualifier in ("PR", "PE") and self.level in ("header", "payer"):
            role = "payer" if qualifier == "PR" else "payee"
            if role not in self.data:
                self._enter(role, self.data, role)
                read_fields(segment, N1, self.current, keyed=1)
                return
        if seg_id == "LX":
            self._enter("group", self.data.setdefault("groups", []))
            read_fields(segment, LX, self.current)
            return
        if seg_id == "CLP":
            if self.level not in ("group", "claim", "line"):
                self._enter("group", self.data.setdefault("groups", []))
            self._enter("claim", self._group.setdefault("claims", []))
            read_fields(segment, CLP, self.current)
            if "status_code" in self.current:
                self.current["status"] = label(CLAIM_STATUS, self.current["status_code"])
            return
        if seg_id == "SVC" and self.level in ("claim", "line"):
            self._enter("line", self._claim.setdefault("lines", []))
            read_fields(segment, SVC, self.current)
            return
        if seg_id == "PLB":
            self.level = "trailer"
            plb = read_plb(segment)
            if plb is not None:
                self.data.setdefault("provider_adjustments", []).append(plb)
                return
        if not self._named(segment):
            key = "extra_trailer_segments" if self.level == "trailer" else "extra_segments"
            target = self.data if self.level == "trailer" else self.current
            target.setdefault(key, []).append(segment_json(segment))

    def _enter(self, level: str, parent: dict[str, Any] | list[dict[str, Any]], key: str = "") -> None:
        self.current = {}
        if isinstance(parent, list):
            parent.append(self.current)
        else:
            parent[key] = self.current
        self.level = level
        if level == "group":
            self._group = self.current
        elif level == "claim":
            self._claim = self.current

    def _named(self, segment: Segment) -> bool:
        level, data = self.level, self.current
        if level not in LOOPS or guide_position(LOOPS[level], segment) == UNKNOWN_POSITION:
            return False
        if level == "header":
            return _header(segment, data)
        if level in ("payer", "payee"):
            return _party(segment, data)
        if level == "group":
            return _group(segment, data)
        if level == "claim":
            return _claim(segment, data)
        if level == "line":
            return _line(segment, data)
        return False


def _first(segment: Segment, fields: tuple[Field, ...], data: dict[str, Any], key: str = "") -> bool:
    target = data.get(key, {}) if key else data
    if has_fields(target, fields, segment.id):
        return False
    read_fields(segment, fields, target)
    if key:
        data[key] = target
    return True


def _reference(segment: Segment, data: dict[str, Any], key: str = "references") -> bool:
    item: dict[str, Any] = {}
    read_fields(segment, REF, item)
    data.setdefault(key, []).append(item)
    return True


def _contact(segment: Segment, data: dict[str, Any]) -> bool:
    item: dict[str, Any] = {}
    read_fields(segment, PER, item)
    data.setdefault("contacts", []).append(item)
    return True


def _keyed(segment: Segment, data: dict[str, Any], key: str, kind: str, names: dict[str, str] | None = None) -> bool:
    pair = read_pair(segment, kind)
    if pair is None:
        return False
    qualifier, value = pair
    name = names.get(qualifier) if names is not None else qualifier
    target = data.get(key, {})
    if name is None or name in target:
        return False
    target[name] = value
    data[key] = target
    return True


def _adjustments(segment: Segment, data: dict[str, Any]) -> bool:
    items = read_cas(segment, data.get("adjustments", []))
    if items is None:
        return False
    data.setdefault("adjustments", []).extend(items)
    return True


def _header(segment: Segment, data: dict[str, Any]) -> bool:
    seg_id = segment.id
    if seg_id in ("BPR", "TRN"):
        return _first(segment, BPR if seg_id == "BPR" else TRN, data["payment"])
    if seg_id == "REF":
        return _reference(segment, data)
    if seg_id == "DTM" and segment.get(1) == "405" and "production_date" not in data:
        pair = read_pair(segment, "date")
        if pair:
            data["production_date"] = pair[1]
            return True
    return False


def _party(segment: Segment, data: dict[str, Any]) -> bool:
    seg_id = segment.id
    if seg_id in ("N3", "N4"):
        return _first(segment, N3 if seg_id == "N3" else N4, data, "address")
    if seg_id == "REF":
        return _reference(segment, data)
    if seg_id == "PER":
        return _contact(segment, data)
    return False


def _group(segment: Segment, data: dict[str, Any]) -> bool:
    if segment.id == "TS3":
        return _first(segment, TS3, data, "provider_summary")
    if segment.id == "TS2":
        return _first(segment, TS2, data, "provider_supplemental_summary")
    return False


def _claim(segment: Segment, data: dict[str, Any]) -> bool:
    seg_id = segment.id
    if seg_id == "CAS":
        return _adjustments(segment, data)
    if seg_id == "NM1":
        role = CLAIM_NAMES.get(segment.get(1))
        if role is None or role in data:
            return False
        data[role] = {}
        read_fields(segment, NM1, data[role], keyed=1)
        return True
    if seg_id in ("MIA", "MOA"):
        return _first(segment, MIA if seg_id == "MIA" else MOA, data, "inpatient" if seg_id == "MIA" else "outpatient")
    if seg_id == "REF":
        return _reference(segment, data)
    if seg_id == "DTM":
        return _keyed(segment, data, "dates", "date", CLAIM_DATES)
    if seg_id == "PER":
        return _contact(segment, data)
    if seg_id in ("AMT", "QTY"):
        return _keyed(segment, data, "amounts" if seg_id == "AMT" else "quantities", "amount")
    return False


def _line(segment: Segment, data: dict[str, Any]) -> bool:
    seg_id, qualifier = segment.id, segment.get(1)
    if seg_id == "DTM":
        return _line_date(segment, data)
    if seg_id == "CAS":
        return _adjustments(segment, data)
    if seg_id == "REF":
        pair = read_pair(segment, "text")
        if qualifier == "6R" and pair and "line_control_number" not in data:
            data["line_control_number"] = pair[1]
            return True
        return _reference(segment, data)
    if seg_id == "AMT":
        pair = read_pair(segment, "amount")
        if qualifier == "B6" and pair and "allowed" not in data:
            data["allowed"] = pair[1]
            return True
        return _keyed(segment, data, "amounts", "amount")
    if seg_id == "QTY":
        return _keyed(segment, data, "quantities", "amount")
    if seg_id == "LQ":
        pair = read_pair(segment, "text")
        if pair:
            data.setdefault("remarks", []).append({"qualifier": pair[0], "code": pair[1]})
            return True
    return False


def _line_date(segment: Segment, data: dict[str, Any]) -> bool:
    pair = read_pair(segment, "date")
    if pair is None:
        return False
    qualifier, value = pair
    if qualifier == "472" and "service_date" not in data:
        data["service_date"] = value
        return True
    period = data.get("service_period", {})
    name = {"150": "start", "151": "end"}.get(qualifier)
    if name is None or name in period:
        return False
    period[name] = value
    data["service_period"] = period
    return True
