"""The history of one claim across remittances: kinds, net amounts, patient share, status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from edi.reconcile.extract import Adjustment, Claim, ClaimPayment, Remittance, ServicePayment
from edi.reconcile.match import match_services
from edi.reconcile.share import ZERO, Share, clp05_problem, payment_share, share_of

Kind = Literal["original", "reversal", "correction", "secondary", "tertiary", "crossover", "denial", "predetermination"]
Status = Literal["paid", "partially_paid", "denied", "reversed_and_corrected", "open"]
PAYER_LEVELS = {"1": 1, "19": 1, "2": 2, "20": 2, "3": 3, "21": 3}
# SBR01 payer responsibility: primary, secondary, tertiary, then payers four to eleven (A-H).
ORDER_LEVELS = {"P": 1, "S": 2, "T": 3, **{code: 4 + i for i, code in enumerate("ABCDEFGH")}}
NAMED_FILES = 3
# Adjustments that leave a line unpaid without denying it: contractual write-offs, bundling,
# prior payers' impact, and the patient's own deductible, coinsurance and copay.
NOT_DENIALS = {
    ("CO", "45"),
    ("CO", "42"),
    ("CO", "59"),
    ("CO", "97"),
    ("CO", "131"),
    ("CO", "253"),
    ("OA", "23"),
    ("PR", "1"),
    ("PR", "2"),
    ("PR", "3"),
}


@dataclass(slots=True, frozen=True)
class Entry:
    """One CLP applied to a claim: its remittance, its kind and where it sits in the payer chain."""

    remittance: Remittance
    payment: ClaimPayment
    kind: Kind
    level: int
    reverses: int | None
    lines: tuple[int | None, ...]

    @property
    def standing(self) -> bool:
        """Whether the entry is an adjudication (not a reversal or predetermination)."""
        return self.kind not in ("reversal", "predetermination")


@dataclass(slots=True, frozen=True)
class LineResult:
    """One submitted line with what the payers made of it (None: adjudicated at claim level only)."""

    line_number: str
    line_control_number: str
    procedure: str
    billed: Decimal
    paid: Decimal | None
    patient_responsibility: Decimal | None


@dataclass(slots=True, frozen=True)
class ClaimResult:
    """One submitted claim with its remittance history, net amounts and status."""

    patient_control_number: str
    billed: Decimal
    paid: Decimal | None
    share: Share | None
    status: Status
    payer_claim_control_number: str | None
    entries: tuple[Entry, ...]
    lines: tuple[LineResult, ...]
    notes: tuple[str, ...]


def entry_for(claim: Claim, remittance: Remittance, payment: ClaimPayment, history: Sequence[Entry]) -> Entry:
    """Classify ``payment`` against the claim's ``history`` so far and match its services to lines."""
    code = payment.status_code
    default = payer_level(claim, remittance) or PAYER_LEVELS.get(code) or ORDER_LEVELS.get(claim.payer_order, 1)
    lines = tuple(match_services(claim.lines, payment.services))
    if code == "22":
        target = _reversed(payment, history)
        level = history[target].level if target is not None else default
        return Entry(remittance, payment, "reversal", level, target, lines)
    kind: Kind
    if code == "25":
        kind = "predetermination"
    elif history and history[-1].kind == "reversal":
        kind = "correction"
    elif code == "4":
        kind = "denial"
    elif code in ("19", "20", "21") or payment.crossover_payer:
        kind = "crossover"
    elif code == "2":
        kind = "secondary"
    elif code == "3":
        kind = "tertiary"
    else:
        kind = "original"
    return Entry(remittance, payment, kind, default, None, lines)


def payer_level(claim: Claim, remittance: Remittance) -> int | None:
    """The COB place of the claim's payer that sent ``remittance`` (by identifier, else by name), or None."""
    ids = set(remittance.payer_ids)
    name = remittance.payer.strip().upper()
    for payer in claim.payers:
        if (ids and ids & set(payer.ids)) or (name and name == payer.name.strip().upper()):
            return ORDER_LEVELS.get(payer.order)
    return None


def remittance_order(payments: Sequence[tuple[int, int, ClaimPayment]]) -> list[int]:
    """The order to apply one claim's CLPs, given (remittance rank, position, payment) each.

    Remittances go in rank order and CLPs in file order, except that within one remittance a
    reversal comes before the other CLPs of the claim, so a correction listed first still follows it.
    """
    return sorted(
        range(len(payments)),
        key=lambda i: (payments[i][0], payments[i][2].status_code != "22", payments[i][1]),
    )


def _reversed(payment: ClaimPayment, history: Sequence[Entry]) -> int | None:
    """The entry a reversal cancels: the latest standing one, preferring one with the opposite amounts."""
    reversed_already = {e.reverses for e in history}
    open_entries = [i for i, e in enumerate(history) if e.standing and i not in reversed_already]
    exact = [i for i in open_entries if history[i].payment.paid == -payment.paid]
    chosen = exact or open_entries
    return chosen[-1] if chosen else None


