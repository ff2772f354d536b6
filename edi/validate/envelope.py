"""SNIP 1: envelope integrity (control numbers, counts, ISA fields) and element syntax (type, length, date, time).

Envelope findings carry the acknowledgment code of their level in ``segment_error``:
the TA105 note code for ISA/IEA, the AK905 code for GS/GE, the IK502 code for ST/SE.
`ENVELOPE_LEVEL` says which level each such rule reports at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from edi.validate.context import Context, rule
from edi.validate.dates import period_problem, valid_date, valid_time
from edi.validate.issue import NOT_VALIDATED, Issue
from edi.validate.structure import ElementSpec, element_issue, transaction_segments
from edi.x12.segment import Segment
from edi.x12.values import OUTSIDE_X12

ENVELOPE_LEVEL: dict[str, str] = {
    "snip1.isa_field": "interchange",
    "snip1.interchange_control_number": "interchange",
    "snip1.group_count": "interchange",
    "snip1.group_control_number": "group",
    "snip1.transaction_count": "group",
    "snip1.duplicate_group_control_number": "group",
    "snip1.transaction_control_number": "transaction",
    "snip1.segment_count": "transaction",
    "snip1.duplicate_transaction_control_number": "transaction",
    "snip1.version_mismatch": "transaction",
    "snip1.missing_envelope": "transaction",
    NOT_VALIDATED: "transaction",
}

# ISA element: (fixed length, TA105 note code for a bad value)
ISA_FIELDS: tuple[tuple[int, str], ...] = (
    (2, "010"), (10, "011"), (2, "012"), (10, "013"), (2, "005"), (15, "006"), (2, "007"), (15, "008"),
    (6, "014"), (4, "015"), (1, "016"), (5, "017"), (9, "018"), (1, "019"), (1, "020"), (1, "027"),
)  # fmt: skip

INTEGER = re.compile(r"-?\d+")
DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


def value_problem(spec: ElementSpec, value: str) -> tuple[str, str] | None:
    """(IK403 code, message) when ``value`` breaks its element's character set, type, date, time or length."""
    bad = OUTSIDE_X12.search(value)
    if bad:
        return "6", f"{spec.ref} has the character {bad.group()!r}, outside the X12 character set"
    kind = spec.type
    size = len(value)
    if (kind == "AN" or kind == "ID") and spec.min <= size <= (spec.max or size):
        return None
    if kind == "N0":
        if not INTEGER.fullmatch(value):
            return "6", f"{spec.ref} ({spec.name}) {value!r} is not an integer"
        size -= value.startswith("-")
    elif kind == "R":
        if not DECIMAL.fullmatch(value):
            return "6", f"{spec.ref} ({spec.name}) {value!r} is not a decimal number"
        size -= value.startswith("-") + ("." in value)
    elif kind == "DT" and not valid_date(value):
        return "8", f"{spec.ref} ({spec.name}) {value!r} is not a valid CCYYMMDD date"
    elif kind == "TM" and not valid_time(value):
        return "9", f"{spec.ref} ({spec.name}) {value!r} is not a valid HHMM[SS[d..]] time"
    if spec.min and size < spec.min:
        return "4", f"{spec.ref} ({spec.name}) {value!r} is shorter than {spec.min}"
    if spec.max and size > spec.max:
        return "5", f"{spec.ref} ({spec.name}) {value!r} is longer than {spec.max}"
    return None


def element_value_problems(
    segment: Segment, elements: tuple[ElementSpec, ...], periods: tuple[tuple[ElementSpec, ElementSpec], ...] = ()
) -> Iterator[tuple[ElementSpec, str, str]]:
    """(element, IK403 code, message) for every element value that breaks its syntax or its date format."""
    values = segment.elements
    component = segment.delimiters.component
    repetition = segment.delimiters.repetition
    for spec in elements:
        if spec.index > len(values):
            break
        value = values[spec.index - 1]
        if not value:
            continue
        if spec.components:
            repeated = spec.repetitions(value, segment.delimiters)
            if spec.repeat is not None and len(repeated) > spec.repeat:
                yield spec, "12", f"{spec.ref} ({spec.name}) repeats {len(repeated)} times, at most {spec.repeat}"
            for one in repeated:
                yield from _component_problems(spec, one.split(component))
            continue
        for one in value.split(repetition) if repetition and repetition in value else (value,):
            found = value_problem(spec, one)
            if found:
                yield spec, found[0], found[1]
                break
    for qualifier, date in periods:
        text = spec_value(segment, date)
        problem = period_problem(spec_value(segment, qualifier), text) if text else None
        if problem:
            yield date, "8", f"{date.ref} ({date.name}) {problem}"


