"""The ledger's reconciliation read back a chunk of claims at a time, for writers that stream it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from sqlalchemy import Connection, select

from edi.ledger import schema as t
from edi.ledger.facts import loads
from edi.ledger.refresh import CHUNK, results
from edi.reconcile import SkippedFile, payments
from edi.reconcile.extract import ClaimPayment, ProviderAdjustment, Remittance
from edi.reconcile.ledger import ClaimResult


class StreamedReconciliation:
    """What `Reconciliation` holds, with the claims and the unmatched CLPs read from the ledger as they are wanted.

    The remittance headers (payment, payer, provider adjustments; not their claims) are read at once.
    """

    def __init__(self, connection: Connection, skipped: Sequence[SkippedFile] = ()) -> None:
        self.connection = connection
        r = t.remittances.c
        headers = connection.execute(select(r.facts).order_by(r.sort_key, r.id)).scalars()
        remittances = [loads(Remittance, facts) for facts in headers]
        self.provider_adjustments: tuple[tuple[Remittance, ProviderAdjustment], ...] = tuple(
            (remittance, a) for remittance in remittances for a in remittance.provider_adjustments
        )
        self.payments: Decimal = payments(remittances)
        self.skipped_files = tuple(skipped)

    def claims(self) -> Iterator[ClaimResult]:
        """Every claim reconciled, in the order the ledger first saw them."""
        c = t.claims.c
        seen = None
        while True:
            query = select(c.first_seen, c.patient_control_number).order_by(c.first_seen).limit(CHUNK)
            if seen is not None:
                query = query.where(c.first_seen > seen)
            chunk = self.connection.execute(query).all()
            if not chunk:
                return
            seen = chunk[-1][0]
            yield from results(self.connection, [number for _, number in chunk])

    def unmatched(self) -> Iterator[ClaimPayment]:
        """The CLPs that answer no claim, in remittance order."""
        r, cp = t.remittances.c, t.claim_payments.c
        query = (
            select(cp.facts)
            .join(t.remittances, r.id == cp.remittance_id)
            .where(cp.claim_number.is_(None))
            .order_by(r.sort_key, r.id, cp.position)
        )
        for facts in self.connection.execute(query.execution_options(yield_per=CHUNK)).scalars():
            yield loads(ClaimPayment, facts)
