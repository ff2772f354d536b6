"""The whole ledger as one `Reconciliation`: what `edi reconcile` and `edi ledger claims` print."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from edi.ledger import schema as t
from edi.ledger.facts import loads
from edi.ledger.refresh import claim_numbers, results
from edi.reconcile import Reconciliation, SkippedFile, totals
from edi.reconcile.extract import ClaimPayment, Remittance
from edi.reconcile.share import ZERO


def reconciliation(connection: Connection, skipped: Sequence[SkippedFile] = ()) -> Reconciliation:
    """Every claim reconciled, the CLPs that answer none, and the provider adjustments, in remittance order."""
    claims = tuple(results(connection, claim_numbers(connection)))
    r, cp = t.remittances.c, t.claim_payments.c
    remittances = [
        loads(Remittance, facts) for facts in connection.execute(select(r.facts).order_by(r.sort_key, r.id)).scalars()
    ]
    query = (
        select(cp.facts)
        .join(t.remittances, r.id == cp.remittance_id)
        .where(cp.claim_number.is_(None))
        .order_by(r.sort_key, r.id, cp.position)
    )
    unmatched = [loads(ClaimPayment, facts) for facts in connection.execute(query).scalars()]
    numbers = [p.patient_control_number for p in unmatched]
    adjustments = tuple((remittance, a) for remittance in remittances for a in remittance.provider_adjustments)
    return Reconciliation(
        claims=claims,
        unmatched_remittance_claims=tuple(numbers),
        open_claims=tuple(c.patient_control_number for c in claims if c.status == "open"),
        provider_adjustments=adjustments,
        skipped_files=tuple(skipped),
        totals=totals(claims, numbers, sum((p.paid for p in unmatched), ZERO), adjustments, remittances),
    )
