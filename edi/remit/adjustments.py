"""CAS and PLB: the 835 segments whose elements repeat in groups, read only when they build back exactly."""

from __future__ import annotations

from typing import Any

from edi.kinds import decode, encode
from edi.remit.labels import GROUP_CODES, label
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import DECIMAL, UnsafeValue, check_value, unsafe_characters

CAS_TRIPLETS = 6


def read_cas(segment: Segment, previous: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The adjustments of one CAS segment, or None when they cannot give the segment back exactly.

    `cas_segments` gives the segment back when it holds one to six whole reasons (the last
    one's quantity may be left out, not left empty), every reason and amount is there, and no
    element holds a separator or a line break.
    """
    elements = segment.elements
    count = len(elements)
    if not 3 <= count <= 1 + 3 * CAS_TRIPLETS or count % 3 == 2 or (count % 3 == 1 and not elements[-1]):
        return None
    group = elements[0]
    if not group or unsafe_characters(segment.delimiters).search("".join(elements)):
        return None
    group_label = label(GROUP_CODES, group)
    items: list[dict[str, Any]] = []
    for start in range(1, count, 3):
        reason, amount = elements[start], elements[start + 1]
        quantity = elements[start + 2] if start + 2 < count else ""
        if not reason or not DECIMAL.fullmatch(amount) or (quantity and not DECIMAL.fullmatch(quantity)):
            return None
        item = {"group": group, "group_label": group_label, "reason": reason, "amount": amount}
        if quantity:
            item["quantity"] = quantity
        items.append(item)
    if previous:
        last_group, triplets = _last_segment(previous)
        if last_group == group and triplets < CAS_TRIPLETS:
            items[0]["starts_segment"] = True
    return items


def _last_segment(adjustments: list[dict[str, Any]]) -> tuple[str, int]:
    """The group and number of reasons of the last CAS segment `cas_segments` writes for ``adjustments``."""
    group, triplets = "", 0
    for item in adjustments:
        if _opens_segment(item, group, triplets):
            group, triplets = item["group"], 0
        triplets += 1
    return group, triplets


def _opens_segment(item: dict[str, Any], group: str, triplets: int) -> bool:
    """Whether ``item`` starts a new CAS segment after one of ``group`` holding ``triplets`` reasons (0: none)."""
    return not triplets or item["group"] != group or triplets >= CAS_TRIPLETS or bool(item.get("starts_segment"))


def cas_segments(adjustments: list[dict[str, Any]], delimiters: Delimiters) -> list[Segment]:
    """CAS segments for a list of adjustments: one per group run, at most six reasons each."""
    segments: list[Segment] = []
    for item in adjustments:
        current = segments[-1] if segments else None
        triplets = (len(current.elements) + 1) // 3 if current else 0
        if current is None or _opens_segment(item, current.get(1), triplets):
            current = Segment("CAS", [item["group"]], delimiters)
            segments.append(current)
            checked = 0
        else:
            checked = len(current.elements)  # the elements already there passed their check
            if checked % 3 == 0:
                current.elements.append("")
        current.elements += [item["reason"], str(item["amount"])]
        if "quantity" in item:
            current.elements.append(str(item["quantity"]))
        for value in current.elements[checked:]:
            check_value(value, delimiters, "CAS")
    return segments


def read_plb(segment: Segment) -> dict[str, Any] | None:
    """A provider adjustment (PLB), or None when it cannot give the segment back exactly."""
    d = segment.delimiters
    data: dict[str, Any] = {"provider": decode(segment.get(1), "raw", d)}
    data["fiscal_period_date"] = decode(segment.get(2), "exact_date", d)
    adjustments: list[dict[str, Any]] = []
    for start in range(3, len(segment.elements) + 1, 2):
        parts = segment.get(start).split(d.component)
        adjustment = {"reason": decode(parts[0], "raw", d), "amount": decode(segment.get(start + 1), "amount", d)}
        if len(parts) > 1:
            adjustment["reference"] = decode(d.component.join(parts[1:]), "raw", d)
        adjustments.append(adjustment)
    data["adjustments"] = adjustments
    if not adjustments or None in data.values() or any(None in a.values() for a in adjustments):
        return None
    try:
        return data if plb_segment(data, d).elements == segment.elements else None
    except UnsafeValue:
        return None


def plb_segment(data: dict[str, Any], delimiters: Delimiters) -> Segment:
    """The PLB segment of one provider adjustment."""
    provider = check_value(data["provider"], delimiters, "PLB01")
    values = [provider, encode(data["fiscal_period_date"], "exact_date")]
    for adjustment in data["adjustments"]:
        reason = check_value(adjustment["reason"], delimiters, "PLB")
        if "reference" in adjustment:
            reason += delimiters.component + check_value(adjustment["reference"], delimiters, "PLB")
        values += [reason, str(adjustment["amount"])]
    return Segment("PLB", values, delimiters)
