"""One compiled test per guide segment entry that proves a segment free of SNIP 1 and 2 findings.

Most segments are clean, so each entry is compiled once (per set of delimiters) into a
regular expression over the segment's elements that accepts only values with the right
characters, type, length and usage, plus the few checks a pattern cannot make: code lists,
the guide's value patterns, syntax notes and DTP date periods. A segment that passes has no
SNIP 1 or 2 element finding; one that fails is checked element by element. The test may
send a clean segment to that slower check (a date on the 29th, a repeated element); it
never passes a faulty one.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from edi.validate.dates import period_problem
from edi.x12.segment import Delimiters, Segment

if TYPE_CHECKING:
    from edi.validate.structure import ElementSpec, SegmentSpec

X12_CHARACTERS = string.ascii_letters + string.digits + " !\"&'()*+,-./:;?=%~@[]_{}\\|<>#$^`"
NEVER = "(?!)"
MONTH_DAY = "(?:0[1-9]|1[0-2])(?:0[1-9]|1\\d|2[0-8])"  # days 29 to 31 go to the full check
HOUR_MINUTE = "(?:[01]\\d|2[0-3])[0-5]\\d"
TIMES = {4: HOUR_MINUTE, 6: HOUR_MINUTE + "[0-5]\\d", 7: HOUR_MINUTE + "[0-5]\\d\\d", 8: HOUR_MINUTE + "[0-5]\\d\\d\\d"}
Notes = tuple[tuple[str, tuple[int, ...]], ...]
MAX_PATTERN_CODES = 40  # longer code lists are checked by set membership after the pattern
MAX_NOTE_ELEMENTS = 10  # syntax notes over more elements are checked one by one
DATE = "[12]\\d{3}" + MONTH_DAY
PERIODS = {
    "D8": re.compile(DATE),
    "RD8": re.compile(f"{DATE}-{DATE}"),
    "DT": re.compile(DATE + HOUR_MINUTE),
    "TM": re.compile(HOUR_MINUTE),
}  # date format qualifier (DTP02, DMG01, HI0x-3) -> a pattern for values that certainly fit it
Place = tuple[int, int]  # (element, component or 0)


@dataclass(slots=True, frozen=True)
class SegmentCheck:
    """The compiled test of one segment entry: a pattern over the elements and the checks it cannot make."""

    pattern: re.Pattern[str]
    codes: tuple[tuple[int, int, frozenset[str]], ...]  # (element, component or 0, allowed codes)
    patterns: tuple[tuple[int, re.Pattern[str]], ...]  # (element, the guide's value pattern)
    notes: Notes
    presence: frozenset[tuple[bool, ...]] | None  # with notes: which presences of the captured elements satisfy them
    # (format qualifier, value), in the order of the value's element: the value must fit the format
    periods: tuple[tuple[Place, Place], ...]
    shallow: bool = False  # nothing to check beyond the pattern and the presence of the elements notes name

    def passes(self, segment: Segment, joined: str | None = None) -> bool:
        """True when the segment certainly has no SNIP 1 or 2 element finding (``joined``: its elements joined)."""
        elements = segment.elements
        delimiters = segment.delimiters
        found = self.pattern.fullmatch(delimiters.element.join(elements) if joined is None else joined)
        if found is None:
            return False
        if self.shallow:
            return self.presence is None or tuple(map(bool, found.groups())) in self.presence
        count = len(elements)
        for index, component, allowed in self.codes:
            value = elements[index - 1] if index <= count else ""
            if component and value:
                parts = value.split(delimiters.component)
                value = parts[component - 1] if component <= len(parts) else ""
            if value and value not in allowed:
                return False
        for index, pattern in self.patterns:
            value = elements[index - 1] if index <= count else ""
            if value and pattern.fullmatch(value) is None:
                return False
        if self.notes:
            if self.presence is not None:
                if tuple(map(bool, found.groups())) not in self.presence:
                    return False
            elif not notes_hold(elements, self.notes):
                return False
        for qualifier, place in self.periods:
            if place[0] > count:
                break  # the periods come by the element of their value: the rest have none
            value = _at(elements, place, delimiters.component)
            if value:
                form = _at(elements, qualifier, delimiters.component)
                quick = PERIODS.get(form)
                if (quick is None or quick.fullmatch(value) is None) and period_problem(form, value) is not None:
                    return False
        return True


def _at(elements: list[str], place: Place, component: str) -> str:
    index, part = place
    value = elements[index - 1] if index <= len(elements) else ""
    if part and value:
        parts = value.split(component)
        return parts[part - 1] if part <= len(parts) else ""
    return value


def notes_hold(elements: list[str], notes: Notes) -> bool:
    """True when every syntax note (P, R, C, E, L) of the entry holds for the element values."""
    count = len(elements)
    for kind, indexes in notes:
        present = [index <= count and elements[index - 1] != "" for index in indexes]
        if kind == "P" and any(present) and not all(present):
            return False
        if kind == "R" and not any(present):
            return False
        if kind == "C" and present[0] and not all(present[1:]):
            return False
        if kind == "E" and sum(present) > 1:
            return False
        if kind == "L" and present[0] and not any(present[1:]):
            return False
    return True


def note_elements(notes: Notes) -> list[int]:
    """The elements that syntax notes name, ascending."""
    return sorted({index for _, indexes in notes for index in indexes})


def presences(notes: Notes) -> frozenset[tuple[bool, ...]] | None:
    """Every presence (True = a value) of the `note_elements` that satisfies the notes, or None when too many."""
    named = note_elements(notes)
    if not notes or len(named) > MAX_NOTE_ELEMENTS:
        return None
    satisfied = set()
    for presence in itertools.product((False, True), repeat=len(named)):
        values = [""] * named[-1]
        for index, present in zip(named, presence, strict=True):
            values[index - 1] = "x" if present else ""
        if notes_hold(values, notes):
            satisfied.add(presence)
    return frozenset(satisfied)


def character_class(delimiters: Delimiters) -> str:
    """A regex class of the X12 characters that are not delimiters."""
    used = {delimiters.element, delimiters.component, delimiters.repetition or ""}
    return "[" + "".join(re.escape(c) for c in X12_CHARACTERS if c not in used) + "]"


def value_pattern(kind: str, low: int, high: int, characters: str) -> str:
    """A pattern for a non-empty value of type ``kind`` whose length is within ``low``..``high`` (0: no maximum)."""
    least = max(low, 1)
    if high and high < least:
        return NEVER
    repeat = f"{{{least},{high}}}" if high else f"{{{least},}}"
    if kind == "N0":
        return f"-?\\d{repeat}"
    if kind == "R":
        length = f"(?=[\\d.]{{1,{high}}}(?![\\d.]))" if high else ""
        digits = f"(?=\\d{{{low}}})" if low > 1 else ""
        return f"-?{length}{digits}(?:\\d+\\.?\\d*|\\.\\d+)"
    if kind == "DT":
        forms = [f"{year}{MONTH_DAY}" for size, year in ((8, "[12]\\d{3}"), (6, "\\d\\d")) if _fits(size, low, high)]
        return "(?:" + "|".join(forms) + ")" if forms else NEVER
    if kind == "TM":
        times = [pattern for size, pattern in TIMES.items() if _fits(size, low, high)]
        return "(?:" + "|".join(times) + ")" if times else NEVER
    return characters + repeat


def _fits(size: int, low: int, high: int) -> bool:
    return low <= size and (not high or size <= high)


def codes_pattern(allowed: frozenset[str], value: str) -> str:
    """A pattern for the codes of a short list that also fit the element's value pattern, longest first."""
    fitting = re.compile(value)
    codes = sorted((c for c in allowed if c and fitting.fullmatch(c)), key=lambda c: (-len(c), c))
    return "(?:" + "|".join(re.escape(c) for c in codes) + ")" if codes else NEVER