def _component_problems(spec: ElementSpec, parts: list[str]) -> Iterator[tuple[ElementSpec, str, str]]:
    for part_spec in spec.components:
        part = parts[part_spec.component - 1] if part_spec.component and part_spec.component <= len(parts) else ""
        if part:
            found = value_problem(part_spec, part)
            if found:
                yield part_spec, found[0], found[1]
    if len(parts) > len(spec.components):
        yield spec, "13", f"{spec.ref} ({spec.name}) has {len(parts)} components, at most {len(spec.components)}"


def spec_value(segment: Segment, spec: ElementSpec) -> str:
    """The value of the element or component ``spec`` in ``segment``."""
    return segment.get(spec.index, spec.component) if spec.component else segment.get(spec.index)


@rule(1)
def element_syntax(ctx: Context) -> Iterator[Issue]:
    """Every element value has the type, length, character set, date or time its guide defines."""
    for segment, loop, _, spec in transaction_segments(ctx):
        if spec is None:
            continue
        for element, code, message in element_value_problems(segment, spec.elements, spec.periods):
            yield element_issue(
                ctx, "error", 1, "snip1.element_syntax", message, segment, loop, element.ref, code, element.data_ele
            )
        if len(segment.elements) > len(spec.elements):
            message = f"{segment.id} has {len(segment.elements)} elements, the guide defines {len(spec.elements)}"
            extra = f"{segment.id}{len(spec.elements) + 1:02d}"
            yield element_issue(ctx, "error", 1, "snip1.too_many_elements", message, segment, loop, extra, "3")


@rule(1)
def transaction_trailer(ctx: Context) -> Iterator[Issue]:
    """SE02 repeats ST02, SE01 counts segments ST to SE, ST03 agrees with GS08, and a group encloses the set."""
    transaction = ctx.transaction
    if transaction is None or not ctx.last:
        return
    st, se = transaction.st, transaction.se
    if se.get(2) != st.get(2):
        message = f"SE02 {se.get(2)!r} does not match ST02 {st.get(2)!r}"
        yield ctx.issue("error", 1, "snip1.transaction_control_number", message, se, None, "SE02", segment_error="3")
    count = se.position
    if se.get(1) != str(count):
        message = f"SE01 says {se.get(1) or 'nothing'} segments, the transaction set has {count} (ST to SE)"
        yield ctx.issue("error", 1, "snip1.segment_count", message, se, None, "SE01", segment_error="4")
    gs = ctx.group.gs if ctx.group else None
    if gs is None:
        message = "the transaction set has no interchange (ISA/IEA) or functional group (GS/GE) around it"
        yield ctx.issue("error", 1, "snip1.missing_envelope", message, st, None, segment_error="18")
    if gs is not None and st.get(3) and gs.get(8) and st.get(3) != gs.get(8):
        message = f"ST03 {st.get(3)!r} does not match GS08 {gs.get(8)!r}"
        yield ctx.issue("error", 1, "snip1.version_mismatch", message, st, None, "ST03", segment_error="19")


@rule(1)
def guide_known(ctx: Context) -> Iterator[Issue]:
    """A transaction set `edi` has no guide for is reported as not validated, never passed: 999 IK502 1."""
    transaction = ctx.transaction
    if transaction is None or transaction.guide is not None:
        return
    st = transaction.st
    message = (
        f"not validated: no guide for ST01 {st.get(1)!r} version {transaction.version or st.get(3)!r}; "
        "edi checks 837P, 837I, 837D (005010X222A1, X223A2, X224A2), 835 (005010X221A1) and 999 (005010X231A1)"
    )
    yield ctx.issue("error", 1, NOT_VALIDATED, message, st, None, "ST01", segment_error="1")


@rule(1, scope="interchange")
def interchange_envelope(ctx: Context) -> Iterator[Issue]:
    """ISA fields, ISA13 = IEA02, IEA01 = group count."""
    interchange = ctx.interchange
    isa, iea = interchange.isa, interchange.iea
    if isa is None:
        return
    yield from _isa_fields(ctx, isa)
    if iea is None:
        return
    if iea.get(2) != isa.get(13):
        message = f"IEA02 {iea.get(2)!r} does not match ISA13 {isa.get(13)!r}"
        yield ctx.issue(
            "error", 1, "snip1.interchange_control_number", message, iea, None, "IEA02", segment_error="001"
        )
    if iea.get(1) != str(len(interchange.groups)):
        message = f"IEA01 says {iea.get(1) or 'nothing'} groups, the interchange has {len(interchange.groups)}"
        yield ctx.issue("error", 1, "snip1.group_count", message, iea, None, "IEA01", segment_error="021")


