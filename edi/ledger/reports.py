"""What a biller asks the ledger: open claims and their aging, a patient's balance, denials, payments, one claim.

Each report is a `Report`: a title, columns, rows of plain values (amounts as decimal strings)
and a few summary values, so one renderer gives a table, JSON or CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import Connection, func, select

from edi.errors import InputError
from edi.ledger import schema as t
from edi.ledger.ack_events import claim_acks
from edi.ledger.facts import loads
from edi.ledger.history import acknowledgments_json, history
from edi.ledger.money import from_cents
from edi.ledger.refresh import results
from edi.reconcile.extract import Claim, ClaimPayment, Remittance
from edi.reconcile.render import amount, claim_json
from edi.reconcile.share import ZERO

Cell = str | int | None
BUCKETS = ("0-30", "31-60", "61-90", "90+")
UNDATED = "undated"
DenialGrouping = Literal["claim", "carc", "payer"]


@dataclass(slots=True, frozen=True)
class Column:
    """A report column: its key in JSON and CSV, its title in tables, and whether it holds amounts or counts."""

    key: str
    title: str
    numeric: bool = False


@dataclass(slots=True)
class Report:
    """A titled table of rows, with summary values shown below it (and at the top level of its JSON).

    ``totals``, when given, is a last row of the table and the ``totals`` object of the JSON.
    """

    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Cell]] = field(default_factory=list)
    summary: dict[str, Cell] = field(default_factory=dict)
    totals: dict[str, Cell] | None = None


def _money(cents: int | None) -> str | None:
    return amount(from_cents(cents))


def open_claims(connection: Connection, as_of: date) -> Report:
    """Every claim no payer has answered (or whose every answer was reversed), oldest first.

    Each with its front-door state: ``accepted``, ``rejected (A7:400)`` (the 277CA or 999 codes;
    such a claim is to be fixed and sent again) or ``none``; the summary counts the rejected.
    """
    c = t.claims.c
    report = Report(
        "Open claims",
        (
            Column("patient_control_number", "Claim"),
            Column("claim_date", "Date"),
            Column("days", "Days", True),
            Column("payer", "Payer"),
            Column("patient_id", "Patient"),
            Column("billed", "Billed", True),
            Column("acknowledgment", "999/277CA"),
        ),
    )
    query = select(c.patient_control_number, c.claim_date, c.payer_name, c.patient_id, c.billed_cents, c.acknowledgment)
    total = rejected = 0
    for number, claim_date, payer, patient, billed, acknowledgment in connection.execute(
        query.where(c.status == "open").order_by(c.claim_date, c.patient_control_number)
    ):
        total += billed
        rejected += (acknowledgment or "").startswith("rejected")
        report.rows.append(
            {
                "patient_control_number": number,
                "claim_date": claim_date.isoformat() if claim_date else None,
                "days": (as_of - claim_date).days if claim_date else None,
                "payer": payer,
                "patient_id": patient,
                "billed": _money(billed),
                "acknowledgment": acknowledgment or "none",
            }
        )
    report.summary = {
        "as_of": as_of.isoformat(),
        "claims": len(report.rows),
        "billed": _money(total),
        "rejected": rejected,
    }
    return report


def bucket_of(claim_date: date | None, as_of: date) -> str:
    """The aging bucket of a claim dated ``claim_date`` at ``as_of``: days 0-30, 31-60, 61-90, then 90+."""
    if claim_date is None:
        return UNDATED
    days = (as_of - claim_date).days
    return BUCKETS[0] if days <= 30 else BUCKETS[1] if days <= 60 else BUCKETS[2] if days <= 90 else BUCKETS[3]


def aging(connection: Connection, as_of: date) -> Report:
    """Open claims per payer in 0-30, 31-60, 61-90 and 90+ days from the claim date: counts and billed amounts.

    The database sums per payer and claim date, walking the (status, payer, date, billed) index
    in its order; the few resulting rows are put in buckets here.
    """
    c = t.claims.c
    query = (
        select(c.payer_name, c.claim_date, func.count(), func.sum(c.billed_cents))
        .where(c.status == "open")
        .group_by(c.payer_name, c.claim_date)
    )
    by_payer: dict[str, dict[str, tuple[int, int]]] = {}
    for payer, claim_date, count, billed in connection.execute(query):
        buckets = by_payer.setdefault(payer, {})
        name = bucket_of(claim_date, as_of)
        before = buckets.get(name, (0, 0))
        buckets[name] = (before[0] + int(count), before[1] + int(billed or 0))
    names = [*BUCKETS, *([UNDATED] if any(UNDATED in b for b in by_payer.values()) else [])]
    columns = [Column("payer", "Payer")]
    for name in names:
        columns += [Column(f"{name} claims", f"{name} #", True), Column(f"{name} billed", name, True)]
    report = Report(
        "Open claims by age", (*columns, Column("claims", "Claims", True), Column("billed", "Billed", True))
    )
    totals: dict[str, tuple[int, int]] = {}
    for payer in sorted(by_payer):
        row: dict[str, Cell] = {"payer": payer}
        for name in names:
            count, billed = by_payer[payer].get(name, (0, 0))
            row[f"{name} claims"], row[f"{name} billed"] = count, _money(billed)
            before = totals.get(name, (0, 0))
            totals[name] = (before[0] + count, before[1] + billed)
        row["claims"] = sum(v[0] for v in by_payer[payer].values())
        row["billed"] = _money(sum(v[1] for v in by_payer[payer].values()))
        report.rows.append(row)
    report.summary = {"as_of": as_of.isoformat()}
    report.totals = {"payer": "Total"}
    for name in names:
        count, billed = totals.get(name, (0, 0))
        report.totals[f"{name} claims"], report.totals[f"{name} billed"] = count, _money(billed)
    report.totals["claims"] = sum(count for count, _ in totals.values())
    report.totals["billed"] = _money(sum(billed for _, billed in totals.values()))
    return report


def patient(connection: Connection, patient_id: str) -> Report:
    """A patient's claims (by subscriber member ID) and what the patient owes on them."""
    c = t.claims.c
    query = (
        select(
            c.patient_control_number,
            c.claim_date,
            c.payer_name,
            c.patient_name,
            c.status,
            c.billed_cents,
            c.paid_cents,
            c.patient_cents,
        )
        .where(c.patient_id == patient_id)
        .order_by(c.claim_date, c.patient_control_number)
    )
    report = Report(
        f"Patient {patient_id}",
        (
            Column("patient_control_number", "Claim"),
            Column("claim_date", "Date"),
            Column("payer", "Payer"),
            Column("status", "Status"),
            Column("billed", "Billed", True),
            Column("paid", "Paid", True),
            Column("patient_responsibility", "Patient owes", True),
        ),
    )
    owed = 0
    name = ""
    for number, claim_date, payer, patient_name, status, billed, paid, share in connection.execute(query):
        owed += share or 0
        name = name or patient_name
        report.rows.append(
            {
                "patient_control_number": number,
                "claim_date": claim_date.isoformat() if claim_date else None,
                "payer": payer,
                "status": status,
                "billed": _money(billed),
                "paid": _money(paid),
                "patient_responsibility": _money(share),
            }
        )
    if not report.rows:
        raise InputError(f"no claim of patient {patient_id!r} in the ledger", file="PATIENT_ID")
    report.summary = {
        "patient_id": patient_id,
        "patient_name": name,
        "claims": len(report.rows),
        "balance": _money(owed),
    }
    return report


