"""Values are data, never syntax: the one check every writer puts a value through before it becomes X12.

A value that holds one of the interchange's separators, its segment terminator, a line break or a
character outside the X12 character set would change the segments when read back (an injected
element or segment). `value_problem` says why a value cannot be written; `check_value` raises
`UnsafeValue`, which the builders turn into an `InputError` naming the value's JSON path
(`json_paths`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from edi.errors import InputError
from edi.x12.segment import Delimiters, Segment

# The X12 basic and extended character sets (letters, digits, space and these specials).
OUTSIDE_X12 = re.compile(r"[^A-Za-z0-9 !\"&'()*+,\-./:;?=%~@\[\]_{}\\|<>#$^`]")
LINE_BREAK = re.compile(r"[\r\n]")
DECIMAL = re.compile(r"-?(\d+\.?\d*|\.\d+)")
MAX_DIGITS = 18  # the longest X12 R (decimal) element


class UnsafeValue(InputError):
    """A value that cannot be written as data; ``value`` is the offending text, ``where`` the element."""

    def __init__(self, value: str, problem: str, where: str = "") -> None:
        self.value = value
        self.problem = problem
        self.where = where
        super().__init__(f"{where + ' ' if where else ''}{value!r} {problem}")


def value_problem(value: str, delimiters: Delimiters, part: bool = True, charset: bool = False) -> str | None:
    """Why ``value`` cannot be written as one component (``part``) or as a whole element, or None.

    A whole element may hold the component and repetition separators (it is a composite or a
    repetition); a component may hold no separator at all. ``charset`` also refuses characters
    outside the X12 character set (control characters among them), as the builders do.
    """
    if not charset and unsafe_characters(delimiters, part).search(value) is None:
        return None
    breaks = "\r\n" if part else "".join(c for c in "\r\n" if c not in (delimiters.component, delimiters.repetition))
    if any(c in value for c in breaks):
        return "holds a line break"
    named: list[tuple[str, str | None]] = [
        ("element separator", delimiters.element),
        ("segment terminator", delimiters.segment),
    ]
    if part:
        named += [("component separator", delimiters.component), ("repetition separator", delimiters.repetition)]
    for name, separator in named:
        if separator and separator in value:
            return f"holds the {name} {separator!r}"
    bad = OUTSIDE_X12.search(value) if charset else None
    if bad:
        return f"holds {bad.group()!r}, outside the X12 character set"
    return None


_RECENT: dict[bool, tuple[Delimiters, re.Pattern[str]]] = {}


def unsafe_characters(delimiters: Delimiters, part: bool = True) -> re.Pattern[str]:
    """The characters `value_problem` refuses in a component (``part``) or an element, as one pattern."""
    recent = _RECENT.get(part)
    if recent is not None and recent[0] is delimiters:
        return recent[1]
    pattern = _unsafe_pattern(delimiters.separators(), part)
    _RECENT[part] = (delimiters, pattern)
    return pattern


@cache
def _unsafe_pattern(separators: tuple[str, str, str | None, str], part: bool) -> re.Pattern[str]:
    element, component, repetition, segment = separators
    chars = {"\r", "\n", element, segment}
    if part:
        chars |= {component, repetition or ""}
    else:
        chars -= {component, repetition}
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars) if c) + "]")


def check_value(value: str, delimiters: Delimiters, where: str = "", part: bool = True) -> str:
    """``value`` itself when it can be written as data (see `value_problem`); else raise `UnsafeValue`."""
    problem = value_problem(value, delimiters, part)
    if problem:
        raise UnsafeValue(value, problem, where)
    return value


def checked_text(segment: Segment, delimiters: Delimiters | None = None) -> str:
    """The segment's X12 text (without terminator), or `UnsafeValue` when it would not read back as this segment.

    Every writer goes through this for every segment: it is the last guard against injected
    elements and segments, whatever built the values. The ISA's own separator elements are exempt.
    """
    d = delimiters or segment.delimiters
    text = segment.text(delimiters)
    fits = text.count(d.element) == len(segment.elements) and d.segment not in text
    if fits and (segment.id == "ISA" or not LINE_BREAK.search(text)):
        return text
    for index, value in enumerate(segment.elements, start=1):
        if segment.id == "ISA" and index in (11, 16):
            continue
        problem = value_problem(value, d, part=False)
        if problem:
            raise UnsafeValue(value, problem, f"{segment.id}{index:02d}")
    if fits:  # its line breaks are the component or repetition separator
        return text
    raise UnsafeValue(text, "does not read back as one segment in the chosen delimiters", segment.id)


def check_charset(segments: Iterable[Segment]) -> None:
    """Raise `UnsafeValue` for the first component of ``segments`` outside the X12 character set."""
    for segment in segments:
        component = segment.delimiters.component
        for index, value in enumerate(segment.elements, start=1):
            if segment.id == "ISA" and index in (11, 16):
                continue
            bad = OUTSIDE_X12.search(value)
            if bad:
                held = next(p for p in value.split(component) if bad.group() in p)
                problem = f"holds {bad.group()!r}, outside the X12 character set"
                raise UnsafeValue(held, problem, f"{segment.id}{index:02d}")


def json_paths(data: Any, value: str) -> list[str]:
    """The JSON paths of the strings in ``data`` equal to ``value``; else of those holding it or held by it."""
    leaves = list(_strings(data, "$"))
    exact = [path for path, text in leaves if text == value]
    return exact or [path for path, text in leaves if text and (value in text or text in value)]


def _strings(data: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, item in data.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(data, list):
        for n, item in enumerate(data):
            yield from _strings(item, f"{path}[{n}]")
    elif isinstance(data, str):
        yield path, data


def located(error: UnsafeValue, data: Any, file: str) -> InputError:
    """The `InputError` for an unsafe value, naming the JSON path(s) it came from."""
    shown = ", ".join(json_paths(data, error.value)[:3]) or error.where or "a value"
    detail = f"{shown}: {error.value!r} {error.problem}" + (f" (written as {error.where})" if error.where else "")
    return InputError("a value cannot be written as X12 data (nothing was written)", [detail], file=file)


def x12_decimal(text: str) -> Decimal | None:
    """An X12 decimal (type R: digits, one optional point, a leading minus) as a Decimal, else None.

    Exponents (``9E999999``), ``NaN``, ``Infinity`` and more than 18 digits are not X12 decimals.
    """
    if not DECIMAL.fullmatch(text) or len(text) - text.startswith("-") - ("." in text) > MAX_DIGITS:
        return None
    return Decimal(text)


def x12_date(text: str) -> date | None:
    """A D8 date (CCYYMMDD) as a date, else None."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
