"""Code ordering rules: HI qualifier order, diagnosis counts and pointers, ICD-10-CM sequencing, modifiers, LX.

These rules carry no SNIP type (``snip=None``): they come from the TR3s, the ICD-10-CM
Official Guidelines and common payer edits, as ``docs/code-rules.md`` lists.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from edi.claims.model import ICD9_DIAGNOSIS, ICD10_DIAGNOSIS, Claim, HiCode, ServiceLine
from edi.guides import DENTAL, INSTITUTIONAL, PROFESSIONAL, guide_by_id
from edi.validate import icd10
from edi.validate.codes import CLAIMS, claim_id, claims, guide_id
from edi.validate.context import Context, rule
from edi.validate.issue import Issue, Severity
from edi.x12.segment import Segment

ICD10_START = datetime.date(2015, 10, 1)
PRINCIPAL = frozenset({"ABK", "BK"})
OTHER_DIAGNOSIS = frozenset({"ABF", "BF"})
AFTER_PRINCIPAL = OTHER_DIAGNOSIS | PRINCIPAL  # the qualifiers the diagnosis HI may carry after HI01
ICD9 = ICD9_DIAGNOSIS | {"BR", "BQ", "CAH"}
ICD10 = ICD10_DIAGNOSIS | {"BBR", "BBQ"}
ICD = ICD9 | ICD10
# 837I HI segments, in the order they must come; ICD-9 qualifiers take the place of their ICD-10 twins.
INSTITUTIONAL_ORDER = ("ABK", "ABJ", "APR", "ABN", "DR", "ABF", "BBR", "BBQ", "BI", "BH", "BE", "BG", "TC")
ICD9_TWINS = {"BK": "ABK", "BJ": "ABJ", "PR": "APR", "BN": "ABN", "BF": "ABF", "BR": "BBR", "CAH": "BBR", "BQ": "BBQ"}
INSTITUTIONAL_LIMITS = {"APR": 3, "ABN": 12, "ABF": 24, "BBQ": 24}
MAX_POINTERS = 4
# The pointers to a claim with n diagnosis codes that are fine: "1" to "n" (12 at most).
VALID_POINTERS = tuple(frozenset(str(n) for n in range(1, count + 1)) for count in range(13))
PRICING_MODIFIERS = frozenset(
    {"26", "TC", "50", "53", "54", "55", "62", "66", "73", "74", "78", "79", "80", "81", "82"}
    | {"AA", "AD", "AS", "QK", "QX", "QY", "QZ", "P1", "P2", "P3", "P4", "P5", "P6"}
)
# ICD-10-CM codes that may only be principal or first-listed (ICD-G I.C.21.c.16), and their exceptions.
FIRST_LISTED_ONLY = (
    *("Z00", "Z01", "Z02", "Z04", "Z332", "Z3181", "Z3183", "Z3184", "Z34", "Z38"),
    *("Z39", "Z40", "Z42", "Z510", "Z511", "Z52", "Z761", "Z762", "Z9912"),
)
FIRST_LISTED_EXCEPTIONS = ("Z006", "Z529")


def _issue(
    ctx: Context, severity: Severity, rule_id: str, message: str, hi: HiCode, claim: Claim, element: str
) -> Issue:
    return ctx.issue(severity, None, rule_id, message, hi.segment, claim.loop, element, claim=claim_id(claim))


def _line_issue(
    ctx: Context,
    severity: Severity,
    rule_id: str,
    message: str,
    claim: Claim,
    line: ServiceLine,
    segment: Segment,
    element: str,
) -> Issue:
    """A finding on a segment of one of the claim's service lines."""
    return ctx.issue(severity, None, rule_id, message, segment, line.loop, element, claim=claim_id(claim))


@rule(snip=None, guides=CLAIMS, within="2300")
def principal_first(ctx: Context) -> Iterator[Issue]:
    """The first HI segment of a claim must start with the principal diagnosis (ABK, or BK for ICD-9)."""
    for claim in claims(ctx):
        codes = claim.hi_codes
        if codes and codes[0].qualifier not in PRINCIPAL:
            first = codes[0]
            message = f"the claim's first HI code has qualifier {first.qualifier}: expected ABK (principal diagnosis)"
            yield _issue(ctx, "error", "order.principal_first", message, first, claim, first.qualifier_element)