def claim_result(number: str, submissions: Sequence[Claim], entries: Sequence[Entry], notes: list[str]) -> ClaimResult:
    """The history, net amounts and status of one claim, from its submissions and its entries in remittance order."""
    claim = submissions[-1]
    if len(submissions) > 1:
        files = list(dict.fromkeys(s.file for s in submissions))
        named = ", ".join(files[:NAMED_FILES]) + (
            f" and {len(files) - NAMED_FILES} more" if len(files) > NAMED_FILES else ""
        )
        notes.append(
            f"submitted {len(submissions)} times in {len(files)} file(s) ({named}); the lines are those of the last"
        )
    if not entries:
        lines = tuple(_line(claim, i, None, None) for i in range(len(claim.lines)))
        return ClaimResult(number, claim.charge, None, None, "open", None, (), lines, tuple(notes))
    reversed_ids = {e.reverses for e in entries if e.reverses is not None}
    superseded = _superseded(entries, reversed_ids)
    standing = [e for i, e in enumerate(entries) if e.standing and i not in reversed_ids | superseded.keys()]
    level = max((e.level for e in standing), default=0)
    chain = [
        e for i, e in enumerate(entries) if e.level == level and e.kind != "predetermination" and i not in superseded
    ]
    counted = [e for e in entries if e.kind != "predetermination"]
    paid = sum((e.payment.paid for e in counted), ZERO)
    share = sum((payment_share(e.payment) for e in chain), Share())
    lines = tuple(
        _line(claim, i, _line_sum(counted, i, _paid), _line_sum(chain, i, _patient)) for i in range(len(claim.lines))
    )
    denied = [i for i, line in enumerate(lines) if line.paid == ZERO and _has_denial(_line_adjustments(standing, i))]
    _explain(claim, entries, standing, chain, notes)
    _explain_superseded(entries, superseded, notes)
    _explain_excess(claim, paid, share, chain, notes)
    status = _status(entries, standing, lines, denied, paid)
    found = next((e.payment.payer_claim_control_number for e in reversed(standing)), "")
    found = found or entries[-1].payment.payer_claim_control_number
    icn = None if status == "open" else found or None
    return ClaimResult(number, claim.charge, paid, share, status, icn, tuple(entries), lines, tuple(notes))


def reconcile_claim(
    number: str, submissions: Sequence[Claim], answers: Sequence[tuple[int, int, Remittance, ClaimPayment]]
) -> ClaimResult:
    """One claim's result from its submissions (oldest first) and every (rank, position, remittance, CLP) answering it.

    ``rank`` orders the remittances and ``position`` the CLPs inside one; see `remittance_order`.
    """
    notes: list[str] = []
    history: list[Entry] = []
    for i in remittance_order([(rank, position, payment) for rank, position, _, payment in answers]):
        _, _, remittance, payment = answers[i]
        if number != payment.patient_control_number:
            notes.append(
                f"{remittance.file} line {payment.line}: CLP01 {payment.patient_control_number!r} "
                f"is the first {len(payment.patient_control_number)} characters of CLM01"
            )
        history.append(entry_for(submissions[-1], remittance, payment, history))
    return claim_result(number, submissions, history, notes)


def denial_adjustments(result: ClaimResult) -> list[tuple[Entry, Adjustment]]:
    """The adjustments that deny part of a denied or partially paid claim, with the adjudication giving each."""
    if result.status not in ("denied", "partially_paid"):
        return []
    reversed_ids = {e.reverses for e in result.entries if e.reverses is not None}
    return [
        (entry, adjustment)
        for i, entry in enumerate(result.entries)
        if entry.standing and i not in reversed_ids
        for adjustment in (*entry.payment.adjustments, *(a for s in entry.payment.services for a in s.adjustments))
        if (adjustment.group, adjustment.reason) not in NOT_DENIALS and adjustment.amount != ZERO
    ]


def _superseded(entries: Sequence[Entry], reversed_ids: set[int]) -> dict[int, int]:
    """Adjudications replaced, without a reversal, by a later one of the same payer in a later remittance.

    Keyed by the index of the replaced entry, with the index of the entry that replaces it.
    """
    found: dict[int, int] = {}
    alive = [i for i, e in enumerate(entries) if e.standing and i not in reversed_ids]
    for position, i in enumerate(alive):
        earlier = entries[i]
        for j in alive[position + 1 :]:
            later = entries[j]
            if (
                later.remittance is not earlier.remittance
                and later.remittance.payer_key == earlier.remittance.payer_key
            ):
                found[i] = j
                break
    return found


