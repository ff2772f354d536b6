"""SNIP 3: amounts that must add up, in 837 claims (lines, COB) and 835 remittances (line, claim, transaction)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from edi.guides import CLAIM_GUIDES, REMITTANCE
from edi.remit.model import Adjustment, ProviderAdjustment, claim_of_loop, header_of_loop
from edi.validate.context import Context, rule
from edi.validate.issue import Issue
from edi.x12.lalr import Detached, Loop
from edi.x12.segment import Segment
from edi.x12.values import x12_decimal

CAS_AMOUNTS = (3, 6, 9, 12, 15, 18)
ZERO = Decimal(0)


def amount(segment: Segment | None, index: int) -> Decimal | None:
    """Element ``index`` as a Decimal, or None when absent or not a number (SNIP 1 reports those)."""
    if segment is None:
        return None
    value = segment.get(index)
    if not value:
        return None
    return x12_decimal(value)


def total(segments: Iterable[Segment], indexes: Iterable[int]) -> Decimal:
    """The sum of the given amount elements over ``segments`` (absent ones count as zero)."""
    positions = tuple(indexes)
    return sum((amount(s, i) or ZERO for s in segments for i in positions), ZERO)


def iter_loops(loop: Loop, loop_id: str) -> Iterator[Loop]:
    """Every loop with ``loop_id`` below ``loop`` (not inside another loop with that ID), in file order.

    `Detached` markers are left out: the loops they stand for were checked as pieces of their own.
    """
    for child in loop.items:
        if isinstance(child, Segment) or type(child) is Detached:
            continue
        if child.id == loop_id:
            yield child
        else:
            yield from iter_loops(child, loop_id)


def _claim_charges(ctx: Context) -> Iterator[tuple[Loop, tuple[str, int]]]:
    """Each 2300 claim loop with the segment and element of its line charges."""
    transaction = ctx.transaction
    if transaction is None or transaction.guide is None:
        return
    line_charge = (transaction.guide.service_segment, transaction.guide.charge)
    for claim in ctx.index.loops("2300"):
        yield claim, line_charge


@rule(3, guides=CLAIM_GUIDES, within="2300")
def claim_charge(ctx: Context) -> Iterator[Issue]:
    """CLM02 equals the sum of the service line charges."""
    for claim in ctx.index.claim_models:
        clm, lines = claim.clm, claim.lines
        charge = amount(clm, 2)
        if charge is None or not lines:
            continue
        seg_id, index = claim.guide.service_segment, claim.guide.charge
        summed = total((s for line in lines if (s := line.service) is not None), (index,))
        if summed != charge:
            message = f"CLM02 {charge} does not equal the sum of the line charges {seg_id}{index:02d} {summed}"
            yield ctx.issue("error", 3, "snip3.claim_charge", message, clm, claim.loop, "CLM02", claim=clm.get(1))


def _payer_id(other: Loop) -> str:
    payer = next(iter(other.loops("2330B")), None)
    name = payer.find("NM1", "PR") if payer else None
    return name.get(9) if name else ""


@rule(3, guides=CLAIM_GUIDES, within="2300")
def cob_balance(ctx: Context) -> Iterator[Issue]:
    """Per other payer: CLM02 = AMT*D + 2320 CAS + 2430 CAS, and each line charge = SVD02 + 2430 CAS."""
    for claim, (seg_id, index) in _claim_charges(ctx):
        others = claim.loops("2320")
        if not others:
            continue
        clm = claim.trigger
        charge = amount(clm, 2)
        lines = ctx.index.lines(claim)
        for other in others:
            payer = _payer_id(other)
            adjudications = [(line, [a for a in line.loops("2430") if a.trigger.get(1) == payer]) for line in lines]
            if not any(found for _, found in adjudications):
                continue
            line_cas = ZERO
            for line, found in adjudications:
                service = line.find(seg_id)
                cas = total((s for a in found for s in a.find_all("CAS")), CAS_AMOUNTS)
                line_cas += cas
                paid = total((a.trigger for a in found), (2,))
                charged = amount(service, index)
                if found and service is not None and charged is not None and charged != paid + cas:
                    message = (
                        f"{seg_id}{index:02d} {charged} does not equal payer {payer} line paid SVD02 {paid}"
                        f" + line adjustments CAS {cas}"
                    )
                    yield ctx.issue(
                        "error", 3, "snip3.cob_line", message, service, line, f"{seg_id}{index:02d}", claim=clm.get(1)
                    )
            paid_claim = amount(other.find("AMT", "D"), 2) or ZERO
            claim_cas = total(other.find_all("CAS"), CAS_AMOUNTS)
            if charge is not None and charge != paid_claim + claim_cas + line_cas:
                message = (
                    f"CLM02 {charge} does not equal payer {payer} paid AMT*D {paid_claim} + claim adjustments"
                    f" {claim_cas} + line adjustments {line_cas}"
                )
                yield ctx.issue("error", 3, "snip3.cob_claim", message, clm, claim, "CLM02", claim=clm.get(1))


@rule(3, guides=(REMITTANCE,))
def remittance_balance(ctx: Context) -> Iterator[Issue]:
    """SVC02 - CAS = SVC03 per line, CLP03 - CAS = CLP04 per claim, CLP05 = PR adjustments, BPR02 = CLP04 - PLB."""
    transaction = ctx.transaction
    if transaction is None:
        return
    paid_total: Decimal = ctx.state.get("claim_payments", ZERO)
    for loop in ctx.index.loops("2100"):
        claim = claim_of_loop(loop)
        clp, pcn = claim.clp, claim.patient_control_number
        line_adjusted = line_responsibility = ZERO
        for line in claim.lines:
            cas = line.adjustments
            adjusted = _sum(cas)
            line_adjusted += adjusted
            line_responsibility += _sum(a for a in cas if a.group == "PR")
            charge, paid = line.charge, line.paid
            if charge is not None and paid is not None and charge - adjusted != paid:
                message = f"SVC03 {paid} does not equal SVC02 {charge} - line adjustments {adjusted}"
                yield ctx.issue("error", 3, "snip3.line_payment", message, line.svc, "2110", "SVC03", claim=pcn)
        claim_cas = claim.adjustments
        charge, paid = claim.charge, claim.paid
        adjusted = _sum(claim_cas) + line_adjusted
        if charge is not None and paid is not None and charge - adjusted != paid:
            message = f"CLP04 {paid} does not equal CLP03 {charge} - claim and line adjustments {adjusted}"
            yield ctx.issue("error", 3, "snip3.claim_payment", message, clp, "2100", "CLP04", claim=pcn)
        patient = claim.patient_responsibility or ZERO
        responsibility = _sum(a for a in claim_cas if a.group == "PR") + line_responsibility
        if claim.status_code != "22" and patient != responsibility:
            message = f"CLP05 {patient} does not equal the patient responsibility (PR) adjustments {responsibility}"
            yield ctx.issue("error", 3, "snip3.patient_responsibility", message, clp, "2100", "CLP05", claim=pcn)
        paid_total += paid or ZERO
    ctx.state["claim_payments"] = paid_total
    if not ctx.last:
        return
    header = header_of_loop(transaction.root)
    bpr, payment = header.bpr, header.payment
    if bpr is None or payment is None:
        return
    provider_adjustments = _sum(header.provider_adjustments)
    if payment != paid_total - provider_adjustments:
        message = (
            f"BPR02 {payment} does not equal the claim payments CLP04 {paid_total}"
            f" - provider adjustments PLB {provider_adjustments}"
        )
        yield ctx.issue("error", 3, "snip3.transaction_payment", message, bpr, None, "BPR02")


def _sum(adjustments: Iterable[Adjustment | ProviderAdjustment]) -> Decimal:
    """The sum of the adjustments' amounts (absent or unreadable ones count as zero: SNIP 1 reports those)."""
    return sum((a.amount or ZERO for a in adjustments), ZERO)