@rule(snip=None, guides=CLAIMS, within="2300")
def principal_once(ctx: Context) -> Iterator[Issue]:
    """A claim has exactly one principal diagnosis (ABK or BK)."""
    for claim in claims(ctx):
        principals = [hi for hi in claim.hi_codes if hi.qualifier in PRINCIPAL]
        for extra in principals[1:]:
            message = f"a second principal diagnosis ({extra.qualifier}:{extra.code}): only HI01 of the first HI is ABK"
            yield _issue(ctx, "error", "order.principal_once", message, extra, claim, extra.qualifier_element)


@rule(snip=None, guides=(PROFESSIONAL, DENTAL), within="2300")
def other_diagnosis_qualifier(ctx: Context) -> Iterator[Issue]:
    """After the principal diagnosis, the diagnosis HI carries only ABF (or BF) codes."""
    for claim in claims(ctx):
        first = claim.find("HI")
        if first is None or first.get(1, 1) not in PRINCIPAL:
            continue
        for hi in claim.hi_codes:
            if hi.segment is not first or hi.index == 1:
                continue
            if hi.qualifier.isalpha() and hi.qualifier not in AFTER_PRINCIPAL:
                message = f"qualifier {hi.qualifier} after the principal diagnosis: expected ABF (other diagnosis)"
                yield _issue(ctx, "error", "order.other_diagnosis", message, hi, claim, hi.qualifier_element)


def _service_dates(claim: Claim) -> list[datetime.date]:
    """Every date of the claim's and its lines' service dates (DTP*472, DTP*434), both ends of a range."""
    dates = []
    for segment in (*claim.segments, *(s for line in claim.lines for s in line.segments)):
        if segment.id != "DTP" or segment.get(1) not in ("472", "434"):
            continue
        for text in segment.get(3).split("-") if segment.get(2) in ("D8", "RD8") else ():
            try:
                dates.append(datetime.datetime.strptime(text, "%Y%m%d").date())
            except ValueError:
                continue
    return dates


@rule(snip=None, guides=CLAIMS, within="2300")
def icd9_after_cutoff(ctx: Context) -> Iterator[Issue]:
    """ICD-9 qualifiers are not allowed on claims with service dates on or after 2015-10-01."""
    for claim in claims(ctx):
        coded = [hi for hi in claim.hi_codes if hi.qualifier in ICD9]
        dates = _service_dates(claim) if coded else []
        if not dates or max(dates) < ICD10_START:
            continue
        for hi in coded:
            message = (
                f"ICD-9 qualifier {hi.qualifier} on a claim with service through {max(dates).isoformat()}: "
                "ICD-10 applies from 2015-10-01"
            )
            yield _issue(ctx, "error", "order.icd9_after_cutoff", message, hi, claim, hi.qualifier_element)


@rule(snip=None, guides=CLAIMS, within="2300")
def icd_versions_mixed(ctx: Context) -> Iterator[Issue]:
    """A claim uses ICD-9 or ICD-10 qualifiers, never both."""
    for claim in claims(ctx):
        coded = [hi for hi in claim.hi_codes if hi.qualifier in ICD]
        if not coded:
            continue
        family = ICD9 if coded[0].qualifier in ICD9 else ICD10
        for hi in coded:
            if hi.qualifier not in family:
                message = f"qualifier {hi.qualifier} mixes ICD-9 and ICD-10 codes on one claim"
                yield _issue(ctx, "error", "order.icd_mixed", message, hi, claim, hi.qualifier_element)


def _rank(qualifier: str) -> int | None:
    qualifier = ICD9_TWINS.get(qualifier, qualifier)
    return INSTITUTIONAL_ORDER.index(qualifier) if qualifier in INSTITUTIONAL_ORDER else None


@rule(snip=None, guides=(INSTITUTIONAL,), within="2300")
def institutional_hi_mixed(ctx: Context) -> Iterator[Issue]:
    """An 837I HI segment holds codes of one kind only (one qualifier and its ICD-9 twin)."""
    for claim in claims(ctx):
        for hi in claim.hi_codes:
            first = hi.segment.get(1, 1)
            if hi.index > 1 and _rank(hi.qualifier) != _rank(first):
                message = f"qualifier {hi.qualifier} in an HI that starts with {first}: never mix kinds in one HI"
                yield _issue(ctx, "error", "order.hi_mixed", message, hi, claim, hi.qualifier_element)


