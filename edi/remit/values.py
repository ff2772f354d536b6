"""One 835 element's text <-> its JSON value (text, amount, date or procedure), exact both ways."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from edi.x12.segment import Delimiters
from edi.x12.values import UnsafeValue, check_value

AMOUNT = re.compile(r"-?(\d+\.?\d*|\.\d+)")


def decode(value: str, kind: str, delimiters: Delimiters) -> Any:
    """The JSON value of one element, or None when ``kind`` cannot hold it exactly."""
    if not value:
        return None
    if kind == "text":  # the common case, decided without a round trip: only a repetition separator is syntax
        rep = delimiters.repetition
        return None if rep and rep in value else value
    if kind == "amount":  # digits, sign and point: never a separator, and written back as read
        return value if AMOUNT.fullmatch(value) else None
    if kind == "date" and value.isascii() and value[0] != "0":  # a year of four digits writes back as read
        return iso_date(value)
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
    elif kind == "date":
        result = iso_date(value)
    else:
        result = value
    if result is None or _has_separator(value, kind, delimiters) or encode(result, kind, delimiters) != value:
        return None
    return result


def _has_separator(value: str, kind: str, delimiters: Delimiters) -> bool:
    """A repetition separator is never data; a component separator is, in an element that is not a composite."""
    rep = delimiters.repetition
    return bool(rep and rep in value) or (kind != "text" and kind != "procedure" and delimiters.component in value)


def iso_date(value: str) -> str | None:
    """An X12 CCYYMMDD date as ISO text, or None when it is not a calendar date."""
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
    except ValueError:
        return None


def encode(value: Any, kind: str, delimiters: Delimiters) -> str:
    """The element text of one JSON value."""
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).strftime("%Y%m%d")
        except ValueError:
            raise UnsafeValue(str(value), "is not a calendar date (YYYY-MM-DD)") from None
    if kind == "procedure":
        parts = [value["qualifier"], value["code"], *value.get("modifiers", [])]
        tail = [value.get("description", ""), value.get("product_id", "")]
        if any(tail):
            parts = parts + [""] * (6 - len(parts)) + tail
        for part in parts:
            check_value(str(part), delimiters, "procedure")
        while parts and not parts[-1]:
            parts.pop()
        return delimiters.component.join(parts)
    return str(value)
