"""X12 date and time syntax: CCYYMMDD dates, HHMM[SS[d..]] times and DTP date periods."""

from __future__ import annotations

import re
from datetime import date

DIGITS = re.compile(r"\d+")


def valid_date(value: str) -> bool:
    """True for a real calendar date written CCYYMMDD (or YYMMDD)."""
    if not DIGITS.fullmatch(value) or len(value) not in (6, 8):
        return False
    year = int(value[:-4]) + (2000 if len(value) == 6 else 0)
    try:
        date(year, int(value[-4:-2]), int(value[-2:]))
    except ValueError:
        return False
    return True


def valid_time(value: str) -> bool:
    """True for a time written HHMM, HHMMSS or HHMMSSd..."""
    if not DIGITS.fullmatch(value) or not 4 <= len(value) <= 8 or len(value) == 5:
        return False
    seconds = int(value[4:6]) if len(value) >= 6 else 0
    return int(value[:2]) < 24 and int(value[2:4]) < 60 and seconds < 60


def period_problem(qualifier: str, value: str) -> str | None:
    """Why a date ``value`` does not fit its format ``qualifier`` (D8, RD8, DT, TM), or None.

    The qualifier is an element of data element 1250 (DTP02, DMG01, HI0x-3), the value the 1251 after it.
    """
    if qualifier == "D8" and not valid_date(value):
        return f"{value!r} is not a CCYYMMDD date"
    if qualifier == "RD8":
        start, _, end = value.partition("-")
        if len(start) != 8 or len(end) != 8 or not valid_date(start) or not valid_date(end):
            return f"{value!r} is not a CCYYMMDD-CCYYMMDD date range"
    if qualifier == "DT" and not (len(value) == 12 and valid_date(value[:8]) and valid_time(value[8:])):
        return f"{value!r} is not a CCYYMMDDHHMM date and time"
    if qualifier == "TM" and not (len(value) == 4 and valid_time(value)):
        return f"{value!r} is not an HHMM time"
    return None
