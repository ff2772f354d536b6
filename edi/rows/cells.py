"""One cell of a claims row and the JSON value it stands for, both ways.

Each kind has ``decode`` (cell text to JSON value, `CellError` saying what was expected)
and ``encode`` (JSON value to cell text, or None when the value has no exact flat form,
so that the caller keeps it in the level's JSON column instead).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

_AMOUNT = re.compile(r"-?(\d+\.?\d*|\.\d+)")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?")
_SPLIT = re.compile(r"[\s,]+")
_WORD = re.compile(r"[^\s,:]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DATE_FORMS = "YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY"


class CellError(ValueError):
    """A cell that cannot be read as its column says; the text says what was expected."""


@dataclass(frozen=True, slots=True)
class Kind:
    """How one kind of column reads and writes its cells."""

    name: str
    decode: Callable[[str], Any]
    encode: Callable[[Any], str | None]
    expected: str


def _text(cell: str) -> str:
    if _CONTROL.search(cell):
        raise CellError("text without line breaks, tabs or control characters")
    return cell


def _text_out(value: Any) -> str | None:
    if isinstance(value, str) and value and value == value.strip() and not _CONTROL.search(value):
        return value
    return None


def _amount(cell: str) -> str:
    if not _AMOUNT.fullmatch(cell):
        raise CellError("a number like 125 or 125.50 (no currency sign, no thousands separator)")
    return cell


def _amount_out(value: Any) -> str | None:
    return value if isinstance(value, str) and _AMOUNT.fullmatch(value) else None


def _integer(cell: str) -> int:
    if not cell.isdigit():
        raise CellError("a whole number")
    return int(cell)


def _integer_out(value: Any) -> str | None:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _flag(cell: str) -> bool:
    word = cell.lower()
    if word in ("y", "yes", "true", "1"):
        return True
    if word in ("n", "no", "false", "0"):
        return False
    raise CellError("Y or N")


def _flag_out(value: Any) -> str | None:
    return ("Y" if value else "N") if isinstance(value, bool) else None


def iso_date(cell: str) -> str:
    """A date written YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY, as an ISO date."""
    for pattern, order in ((_ISO, (1, 2, 3)), (_COMPACT, (1, 2, 3)), (_US, (3, 1, 2))):
        found = pattern.fullmatch(cell)
        if found:
            year, month, day = (int(found.group(i)) for i in order)
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                break
    raise CellError(f"a real date, written {DATE_FORMS}")


def _date_out(value: Any) -> str | None:
    return value if isinstance(value, str) and _ISO.fullmatch(value) else None


def _datetime(cell: str) -> str:
    day, sep, clock = cell.replace(" ", "T", 1).partition("T")
    if sep and not _TIME.fullmatch(clock):
        raise CellError(f"a date, or a date and time: {DATE_FORMS}, then T or a space and HH:MM")
    return iso_date(day) + (f"T{clock}" if sep else "")


def _datetime_out(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    day, sep, clock = value.partition("T")
    return value if _ISO.fullmatch(day) and (not sep or _TIME.fullmatch(clock)) else None


def _time(cell: str) -> str:
    if not _TIME.fullmatch(cell):
        raise CellError("a time HH:MM")
    return cell


def _time_out(value: Any) -> str | None:
    return value if isinstance(value, str) and _TIME.fullmatch(value) else None


def _when(cell: str) -> str | dict[str, str]:
    start, sep, end = cell.partition("/")
    if sep and "/" not in end and not _US.fullmatch(cell):
        try:
            return {"start": iso_date(start.strip()), "end": iso_date(end.strip())}
        except CellError:
            raise CellError("a date, or a period START/END of two dates written YYYY-MM-DD or YYYYMMDD") from None
    return _datetime(cell)


def _when_out(value: Any) -> str | None:
    if isinstance(value, dict):
        if set(value) == {"start", "end"} and all(_date_out(v) for v in value.values()):
            return f"{value['start']}/{value['end']}"
        return None
    return _datetime_out(value)


def _words(cell: str) -> list[str]:
    return [w for w in _SPLIT.split(cell) if w]


def _list(cell: str) -> list[str]:
    return _words(cell)


def _list_out(value: Any) -> str | None:
    if isinstance(value, list) and value and all(isinstance(v, str) and _WORD.fullmatch(v) for v in value):
        return " ".join(value)
    return None


def _pointers(cell: str) -> list[int]:
    words = _words(cell)
    if not all(w.isdigit() for w in words):
        raise CellError("diagnosis pointers: whole numbers such as 1 2 or 1,2")
    return [int(w) for w in words]


def _pointers_out(value: Any) -> str | None:
    if isinstance(value, list) and value and all(_integer_out(v) for v in value):
        return " ".join(str(v) for v in value)
    return None


def _pairs(first: str, second: str) -> Kind:
    """Items ``FIRST:SECOND`` separated by spaces, as a list of {first, second} objects."""

    def decode(cell: str) -> list[dict[str, str]]:
        out = []
        for word in _words(cell):
            a, sep, b = word.partition(":")
            if not (a and sep and b):
                raise CellError(f"items {first.upper()}:{second.upper()} separated by spaces")
            out.append({first: a, second: b})
        return out

    def encode(value: Any) -> str | None:
        if not isinstance(value, list) or not value:
            return None
        words = []
        for item in value:
            if not isinstance(item, dict) or set(item) != {first, second}:
                return None
            a, b = item[first], item[second]
            if not (isinstance(a, str) and isinstance(b, str) and _WORD.fullmatch(a) and re.fullmatch(r"[^\s,]+", b)):
                return None
            words.append(f"{a}:{b}")
        return " ".join(words)

    return Kind(f"pairs of {first} and {second}", decode, encode, f"{first.upper()}:{second.upper()} ...")


def _teeth(cell: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for word in _words(cell):
        tooth, *surfaces = word.split(":")
        if not tooth or not all(surfaces):
            raise CellError("teeth such as 8 or 8:M:O, separated by spaces")
        out.append({"tooth": tooth, "surfaces": surfaces} if surfaces else {"tooth": tooth})
    return out


def _teeth_out(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return None
    words = []
    for item in value:
        if not isinstance(item, dict) or "tooth" not in item or not set(item) <= {"tooth", "surfaces"}:
            return None
        parts = [item["tooth"], *item.get("surfaces", [])]
        if "surfaces" in item and not item["surfaces"]:
            return None
        if not all(isinstance(p, str) and _WORD.fullmatch(p) for p in parts):
            return None
        words.append(":".join(parts))
    return " ".join(words)


def _diagnoses(cell: str) -> list[dict[str, str]]:
    out = []
    for n, word in enumerate(_words(cell)):
        parts = word.split(":")
        if len(parts) == 1:
            parts = ["ABK" if n == 0 else "ABF", parts[0]]
        if len(parts) not in (2, 3) or not all(parts):
            raise CellError("ICD-10-CM codes separated by spaces, each CODE, QUALIFIER:CODE or QUALIFIER:CODE:POA")
        entry = {"qualifier": parts[0], "code": parts[1].replace(".", "")}
        if len(parts) == 3:
            entry["present_on_admission"] = parts[2]
        out.append(entry)
    return out


def _diagnoses_out(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return None
    plain = all(
        isinstance(d, dict) and set(d) == {"qualifier", "code"} and d["qualifier"] == ("ABK" if n == 0 else "ABF")
        for n, d in enumerate(value)
    )
    words = []
    for d in value:
        if not isinstance(d, dict) or not {"qualifier", "code"} <= set(d) <= {
            "qualifier",
            "code",
            "present_on_admission",
        }:
            return None
        parts = [d["qualifier"], d["code"], *([d["present_on_admission"]] if "present_on_admission" in d else [])]
        if not all(isinstance(p, str) and _WORD.fullmatch(p) and "." not in p for p in parts):
            return None
        words.append(parts[1] if plain else ":".join(parts))
    return " ".join(words)


def _object(cell: str) -> dict[str, Any]:
    try:
        value = json.loads(cell)
    except ValueError as exc:
        raise CellError(f"a JSON object (claims JSON of this level): {exc}") from None
    if not isinstance(value, dict):
        raise CellError("a JSON object (claims JSON of this level)")
    return value


def _object_out(value: Any) -> str | None:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False) if value else None


KINDS: dict[str, Kind] = {
    "text": Kind("text", _text, _text_out, "text"),
    "key": Kind("key", _text, _text_out, "text"),
    "amount": Kind("amount", _amount, _amount_out, "a number like 125.50"),
    "int": Kind("int", _integer, _integer_out, "a whole number"),
    "flag": Kind("flag", _flag, _flag_out, "Y or N"),
    "date": Kind("date", iso_date, _date_out, DATE_FORMS),
    "datetime": Kind("datetime", _datetime, _datetime_out, "a date, or date and time YYYY-MM-DDTHH:MM"),
    "time": Kind("time", _time, _time_out, "HH:MM"),
    "when": Kind("when", _when, _when_out, "a date, a date and time, or a period START/END"),
    "list": Kind("list", _list, _list_out, "codes separated by spaces"),
    "pointers": Kind("pointers", _pointers, _pointers_out, "numbers separated by spaces"),
    "numbers": _pairs("type", "number"),
    "tooth_status": _pairs("tooth", "status"),
    "teeth": Kind("teeth", _teeth, _teeth_out, "TOOTH or TOOTH:SURFACE:... separated by spaces"),
    "diagnoses": Kind("diagnoses", _diagnoses, _diagnoses_out, "CODE or QUALIFIER:CODE[:POA] separated by spaces"),
    "json": Kind("json", _object, _object_out, "a JSON object"),
}