@rule(snip=None, guides=(INSTITUTIONAL,), within="2300")
def institutional_hi_sequence(ctx: Context) -> Iterator[Issue]:
    """837I HI segments come in the TR3 order: ABK, ABJ, APR, ABN, DR, ABF, BBR, BBQ, BI, BH, BE, BG, TC."""
    for claim in claims(ctx):
        highest, previous = -1, ""
        for hi in claim.hi_codes:
            rank = _rank(hi.qualifier)
            if hi.index != 1 or rank is None:
                continue
            if rank < highest:
                order = ", ".join(INSTITUTIONAL_ORDER)
                message = f"an HI with {hi.qualifier} after one with {previous}: expected the order {order}"
                yield _issue(ctx, "error", "order.hi_sequence", message, hi, claim, "HI01-1")
            else:
                highest, previous = rank, hi.qualifier


@rule(snip=None, guides=(INSTITUTIONAL,), within="2300")
def institutional_hi_count(ctx: Context) -> Iterator[Issue]:
    """837I limits: at most 3 reason-for-visit, 12 external cause, 24 other diagnosis and 24 procedure codes."""
    for claim in claims(ctx):
        counts: dict[str, int] = {}
        for hi in claim.hi_codes:
            kind = ICD9_TWINS.get(hi.qualifier, hi.qualifier)
            counts[kind] = counts.get(kind, 0) + 1
            limit = INSTITUTIONAL_LIMITS.get(kind)
            if limit is not None and counts[kind] == limit + 1:
                message = f"more than {limit} {kind} codes on one claim"
                yield _issue(ctx, "error", "order.hi_count", message, hi, claim, hi.element)


@rule(snip=None, guides=(PROFESSIONAL, DENTAL), within="2300")
def diagnosis_count(ctx: Context) -> Iterator[Issue]:
    """At most 12 diagnosis codes on an 837P claim, 4 on an 837D claim."""
    limit = guide_by_id(guide_id(ctx)).max_diagnoses
    for claim in claims(ctx):
        codes = claim.diagnoses
        if len(codes) > limit:
            extra = codes[limit]
            message = f"{len(codes)} diagnosis codes on one claim: at most {limit}"
            yield _issue(ctx, "error", "order.diagnosis_count", message, extra, claim, extra.element)


@rule(snip=None, guides=(PROFESSIONAL, DENTAL), within="2300")
def diagnosis_pointers(ctx: Context) -> Iterator[Issue]:
    """SV107/SV311 pointers: at most 4, each 1-12, unique in the line, pointing at a diagnosis of the claim."""
    index = guide_by_id(guide_id(ctx)).pointers
    for claim in claims(ctx):
        count = len(claim.diagnoses)
        valid = VALID_POINTERS[min(count, len(VALID_POINTERS) - 1)]
        for line in claim.lines:
            service = line.service
            pointers = line.pointers
            # Most lines: at most 4 distinct pointers, each a plain number of a diagnosis the claim has.
            if service is None or (
                len(pointers) <= MAX_POINTERS and valid.issuperset(pointers) and len(set(pointers)) == len(pointers)
            ):
                continue
            seen: set[str] = set()
            for number, pointer in enumerate(pointers, start=1):
                found = _pointer_problem(pointer, number, seen, count)
                seen.add(pointer)
                if found:
                    rule_id, message = found
                    element = line.element(index, number)
                    yield _line_issue(ctx, "error", rule_id, message, claim, line, service, element)


def _pointer_problem(pointer: str, number: int, seen: set[str], count: int) -> tuple[str, str] | None:
    if number > MAX_POINTERS:
        return "order.pointer_count", f"more than {MAX_POINTERS} diagnosis pointers on one line"
    if not pointer.isdigit() or not 1 <= int(pointer) <= 12:
        return "order.pointer_range", f"diagnosis pointer {pointer!r} is not a number from 1 to 12"
    if pointer in seen:
        return "order.pointer_duplicate", f"diagnosis pointer {pointer} appears twice on the line"
    if int(pointer) > count:
        return "order.pointer_missing", f"diagnosis pointer {pointer} points past the claim's {count} diagnosis codes"
    return None


