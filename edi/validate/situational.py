"""SNIP 4: the guide's "required when" rules that tie one segment or loop to another."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from edi.guides import CLAIM_GUIDES, DENTAL, claim_guide
from edi.validate.balancing import iter_loops
from edi.validate.context import Context, rule
from edi.validate.issue import Issue, Severity
from edi.x12.lalr import Detached, Loop
from edi.x12.segment import Segment

CLAIMS = CLAIM_GUIDES


def _npi(loop: Loop | None) -> str:
    name = loop.find("NM1") if loop else None
    return name.get(9) if name else ""


def _first(loop: Loop, loop_id: str) -> Loop | None:
    found = loop.loops(loop_id)
    return found[0] if found else None


def _subscribers(ctx: Context) -> Iterator[tuple[Loop, Segment]]:
    """Each 2000B subscriber loop that has an SBR segment, with that segment."""
    for subscriber in ctx.index.loops("2000B"):
        sbr = subscriber.find("SBR")
        if sbr is not None:
            yield subscriber, sbr


@rule(4, guides=CLAIMS)
def patient_level(ctx: Context) -> Iterator[Issue]:
    """Loop 2000C is required when the patient is not the subscriber (SBR02 not 18), and absent when it is."""
    firsts: dict[int, Segment] = ctx.state.setdefault("first_patient", {})  # open subscriber's HL -> first 2000C HL
    patients = ctx.index.loops("2000C")
    subscriber = ctx.holder("2000B") if patients else None  # the path is walked only for a piece with patients
    if subscriber is not None:
        firsts.setdefault(id(subscriber.trigger), patients[0].trigger)
    for subscriber_loop, sbr in _subscribers(ctx):
        patients = subscriber_loop.loops("2000C")
        recorded = firsts.pop(id(subscriber_loop.trigger), None)
        if sbr.get(2) == "18" and patients:
            first = recorded if type(patients[0]) is Detached else patients[0].trigger
            assert first is not None
            message = "SBR02 is 18 (the patient is the subscriber), so loop 2000C (patient) must not be sent"
            yield ctx.issue("error", 4, "snip4.patient_loop", message, first, "2000C")
        elif sbr.get(2) != "18" and not patients and subscriber_loop.loops("2300"):
            message = "SBR02 is not 18 (the patient is not the subscriber), so claims belong in a 2000C patient loop"
            yield ctx.issue("error", 4, "snip4.patient_loop", message, sbr, subscriber_loop, "SBR02")


@rule(4, guides=CLAIMS)
def other_payer(ctx: Context) -> Iterator[Issue]:
    """When the payer is not primary (SBR01 not P or U), each claim names the other payer(s) in loop 2320."""
    for subscriber, sbr in _subscribers(ctx):
        yield from _without_other_payer(ctx, sbr, iter_loops(subscriber, "2300"))
    holder = ctx.holder("2000B")  # a claim read as a piece of its own: its subscriber level is still open
    held = next((i for i in holder.items if type(i) is Segment and i.id == "SBR"), None) if holder else None
    if held is not None:
        yield from _without_other_payer(ctx, held, ctx.index.loops("2300"))


def _without_other_payer(ctx: Context, sbr: Segment, claims: Iterable[Loop]) -> Iterator[Issue]:
    if sbr.get(1) in ("P", "U", ""):
        return
    for claim in claims:
        if not claim.loops("2320"):
            clm = claim.trigger
            message = f"SBR01 is {sbr.get(1)} (not primary), so the claim needs loop 2320 for the prior payer(s)"
            yield ctx.issue("error", 4, "snip4.other_payer", message, clm, claim, claim=clm.get(1))


@rule(4, guides=CLAIMS, within="2300")
def service_dates(ctx: Context) -> Iterator[Issue]:
    """Every service line has a date of service, on the line (DTP*472) or on the claim."""
    transaction = ctx.transaction
    if transaction is None or transaction.guide is None:
        return
    qualifiers = claim_guide(transaction.guide.id).service_date_qualifiers
    # 837D: a predetermination (CLM19 PB) plans services that have no date yet, and the guide's own examples
    # leave dates out of other dental claims too: a warning there, nothing for a predetermination.
    severity: Severity = "warning" if transaction.guide.id == DENTAL else "error"
    for claim in ctx.index.loops("2300"):
        if any(claim.find("DTP", q) for q in qualifiers) or _predetermination(transaction.guide.id, claim):
            continue
        for line in ctx.index.lines(claim):
            if line.find("DTP", "472") is None:
                message = f"service line {line.trigger.get(1)} has no date of service (DTP*472) and the claim has none"
                yield ctx.issue(
                    severity, 4, "snip4.service_date", message, line.trigger, line, claim=claim.trigger.get(1)
                )


def _predetermination(guide: str, claim: Loop) -> bool:
    """An 837D predetermination of benefits (CLM19 ``PB``): its planned services carry no date, as the guide allows."""
    return guide == DENTAL and claim.trigger.get(19) == "PB"


@rule(4, guides=CLAIMS)
def hierarchy(ctx: Context) -> Iterator[Issue]:
    """HL01 counts 1, 2, 3 ...; HL02 names the parent HL; HL04 says whether child HLs follow."""
    root = ctx.root
    if root is None:
        return
    for holder in ctx.path[1:]:
        if holder.trigger.id == "HL":
            _due(ctx, holder.trigger)  # the levels holding the piece opened before it
    if root.trigger.id != "HL":
        yield from _hl_walk(ctx, root.loops(), "")
        return
    parent = ctx.path[-1].trigger if ctx.path else None
    yield from _hl_walk(ctx, [root], parent.get(1) if parent is not None and parent.id == "HL" else "")


def _due(ctx: Context, hl: Segment) -> int:
    """The HL01 due to a level: levels are numbered in the order their HL segments come."""
    numbers: dict[int, int] = ctx.state.setdefault("hl_numbers", {})  # HL of a level seen, not yet checked -> HL01
    due = numbers.get(id(hl))
    if due is None:
        due = numbers[id(hl)] = ctx.state.get("hl_next", 1)
        ctx.state["hl_next"] = due + 1
    return due


def _is_level(loop: Loop) -> bool:
    return loop.level if type(loop) is Detached else loop.trigger.id == "HL"


def _hl_walk(ctx: Context, children: list[Loop], parent: str) -> Iterator[Issue]:
    for child in children:
        if type(child) is Detached:
            continue
        hl = child.trigger
        if hl.id != "HL":
            continue
        due = _due(ctx, hl)
        del ctx.state["hl_numbers"][id(hl)]
        if hl.get(1) != str(due):
            message = f"HL01 is {hl.get(1)!r}, expected {due} (HL01 counts 1, 2, 3 ... in the transaction)"
            yield ctx.issue("error", 4, "snip4.hl_number", message, hl, child, "HL01")
        if hl.get(2) != parent:
            expected = f"the parent's HL01 {parent!r}" if parent else "empty (top level)"
            message = f"HL02 is {hl.get(2)!r}, expected {expected}"
            yield ctx.issue("error", 4, "snip4.hl_parent", message, hl, child, "HL02")
        grandchildren = child.loops()
        has_children = any(_is_level(c) for c in grandchildren)
        flag = hl.get(4)
        if flag and flag != ("1" if has_children else "0"):
            message = f"HL04 is {flag!r} but the level {'has' if has_children else 'has no'} child levels"
            yield ctx.issue("error", 4, "snip4.hl_child_flag", message, hl, child, "HL04")
        yield from _hl_walk(ctx, grandchildren, hl.get(1))


@rule(4, guides=CLAIMS, within="2300")
def replacement_claim(ctx: Context) -> Iterator[Issue]:
    """A replacement or void (CLM05-3 7 or 8) carries the payer's claim number in REF*F8."""
    transaction = ctx.transaction
    if transaction is None:
        return
    for claim in ctx.index.loops("2300"):
        clm = claim.trigger
        frequency = clm.get(5, 3)
        if frequency in ("7", "8") and claim.find("REF", "F8") is None:
            message = (
                f"CLM05-3 is {frequency} (replacement or void), so REF*F8 (payer claim control number) is required"
            )
            yield ctx.issue("error", 4, "snip4.original_reference", message, clm, claim, "CLM05-3", claim=clm.get(1))


