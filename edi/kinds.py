"""One element's text <-> its JSON value, for each kind of `edi.fields` (the 837's and the 835's).

Reading a kind raises ValueError when the text is not of that kind (the element then stays in
``other_elements``); writing one raises `UnsafeValue` when the value cannot be written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from edi.x12.segment import Delimiters
from edi.x12.values import DECIMAL, UnsafeValue, check_value
from edi.x12.values import x12_date as d8_date


@lru_cache(maxsize=4096)
def iso_date(text: str) -> str:
    """CCYYMMDD as an ISO date; ValueError when it is not a real date. Remembered: a file repeats its dates."""
    found = d8_date(text)
    if found is None:
        raise ValueError(text)
    return found.isoformat()


def x12_date(text: str) -> str:
    """An ISO date as CCYYMMDD; `UnsafeValue` when it is not a calendar date."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UnsafeValue(text, "is not a calendar date (YYYY-MM-DD)") from None
    if day.year < 1000:  # written as the platform's strftime writes it (slow, and rare)
        return day.strftime("%Y%m%d")
    return f"{day.year}{day.month:02d}{day.day:02d}"


def iso_time(text: str) -> str:
    """HHMM or HHMMSS as HH:MM[:SS]."""
    if len(text) not in (4, 6) or not text.isdigit() or int(text[:2]) > 23 or int(text[2:4]) > 59:
        raise ValueError(text)
    return ":".join(text[i : i + 2] for i in range(0, len(text), 2))


def amount(text: str) -> str:
    """An X12 decimal kept as written; ValueError otherwise."""
    if not DECIMAL.fullmatch(text):
        raise ValueError(text)
    return text


def integer(text: str) -> int:
    """A whole number written without leading zeros; ValueError otherwise."""
    if not text.isdigit() or str(int(text)) != text:
        raise ValueError(text)
    return int(text)


SIMPLE: dict[str, Callable[[str], Any]] = {"text": str, "amount": amount, "date": iso_date, "int": integer}


def raw(text: str, delimiters: Delimiters) -> str:
    """The text as read; ValueError when it holds a repetition separator (the one separator that is syntax)."""
    rep = delimiters.repetition
    if rep and rep in text:
        raise ValueError(text)
    return text


def exact_date(text: str, delimiters: Delimiters) -> str:
    """An ISO date that writes back as ``text``; ValueError otherwise (a year below 1000 writes back shorter)."""
    if text.isascii() and text[0] != "0":
        return iso_date(text)
    iso = iso_date(text)
    if x12_date(iso) != text:
        raise ValueError(text)
    return iso


def procedure(text: str, delimiters: Delimiters) -> dict[str, Any]:
    """A composite procedure (SVC01) that writes back as ``text``; ValueError otherwise."""
    parts = text.split(delimiters.component)
    rep = delimiters.repetition
    plain = not (rep and rep in text) and "\r" not in text and "\n" not in text
    if plain and len(parts) == 2 and parts[0] and parts[1]:
        return {"qualifier": parts[0], "code": parts[1]}  # the common case, which writes back as read
    if not (2 <= len(parts) <= 8 and parts[0] and parts[1]):
        raise ValueError(text)
    result: dict[str, Any] = {"qualifier": parts[0], "code": parts[1]}
    if any(parts[2:6]):
        result["modifiers"] = [m for m in parts[2:6] if m]
    if len(parts) > 6 and parts[6]:
        result["description"] = parts[6]
    if len(parts) > 7 and parts[7]:
        result["product_id"] = parts[7]
    raw(text, delimiters)
    if "\r" in text or "\n" in text:  # a line break is never data: `UnsafeValue`, as writing it back says
        procedure_parts(result, delimiters)
    if _components(result) != parts:
        raise ValueError(text)
    return result


def procedure_parts(value: dict[str, Any], delimiters: Delimiters) -> list[str]:
    """The components of a procedure, each checked to be data (`UnsafeValue` otherwise)."""
    parts = _components(value)
    for part in parts:
        check_value(str(part), delimiters, "procedure")
    return parts


def _components(value: dict[str, Any]) -> list[str]:
    parts = [value["qualifier"], value["code"], *value.get("modifiers", [])]
    tail = [value.get("description", ""), value.get("product_id", "")]
    if any(tail):
        parts = parts + [""] * (6 - len(parts)) + tail
    while parts and not parts[-1]:
        parts.pop()
    return parts


# The 835's kinds of one element, each as text -> value (ValueError: not this kind).
EXACT: dict[str, Callable[[str, Delimiters], Any]] = {"raw": raw, "exact_date": exact_date, "procedure": procedure}


def decode(text: str, kind: str, delimiters: Delimiters) -> Any:
    """The value of one element as the exact ``kind`` (raw, amount, exact_date), or None when it cannot hold it."""
    if not text:
        return None
    try:
        return amount(text) if kind == "amount" else EXACT[kind](text, delimiters)
    except ValueError:
        return None


def encode(value: Any, kind: str) -> str:
    """The element text of one value of an exact ``kind`` (raw, amount, exact_date)."""
    return x12_date(str(value)) if kind == "exact_date" else str(value)