def denials(connection: Connection, by: DenialGrouping) -> Report:
    """The adjustments that deny denied and partially paid claims: each, or summed by CARC or by payer."""
    d, c = t.claim_denials.c, t.claims.c
    code = d.group_code + "-" + d.reason
    if by == "claim":
        query = (
            select(d.patient_control_number, c.status, d.payer_name, code, d.amount_cents)
            .join(t.claims, c.patient_control_number == d.patient_control_number)
            .order_by(c.first_seen, d.id)
        )
        report = Report(
            "Denials",
            (
                Column("patient_control_number", "Claim"),
                Column("status", "Status"),
                Column("payer", "Payer"),
                Column("adjustment", "Adjustment"),
                Column("amount", "Amount", True),
            ),
        )
        for number, status, payer, adjustment, cents in connection.execute(query):
            report.rows.append(
                {
                    "patient_control_number": number,
                    "status": status,
                    "payer": payer,
                    "adjustment": adjustment,
                    "amount": _money(cents),
                }
            )
        return report
    key = code if by == "carc" else d.payer_name
    grouped = (
        select(key.label("key"), func.count(func.distinct(d.patient_control_number)), func.sum(d.amount_cents))
        .group_by(key)
        .order_by(func.sum(d.amount_cents).desc(), key)
    )
    title = "Adjustment" if by == "carc" else "Payer"
    report = Report(
        f"Denials by {'CARC' if by == 'carc' else 'payer'}",
        (Column(by, title), Column("claims", "Claims", True), Column("amount", "Amount", True)),
    )
    for value, claims, cents in connection.execute(grouped):
        report.rows.append({by: value, "claims": int(claims), "amount": _money(int(cents or 0))})
    return report