def _flagged(code: str, flag: int) -> icd10.Code | None:
    """The tabular's item for ``code`` when it carries ``flag`` (`icd10.MANIFESTATION` ...), else None."""
    table = icd10.table()
    flags = table.flags(icd10.normalize(code))
    return table.get(code) if flags is not None and flags & flag else None


@rule(snip=None, guides=CLAIMS, within="2300")
def manifestation_first(ctx: Context) -> Iterator[Issue]:
    """A manifestation code is never the principal or first-listed diagnosis (ICD-G I.A.13)."""
    for claim in claims(ctx):
        codes = claim.conditions
        if not codes or codes[0].qualifier != "ABK":
            continue
        found = _flagged(codes[0].code, icd10.MANIFESTATION)
        if found is not None:
            note = found.code_first.splitlines()[0] if found.code_first else "the underlying condition"
            message = f"{codes[0].code} ({found.title}) is a manifestation code: code first {note}"
            yield _issue(ctx, "error", "order.manifestation_first", message, codes[0], claim, codes[0].element)


@rule(snip=None, guides=CLAIMS, within="2300")
def external_cause_first(ctx: Context) -> Iterator[Issue]:
    """An external cause code (V00-Y99) is never the principal or first-listed diagnosis (ICD-G I.C.20)."""
    for claim in claims(ctx):
        codes = claim.conditions
        if codes and codes[0].qualifier == "ABK" and codes[0].code[:1].upper() in "VWXY":
            first = codes[0]
            message = f"{first.code} is an external cause code (V00-Y99): it may not be first-listed"
            yield _issue(ctx, "error", "order.external_cause_first", message, first, claim, first.element)


@rule(snip=None, guides=CLAIMS, within="2300")
def excludes1(ctx: Context) -> Iterator[Issue]:
    """Two diagnoses (principal or other) in an Excludes1 relation should not be reported together (ICD-G I.A.12.a).

    A note that excludes only one of the conditions its code stands for (it names one of the code's
    inclusion terms) leaves the pair alone: the conditions may be unrelated (`icd10.Table.excluded_pair`).
    """
    for claim in claims(ctx):
        codes = claim.conditions  # ABK and ABF: ICD-10-CM codes
        for first, second in icd10.table().excluded_pairs([hi.code for hi in codes]):
            hi, earlier = codes[second], codes[first]
            message = f"{hi.code} and {earlier.code} ({earlier.element}) exclude each other (Excludes1)"
            yield _issue(ctx, "warning", "order.excludes1", message, hi, claim, hi.element)


def _sequela(code: str) -> bool:
    """A sequela code: an ICD-10-CM code whose 7th character is S (not an external cause code, V00-Y99)."""
    key = icd10.normalize(code)
    return len(key) == 7 and key.endswith("S") and key[0] not in "VWXY"


@rule(snip=None, guides=CLAIMS, within="2300")
def sequela_after_condition(ctx: Context) -> Iterator[Issue]:
    """A sequela code (7th character S) follows the condition it caused (ICD-G I.B.10).

    The condition or nature of the sequela is sequenced first, the sequela code after it. The claim does
    not say which condition a sequela caused, so a sequela code is flagged when no condition code (one
    that is neither a sequela nor an external cause code) comes before it and one comes after it.
    """
    for claim in claims(ctx):
        codes = claim.conditions  # ABK and ABF: ICD-10-CM codes
        sequelae = [_sequela(hi.code) for hi in codes]
        condition = next(
            (n for n, hi in enumerate(codes) if not sequelae[n] and hi.code[:1].upper() not in "VWXY"), None
        )
        for n, hi in enumerate(codes):
            if condition is not None and condition > n and sequelae[n]:
                after = codes[condition]
                message = (
                    f"{hi.code} is a sequela code (7th character S): the condition it caused, such as "
                    f"{after.code} ({after.element}), is sequenced first and the sequela code after it"
                )
                yield _issue(ctx, "warning", "order.sequela_after_condition", message, hi, claim, hi.element)