@rule(4, guides=CLAIMS, within="2300")
def provider_roles(ctx: Context) -> Iterator[Issue]:
    """The supervising provider is not the rendering one; a line rendering provider differs from the claim's."""
    transaction = ctx.transaction
    if transaction is None or transaction.guide is None:
        return
    guide = claim_guide(transaction.guide.id)
    for claim in ctx.index.loops("2300"):
        pcn = claim.trigger.get(1)
        rendering = _npi(_first(claim, guide.rendering_loop))
        if guide.supervising_loop:
            supervising_loop = _first(claim, guide.supervising_loop)
            if supervising_loop and rendering and _npi(supervising_loop) == rendering:
                message = (
                    f"the supervising provider ({supervising_loop.id}) has the rendering provider's ID {rendering}"
                )
                yield ctx.issue(
                    "error",
                    4,
                    "snip4.supervising_provider",
                    message,
                    supervising_loop.trigger,
                    supervising_loop,
                    "NM109",
                    claim=pcn,
                )
        for line in ctx.index.lines(claim):
            line_loop = _first(line, guide.line_rendering_loop)
            if line_loop and rendering and _npi(line_loop) == rendering:
                message = (
                    f"line rendering provider ({line_loop.id}) repeats the claim rendering provider {rendering};"
                    " send it only when it differs"
                )
                yield ctx.issue(
                    "warning",
                    4,
                    "snip4.line_rendering_provider",
                    message,
                    line_loop.trigger,
                    line_loop,
                    "NM109",
                    claim=pcn,
                )
