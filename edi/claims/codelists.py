"""HI segments other than diagnoses: occurrence, occurrence span, value and condition codes, the DRG, procedures.

Each list is named by its HI0x-1 qualifiers (the first is the one written when the JSON
names none) and the shape of its composites: a bare code; a code with a D8 date
(occurrences, ICD-10-PCS procedures); a code with an RD8 period (occurrence spans); or a
code with an amount in HI0x-5 (value codes). A list is read as named fields only when
building it again gives back the very same HI segments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from edi.guides import claim_guide
from edi.kinds import iso_date, x12_date
from edi.x12.segment import Delimiters, Segment

HI_SIZE = 12
NUBC_CODE = r"[A-Z0-9]{2}"
_AMOUNT = re.compile(r"-?(\d+\.?\d*|\.\d+)")


@dataclass(frozen=True, slots=True)
class CodeList:
    """One kind of HI code list in the 2300 claim and its JSON key.

    ``form``: ``code`` (the JSON holds the code), ``date`` ({code, date}), ``span``
    ({code, start, end}) or ``amount`` ({code, amount}). ``many``: a list of entries,
    otherwise one. ``pattern``: what a code looks like (no dots, no separators).
    """

    key: str
    qualifiers: tuple[str, ...]
    form: str = "code"
    many: bool = True
    pattern: str = NUBC_CODE


DRG = CodeList("drg", ("DR",), many=False, pattern=r"[A-Z0-9]{3,4}")
PRINCIPAL_PROCEDURE = CodeList("principal_procedure", ("BBR", "BR", "CAH"), "date", False, r"[A-Z0-9]{3,7}")
OTHER_PROCEDURES = CodeList("other_procedures", ("BBQ", "BQ"), "date", True, r"[A-Z0-9]{3,7}")
OCCURRENCE_SPANS = CodeList("occurrence_spans", ("BI",), "span")
OCCURRENCES = CodeList("occurrences", ("BH",), "date")
VALUES = CodeList("values", ("BE",), "amount")
CONDITIONS = CodeList("condition_codes", ("BG",))

ALL_LISTS = (DRG, PRINCIPAL_PROCEDURE, OTHER_PROCEDURES, OCCURRENCE_SPANS, OCCURRENCES, VALUES, CONDITIONS)
BY_KEY = {kind.key: kind for kind in ALL_LISTS}


@cache
def code_lists(guide: str) -> tuple[CodeList, ...]:
    """The code lists ``guide`` carries in HI segments besides diagnoses, in the guide's order."""
    return tuple(BY_KEY[key] for key in claim_guide(guide).code_lists)


@cache
def code_lists_by_qualifier(guide: str) -> dict[str, CodeList]:
    """The code lists of ``guide`` keyed by every HI0x-1 qualifier they use."""
    return {q: kind for kind in code_lists(guide) for q in kind.qualifiers}


def code_list_segments(kind: CodeList, value: Any, delimiters: Delimiters) -> list[Segment]:
    """The HI segments for the JSON value of ``kind``: at most twelve composites each."""
    entries = value if kind.many else [value]
    composites = [delimiters.component.join(_composite(kind, entry)) for entry in entries]
    return [Segment("HI", composites[n : n + HI_SIZE], delimiters) for n in range(0, len(composites), HI_SIZE)]


def read_code_list(kind: CodeList, segments: list[Segment]) -> Any:
    """The JSON value of ``kind`` held by ``segments``, or None when they cannot be named exactly."""
    entries: list[Any] = []
    for segment in segments:
        for element in segment.elements:
            entry = _entry(kind, element.split(segment.delimiters.component))
            if entry is None:
                return None
            entries.append(entry)
    if not entries or (not kind.many and len(entries) > 1):
        return None
    value: Any = entries if kind.many else entries[0]
    rebuilt = code_list_segments(kind, value, segments[0].delimiters)
    return value if [s.text() for s in rebuilt] == [s.text() for s in segments] else None


def _composite(kind: CodeList, entry: Any) -> list[str]:
    if kind.form == "code":
        return [kind.qualifiers[0], str(entry)]
    head = [str(entry.get("qualifier", kind.qualifiers[0])), str(entry["code"])]
    if kind.form == "date":
        return [*head, "D8", x12_date(entry["date"])]
    if kind.form == "span":
        return [*head, "RD8", f"{x12_date(entry['start'])}-{x12_date(entry['end'])}"]
    return [*head, "", "", str(entry["amount"])]


def _entry(kind: CodeList, parts: list[str]) -> Any:
    """One composite as its JSON entry, or None when it is not of this list's shape."""
    qualifier, code = parts[0], parts[1] if len(parts) > 1 else ""
    if qualifier not in kind.qualifiers or not re.fullmatch(kind.pattern, code):
        return None
    if kind.form == "code":
        return code if len(parts) == 2 and qualifier == kind.qualifiers[0] else None
    entry: dict[str, str] = {"qualifier": qualifier} if qualifier != kind.qualifiers[0] else {}
    entry["code"] = code
    try:
        if kind.form == "date" and len(parts) == 4 and parts[2] == "D8":
            return {**entry, "date": iso_date(parts[3])}
        if kind.form == "span" and len(parts) == 4 and parts[2] == "RD8" and len(parts[3]) == 17:
            return {**entry, "start": iso_date(parts[3][:8]), "end": iso_date(parts[3][9:])}
    except ValueError:
        return None
    if kind.form == "amount" and len(parts) == 5 and parts[2:4] == ["", ""] and _AMOUNT.fullmatch(parts[4]):
        return {**entry, "amount": parts[4]}
    return None