def usage_pattern(usage: str, value: str) -> str:
    """The value pattern as the usage allows it: required, not used (empty) or situational (either)."""
    if usage == "N":
        return ""
    return value if usage == "R" else f"(?:{value})?"


def sequence(parts: list[tuple[str, bool]], separator: str) -> str:
    """Patterns joined by ``separator``; trailing parts that are all optional may be left out with theirs."""
    tail = ""
    for index in range(len(parts) - 1, 0, -1):
        inner = separator + parts[index][0] + tail
        tail = inner if any(required for _, required in parts[index:]) else f"(?:{inner})?"
    return (parts[0][0] if parts else "") + tail


def compile_check(
    spec: SegmentSpec, delimiters: Delimiters, codes_of: Callable[[ElementSpec], frozenset[str] | None]
) -> SegmentCheck | None:
    """The compiled test of a segment entry, or None when its elements are not numbered 1, 2, 3 ... in order."""
    if [e.index for e in spec.elements] != list(range(1, len(spec.elements) + 1)):
        return None
    characters = character_class(delimiters)
    separator = re.escape(delimiters.element)
    parts: list[tuple[str, bool]] = []
    codes: list[tuple[int, int, frozenset[str]]] = []
    patterns: list[tuple[int, re.Pattern[str]]] = []
    presence = presences(spec.syntax)
    captured = set(note_elements(spec.syntax)) if presence is not None else set()
    for element in spec.elements:
        if element.components:
            if [c.component for c in element.components] != list(range(1, len(element.components) + 1)):
                return None
            inner = []
            for component in element.components:
                allowed = codes_of(component)
                value = value_pattern(component.type, component.min, component.max, characters)
                if allowed is not None and len(allowed) <= MAX_PATTERN_CODES:
                    value = codes_pattern(allowed, value)
                elif allowed is not None:
                    codes.append((element.index, component.component or 0, allowed))
                inner.append((usage_pattern(component.usage, value), component.usage == "R"))
            composite = sequence(inner, re.escape(delimiters.component))
            if element.usage == "N":
                parts.append(("", False))
            elif element.usage == "R":
                parts.append(
                    (
                        _captured(
                            f"(?={characters}|{re.escape(delimiters.component)}){composite}", element.index, captured
                        ),
                        True,
                    )
                )
            else:
                parts.append((_captured(f"(?:{composite})?", element.index, captured), False))
            continue
        value = value_pattern(element.type, element.min, element.max, characters)
        allowed = codes_of(element)
        if allowed is not None and len(allowed) <= MAX_PATTERN_CODES:
            value = codes_pattern(allowed, value)
        elif allowed is not None:
            codes.append((element.index, 0, allowed))
        parts.append((_captured(usage_pattern(element.usage, value), element.index, captured), element.usage == "R"))
        if element.regex is not None:
            patterns.append((element.index, element.regex))
    pattern = re.compile(sequence(parts, separator))
    periods = tuple(
        sorted((((q.index, q.component or 0), (v.index, v.component or 0)) for q, v in spec.periods), key=_value_index)
    )
    if pattern.groups != len(captured):
        presence = None  # an element named by a note lies beyond the entry's elements
    shallow = not (codes or patterns or periods) and (not spec.syntax or presence is not None)
    return SegmentCheck(pattern, tuple(codes), tuple(patterns), spec.syntax, presence, periods, shallow)


def _value_index(period: tuple[Place, Place]) -> int:
    return period[1][0]


def _captured(pattern: str, index: int, captured: set[int]) -> str:
    return f"({pattern})" if index in captured else pattern
