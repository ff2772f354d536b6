"""The acknowledgments report: every 999 answer and 277CA claim status, and whether it answers anything yet."""

from __future__ import annotations

from sqlalchemy import Connection, exists, or_, select

from edi.guides import CLAIM_KIND
from edi.ledger import schema as t
from edi.ledger.ack_events import KIND_NAMES
from edi.ledger.reports import Column, Report


def acknowledgments(connection: Connection, unmatched_only: bool) -> Report:
    """Each acknowledgment in order; ``matched`` says whether its 837 set (999) or claim (277CA) is in the ledger."""
    a, ts, f = t.acknowledgments.c, t.transaction_sets.c, t.files.c
    answered = t.transaction_sets.alias("answered")
    claim_known = exists().where(t.claims.c.patient_control_number == a.patient_control_number)
    set_known = exists().where(
        answered.c.kind == CLAIM_KIND,
        answered.c.sender == a.submitter,
        answered.c.group_control == a.group_control,
        or_(a.transaction_control == "", answered.c.transaction_control == a.transaction_control),
    )
    matched = or_(claim_known, a.patient_control_number.is_(None) & a.set_kind.in_((CLAIM_KIND, "")) & set_known)
    query = (
        select(ts.kind, f.name, a.ack_date, a.submitter, a.group_control, a.transaction_control)
        .add_columns(a.patient_control_number, a.accepted, a.codes, matched.label("matched"))
        .join(t.transaction_sets, ts.id == a.transaction_set_id)
        .join(t.files, f.id == ts.file_id)
        .order_by(ts.sort_key, ts.id, a.position)
    )
    if unmatched_only:
        query = query.where(~matched)
    report = Report(
        "Unmatched acknowledgments" if unmatched_only else "Acknowledgments",
        (
            Column("kind", "Kind"),
            Column("file", "File"),
            Column("date", "Date"),
            Column("claim", "Claim"),
            Column("answers", "Set answered"),
            Column("outcome", "Outcome"),
            Column("codes", "Codes"),
            Column("matched", "Matched"),
        ),
    )
    for row in connection.execute(query):
        control = f" ST02 {row.transaction_control}" if row.transaction_control else ""
        answers = f"GS06 {row.group_control}{control} from {row.submitter}" if row.group_control is not None else None
        report.rows.append(
            {
                "kind": KIND_NAMES[row.kind],
                "file": row.name,
                "date": row.ack_date.isoformat() if row.ack_date else None,
                "claim": row.patient_control_number,
                "answers": answers,
                "outcome": "accepted" if row.accepted else "rejected",
                "codes": row.codes,
                "matched": "yes" if row.matched else "no",
            }
        )
    report.summary = {"acknowledgments": len(report.rows)}
    return report
