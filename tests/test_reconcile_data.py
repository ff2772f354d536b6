"""The hand-made 837/835 pairs are themselves sound: 837 claims add up, 835s balance."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from edi.reconcile.extract import claims_of, remittances_of
from edi.reconcile.share import clp05_problem
from edi.x12.reader import read_document

DATA = Path(__file__).parent / "data" / "reconcile"
ZERO = Decimal(0)


@pytest.mark.parametrize("path", sorted(DATA.glob("*.837")), ids=lambda p: p.name)
def test_claim_charge_is_the_sum_of_its_lines(path: Path) -> None:
    claims = list(claims_of(read_document(path)))
    assert claims
    for claim in claims:
        assert claim.charge == sum((line.charge for line in claim.lines), ZERO), claim.patient_control_number


@pytest.mark.parametrize("path", sorted(DATA.glob("*.835")), ids=lambda p: p.name)
def test_remittance_balances_at_line_claim_and_transaction(path: Path) -> None:
    document = read_document(path)
    assert not document.warnings
    for remittance in remittances_of(document):
        for payment in remittance.claims:
            for service in payment.services:
                assert service.charge - sum((a.amount for a in service.adjustments), ZERO) == service.paid
            adjusted = sum((a.amount for a in payment.adjustments), ZERO)
            adjusted += sum((a.amount for s in payment.services for a in s.adjustments), ZERO)
            assert payment.charge - adjusted == payment.paid
            if payment.status_code != "22":
                assert clp05_problem(payment) is None
        paid = sum((p.paid for p in remittance.claims), ZERO)
        assert remittance.payment == paid - sum((a.amount for a in remittance.provider_adjustments), ZERO)