def payments(connection: Connection) -> Report:
    """Each 835 payment (BPR02) against what it paid on claims less its provider adjustments, to match deposits."""
    r, cp = t.remittances.c, t.claim_payments.c
    paid = select(func.coalesce(func.sum(cp.paid_cents), 0)).where(cp.remittance_id == r.id).scalar_subquery()
    count = select(func.count()).where(cp.remittance_id == r.id).scalar_subquery()
    query = select(r.trace_number, r.payer_name, r.payment_date, r.facts, paid, count).order_by(r.sort_key, r.id)
    report = Report(
        "Payments",
        (
            Column("trace_number", "Trace"),
            Column("payer", "Payer"),
            Column("payment_date", "Date"),
            Column("payment", "BPR02", True),
            Column("claims", "Claims", True),
            Column("paid", "Paid on claims", True),
            Column("provider_adjustments", "PLB", True),
            Column("balanced", "Balanced"),
        ),
    )
    for trace, payer, when, facts, paid_cents, claims in connection.execute(query):
        remittance = loads(Remittance, facts)
        plb = sum((a.amount for a in remittance.provider_adjustments), ZERO)
        net = from_cents(int(paid_cents)) or ZERO
        report.rows.append(
            {
                "trace_number": trace,
                "payer": payer,
                "payment_date": when.isoformat() if when else None,
                "payment": amount(remittance.payment),
                "claims": int(claims),
                "paid": amount(net),
                "provider_adjustments": amount(plb),
                "balanced": "yes" if remittance.payment == net - plb else "no",
            }
        )
    return report


def payment(connection: Connection, trace: str) -> Report:
    """One payment (by TRN02): each claim it paid, matched or not, and its provider adjustments."""
    r, cp = t.remittances.c, t.claim_payments.c
    found = connection.execute(select(r.id, r.facts).where(r.trace_number == trace).order_by(r.sort_key)).all()
    if not found:
        raise InputError(f"no payment with trace number {trace!r} in the ledger", file="--trace")
    report = Report(
        f"Payment {trace}",
        (
            Column("payer", "Payer"),
            Column("patient_control_number", "CLP01"),
            Column("claim", "Claim"),
            Column("status_code", "CLP02"),
            Column("charge", "Charge", True),
            Column("paid", "Paid", True),
        ),
    )
    payment_total, paid_total, plb_total = ZERO, ZERO, ZERO
    for remittance_id, facts in found:
        remittance = loads(Remittance, facts)
        payment_total += remittance.payment or ZERO
        query = select(cp.claim_number, cp.facts).where(cp.remittance_id == remittance_id).order_by(cp.position)
        for claim_number, payment_facts in connection.execute(query):
            clp = loads(ClaimPayment, payment_facts)
            paid_total += clp.paid
            report.rows.append(
                {
                    "payer": remittance.payer,
                    "patient_control_number": clp.patient_control_number,
                    "claim": claim_number,
                    "status_code": clp.status_code,
                    "charge": amount(clp.charge),
                    "paid": amount(clp.paid),
                }
            )
        for adjustment in remittance.provider_adjustments:
            plb_total += adjustment.amount
            report.rows.append(
                {
                    "payer": remittance.payer,
                    "patient_control_number": f"PLB {adjustment.reason} {adjustment.reference}".strip(),
                    "claim": None,
                    "status_code": None,
                    "charge": None,
                    "paid": amount(-adjustment.amount),
                }
            )
    report.summary = {
        "payment": amount(payment_total),
        "paid_on_claims": amount(paid_total),
        "provider_adjustments": amount(plb_total),
        "balanced": "yes" if payment_total == paid_total - plb_total else "no",
    }
    return report


def claim_history(connection: Connection, number: str) -> dict[str, Any]:
    """One claim's whole history: each submission, acknowledgment and remittance answer in order, its lines,
    notes, status and front-door state."""
    s, ts, f = t.submissions.c, t.transaction_sets.c, t.files.c
    query = (
        select(s.facts, f.name, ts.sort_key, ts.interchange_control, ts.transaction_control)
        .join(t.transaction_sets, ts.id == s.transaction_set_id)
        .join(t.files, f.id == ts.file_id)
        .where(s.patient_control_number == number)
        .order_by(ts.sort_key, ts.id, s.position)
    )
    submissions = []
    for facts, file, sort_key, interchange, transaction in connection.execute(query):
        claim = loads(Claim, facts)
        submissions.append(
            {
                "date": _sent(sort_key),
                "file": file,
                "interchange_control_number": interchange,
                "transaction_control_number": transaction,
                "billed": amount(claim.charge),
                "frequency": claim.frequency,
                "payers": [{"order": p.order, "name": p.name, "ids": list(p.ids)} for p in claim.payers],
            }
        )
    if not submissions:
        raise InputError(f"no claim {number!r} in the ledger", file="PCN")
    (result,) = results(connection, [number])
    acks = claim_acks(connection, [number])[number]
    return {
        "claim": claim_json(result),
        "submissions": submissions,
        "acknowledgment": acks.state() or "none",
        "acknowledgments": acknowledgments_json(acks, submissions),
        "history": history(submissions, acks, result),
    }


def _sent(sort_key: str) -> str | None:
    """The group date (GS04) that starts a transaction set's order key, as YYYY-MM-DD."""
    day = sort_key[:8]
    return f"{day[:4]}-{day[4:6]}-{day[6:]}" if day.isdigit() and len(day) == 8 else None