def _isa_fields(ctx: Context, isa: Segment) -> Iterator[Issue]:
    if len(isa.elements) != 16:
        message = f"the ISA has {len(isa.elements)} elements, it must have 16"
        yield ctx.issue("error", 1, "snip1.isa_field", message, isa, None, "ISA", segment_error="024")
        return
    for index, (size, code) in enumerate(ISA_FIELDS, 1):
        value = isa.get(index)
        if len(value) != size:
            message = f"ISA{index:02d} {value!r} has {len(value)} characters, it must have exactly {size}"
            yield ctx.issue("error", 1, "snip1.isa_field", message, isa, None, f"ISA{index:02d}", segment_error=code)
    for qualifier, index, code in ((1, 2, "011"), (3, 4, "013")):
        if isa.get(qualifier) == "00" and isa.get(index).strip():
            message = f"ISA{index:02d} {isa.get(index)!r} must be spaces when ISA{qualifier:02d} is 00 (no information)"
            yield ctx.issue("error", 1, "snip1.isa_field", message, isa, None, f"ISA{index:02d}", segment_error=code)
    if len(isa.get(9)) == 6 and not valid_date(isa.get(9)):
        message = f"ISA09 {isa.get(9)!r} is not a valid YYMMDD date"
        yield ctx.issue("error", 1, "snip1.isa_field", message, isa, None, "ISA09", segment_error="014")
    if len(isa.get(10)) == 4 and not valid_time(isa.get(10)):
        message = f"ISA10 {isa.get(10)!r} is not a valid HHMM time"
        yield ctx.issue("error", 1, "snip1.isa_field", message, isa, None, "ISA10", segment_error="015")
    if not INTEGER.fullmatch(isa.get(13)):
        message = f"ISA13 {isa.get(13)!r} is not a number"
        yield ctx.issue("error", 1, "snip1.isa_field", message, isa, None, "ISA13", segment_error="018")


@rule(1, scope="interchange")
def group_envelopes(ctx: Context) -> Iterator[Issue]:
    """GS06 = GE02, GE01 = transaction count, GS06 unique in the interchange, ST02 unique in its group."""
    seen_groups: set[str] = set()
    for group in ctx.interchange.groups:
        gs, ge = group.gs, group.ge
        if gs is not None:
            if gs.get(6) in seen_groups:
                message = f"GS06 {gs.get(6)!r} is used by another group of this interchange"
                yield ctx.issue(
                    "error", 1, "snip1.duplicate_group_control_number", message, gs, None, "GS06", segment_error="19"
                )
            seen_groups.add(gs.get(6))
            for index, check, what in ((4, valid_date, "CCYYMMDD date"), (5, valid_time, "HHMM[SS[d..]] time")):
                if not check(gs.get(index)) or (index == 4 and len(gs.get(4)) != 8):
                    message = f"GS{index:02d} {gs.get(index)!r} is not a valid {what}"
                    yield ctx.issue("error", 1, "snip1.group_field", message, gs, None, f"GS{index:02d}")
        if gs is not None and ge is not None:
            if ge.get(2) != gs.get(6):
                message = f"GE02 {ge.get(2)!r} does not match GS06 {gs.get(6)!r}"
                yield ctx.issue("error", 1, "snip1.group_control_number", message, ge, None, "GE02", segment_error="4")
            count = ctx.tally.counts.get(id(group), 0)
            if ge.get(1) != str(count):
                message = f"GE01 says {ge.get(1) or 'nothing'} transaction sets, the group has {count}"
                yield ctx.issue("error", 1, "snip1.transaction_count", message, ge, None, "GE01", segment_error="5")
        yield from ctx.tally.repeated.get(id(group), [])


def tally_transaction(ctx: Context) -> None:
    """Count the context's transaction set in its group's tally, with a finding when its ST02 was read before."""
    transaction = ctx.transaction
    if transaction is None:
        return
    key = id(ctx.group)
    ctx.tally.counts[key] = ctx.tally.counts.get(key, 0) + 1
    seen = ctx.tally.numbers.setdefault(key, set())
    number = transaction.control_number
    if number in seen:
        message = f"ST02 {number!r} is used by another transaction set of this group"
        issue = ctx.issue(
            "error",
            1,
            "snip1.duplicate_transaction_control_number",
            message,
            transaction.st,
            None,
            "ST02",
            segment_error="23",
        )
        ctx.tally.repeated.setdefault(key, []).append(issue)
    seen.add(number)