def _explain_superseded(entries: Sequence[Entry], superseded: dict[int, int], notes: list[str]) -> None:
    for old, new in superseded.items():
        before, after = entries[old], entries[new]
        notes.append(
            f"{after.remittance.file} line {after.payment.line}: supersedes the adjudication of "
            f"{before.remittance.file} line {before.payment.line} by the same payer, which no reversal cancelled"
        )


def _explain_excess(claim: Claim, paid: Decimal, share: Share, chain: Sequence[Entry], notes: list[str]) -> None:
    """Flag a claim whose paid amount, patient share and the last payer's contractual adjustments exceed the bill."""
    contractual = sum(
        (
            a.amount
            for e in chain
            for a in (*e.payment.adjustments, *(a for s in e.payment.services for a in s.adjustments))
            if a.group == "CO"
        ),
        ZERO,
    )
    total = paid + share.total + contractual
    if total > claim.charge:
        notes.append(
            f"paid {paid} + patient share {share.total} + contractual adjustments {contractual} = {total}"
            f" exceeds the billed {claim.charge}"
        )


def _line(claim: Claim, index: int, paid: Decimal | None, share: Decimal | None) -> LineResult:
    line = claim.lines[index]
    codes = [line.revenue_code] if line.revenue_code else []
    codes += [line.procedure.label()] if line.procedure else []
    procedure = "/".join(codes)
    return LineResult(line.line_number, line.control_number, procedure, line.charge, paid, share)


def _paid(service: ServicePayment) -> Decimal:
    return service.paid


def _patient(service: ServicePayment) -> Decimal:
    return share_of(service.adjustments).total


def _line_sum(entries: Sequence[Entry], index: int, measure: Callable[[ServicePayment], Decimal]) -> Decimal | None:
    """Sum ``measure`` over the services answering line ``index``; None when no entry reported lines."""
    with_lines = [e for e in entries if e.payment.services]
    if not with_lines:
        return None
    return sum(
        (measure(s) for e in with_lines for s, i in zip(e.payment.services, e.lines, strict=True) if i == index), ZERO
    )


def _line_adjustments(entries: Sequence[Entry], index: int) -> list[Adjustment]:
    return [
        a
        for e in entries
        for s, i in zip(e.payment.services, e.lines, strict=True)
        if i == index
        for a in s.adjustments
    ]


def _status(
    entries: Sequence[Entry],
    standing: Sequence[Entry],
    lines: Sequence[LineResult],
    denied: Sequence[int],
    paid: Decimal,
) -> Status:
    if not standing:
        return "open"
    kinds = [e.kind for e in entries]
    if "reversal" in kinds and "correction" in kinds[kinds.index("reversal") :]:
        return "reversed_and_corrected"
    if all(e.payment.status_code == "4" for e in standing):
        return "denied"
    reported = [line for line in lines if line.paid is not None]
    if paid == ZERO and reported and len(denied) == len(reported):
        return "denied"
    if not reported and paid == ZERO and _has_denial([a for e in standing for a in e.payment.adjustments]):
        return "denied"
    return "partially_paid" if denied else "paid"


def _has_denial(adjustments: Sequence[Adjustment]) -> bool:
    return any((a.group, a.reason) not in NOT_DENIALS and a.amount != ZERO for a in adjustments)


def _explain(
    claim: Claim, entries: Sequence[Entry], standing: Sequence[Entry], chain: Sequence[Entry], notes: list[str]
) -> None:
    for entry in entries:
        where = f"{entry.remittance.file} line {entry.payment.line}"
        if entry.kind == "reversal" and entry.reverses is None:
            notes.append(f"{where}: reverses an adjudication that is not in the remittances given")
        if entry.standing:
            problem = clp05_problem(entry.payment)
            if problem:
                notes.append(f"{where}: {problem}")
        _explain_lines(claim, entry, where, notes)
    answered = {i for e in entries for i in e.lines}
    if any(e.payment.services for e in entries):
        for index, line in enumerate(claim.lines):
            if index not in answered:
                notes.append(f"line {line.line_number} was not reported by any payer: taken as bundled, paid 0")
    if not standing:
        notes.append("no adjudication stands: every one was reversed, or only a predetermination was sent")
    last = chain[-1] if chain else None
    if last is not None and last.kind == "crossover":
        payer = last.payment.crossover_payer or "another payer"
        notes.append(f"forwarded to {payer}: the patient share is provisional until that payer's remittance")


def _explain_lines(claim: Claim, entry: Entry, where: str, notes: list[str]) -> None:
    services = entry.payment.services
    if not services:
        return
    for service, index in zip(services, entry.lines, strict=True):
        if index is None:
            procedure = service.procedure.label() if service.procedure else "?"
            notes.append(f"{where}: service {procedure} ({service.paid}) answers no submitted line")
    counts = Counter(i for i in entry.lines if i is not None)
    for index, line in enumerate(claim.lines):
        if counts[index] > 1 and entry.standing:
            notes.append(f"{where}: line {line.line_number} was split into {counts[index]} services")