def _first_listed_only(code: str) -> bool:
    key = icd10.normalize(code)
    return key.startswith(FIRST_LISTED_ONLY) and not key.startswith(FIRST_LISTED_EXCEPTIONS)


@rule(snip=None, guides=CLAIMS, within="2300")
def first_listed_only(ctx: Context) -> Iterator[Issue]:
    """Z codes that may only be principal or first-listed (ICD-G I.C.21.c.16) should not follow another code."""
    for claim in claims(ctx):
        for hi in claim.conditions[1:]:
            if _first_listed_only(hi.code):
                message = f"{hi.code} may only be the first-listed diagnosis"
                yield _issue(ctx, "warning", "order.first_listed_only", message, hi, claim, hi.element)


@rule(snip=None, guides=CLAIMS, within="2300")
def not_first_listed(ctx: Context) -> Iterator[Issue]:
    """Codes the tabular marks as additional codes only (Z16, Z37, B95-B97) should not be first-listed."""
    for claim in claims(ctx):
        codes = claim.conditions
        found = _flagged(codes[0].code, icd10.ADDITIONAL_ONLY) if codes else None
        if found is not None:
            message = f"{codes[0].code} ({found.title}) is for use as an additional code, not first-listed"
            yield _issue(ctx, "warning", "order.not_first_listed", message, codes[0], claim, codes[0].element)


@rule(snip=None, guides=CLAIMS, within="2300")
def no_decimal_point(ctx: Context) -> Iterator[Issue]:
    """ICD codes in HI are sent without the decimal point (E119, not E11.9)."""
    for claim in claims(ctx):
        for hi in claim.hi_codes:
            if "." in hi.code and hi.qualifier in ICD:
                message = f"{hi.code} has a decimal point: send {hi.code.replace('.', '')}"
                yield ctx.issue(
                    "error",
                    None,
                    "order.no_decimal",
                    message,
                    hi.segment,
                    claim.loop,
                    hi.element,
                    element_error="6",
                    data_element="1271",
                    claim=claim_id(claim),
                )


def _procedures(ctx: Context) -> Iterator[tuple[Claim, ServiceLine, Segment]]:
    """(claim, line, service segment) for each service line that has its service segment."""
    for claim in claims(ctx):
        for line in claim.lines:
            service = line.service
            if service is not None:
                yield claim, line, service


@rule(snip=None, guides=CLAIMS, within="2300")
def modifier_order(ctx: Context) -> Iterator[Issue]:
    """Pricing modifiers come before informational ones in SV101, SV202, SV301 (Medicare contractors' edit)."""
    for claim, line, service in _procedures(ctx):
        informational = ""
        for number, modifier in line.modifiers:
            if modifier not in PRICING_MODIFIERS:
                informational = informational or modifier
            elif informational:
                message = f"pricing modifier {modifier} after informational modifier {informational}: put it first"
                element = line.element(line.guide.procedure, number)
                yield _line_issue(ctx, "warning", "order.modifier_order", message, claim, line, service, element)


@rule(snip=None, guides=CLAIMS, within="2300")
def modifier_count(ctx: Context) -> Iterator[Issue]:
    """At most 4 modifiers: a modifier-like code in the description component (-7) after 4 modifiers is a fifth."""
    for claim, line, service in _procedures(ctx):
        extra = line.description
        if len(extra) == 2 and extra.isalnum() and (extra.isupper() or extra.isdigit()) and len(line.modifiers) == 4:
            message = f"a fifth modifier {extra} where the description belongs: at most 4 modifiers"
            element = line.element(line.guide.procedure, 7)
            yield _line_issue(ctx, "warning", "order.modifier_count", message, claim, line, service, element)


@rule(snip=None, guides=CLAIMS, within="2300")
def lx_sequence(ctx: Context) -> Iterator[Issue]:
    """LX01 numbers the lines of each claim 1, 2, 3 ..."""
    for claim in claims(ctx):
        for expected, line in enumerate(claim.lines, start=1):
            number = line.number
            if number != str(expected):
                message = f"line number {number!r}: expected {expected} (LX01 counts 1, 2, 3 ... in each claim)"
                yield _line_issue(ctx, "error", "order.lx_sequence", message, claim, line, line.lx, "LX01")
