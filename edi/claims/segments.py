"""The segments the claims JSON names as a whole: DTP dates and HI diagnosis codes."""

from __future__ import annotations

import re
from typing import Any

from edi.guides import claim_guide
from edi.kinds import iso_date, iso_time, x12_date
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import UnsafeValue, check_value

HI_SIZE = 12
POA = 9
HOUR = re.compile(r"\d\d:\d\d")


def date_value(segment: Segment) -> str | dict[str, str] | None:
    """A DTP date as an ISO date, date-time, {start, end} or an hour (TM); None when it is not one of those."""
    if len(segment.elements) != 3:
        return None
    form, text = segment.get(2), segment.get(3)
    try:
        if form == "D8":
            return iso_date(text)
        if form == "RD8" and len(text) == 17 and text[8] == "-":
            return {"start": iso_date(text[:8]), "end": iso_date(text[9:])}
        if form == "DT" and len(text) == 12:
            return iso_date(text[:8]) + "T" + iso_time(text[8:])
        if form == "TM" and len(text) == 4:
            return iso_time(text)
    except ValueError:
        return None
    return None


def date_segment(qualifier: str, value: str | dict[str, str], delimiters: Delimiters) -> Segment:
    """The DTP segment for a date, date-time, {start, end} or an hour ("11:00", written TM)."""
    if isinstance(value, dict):
        return Segment("DTP", [qualifier, "RD8", f"{x12_date(value['start'])}-{x12_date(value['end'])}"], delimiters)
    if HOUR.fullmatch(value):
        return Segment("DTP", [qualifier, "TM", value.replace(":", "")], delimiters)
    if "T" in value:
        day, _, time = value.partition("T")
        clock = time.replace(":", "")
        if not (len(clock) == 4 and clock.isdigit()):
            raise UnsafeValue(value, "is not a date and time (YYYY-MM-DDTHH:MM)")
        return Segment("DTP", [qualifier, "DT", x12_date(day) + clock], delimiters)
    return Segment("DTP", [qualifier, "D8", x12_date(value)], delimiters)


def diagnosis_segments(diagnoses: list[dict[str, Any]], guide: str, delimiters: Delimiters) -> list[Segment]:
    """HI segments for ``diagnoses``: one run per guide class, at most twelve codes a segment."""
    classes = claim_guide(guide).diagnosis_classes
    runs: list[tuple[int, list[str]]] = []
    for diagnosis in diagnoses:
        qualifier = str(diagnosis["qualifier"])
        rank = next((n for n, codes in enumerate(classes) if qualifier in codes), len(classes))
        parts = [qualifier, str(diagnosis["code"])]
        if diagnosis.get("present_on_admission"):
            parts += [""] * (POA - 3) + [str(diagnosis["present_on_admission"])]
        for part in parts:
            check_value(part, delimiters, "HI")
        composite = delimiters.component.join(parts)
        if runs and runs[-1][0] == rank and len(runs[-1][1]) < HI_SIZE:
            runs[-1][1].append(composite)
        else:
            runs.append((rank, [composite]))
    return [Segment("HI", values, delimiters) for _, values in runs]
