"""The bundled samples tell one story: claims JSON -> 837 -> validation -> 835s -> reconciliation."""

from __future__ import annotations

import json
from decimal import Decimal

from edi.claims.build import build_837
from edi.reconcile import reconcile
from edi.validate.runner import validate_file
from tests.conftest import SAMPLES


def test_claims_json_builds_the_sample_837_exactly() -> None:
    data = json.loads((SAMPLES / "837p-office-visits.json").read_text(encoding="utf-8"))
    built = build_837(data, "837p-office-visits.json")
    assert built == (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")


def test_every_sample_x12_validates_without_errors() -> None:
    for path in sorted(SAMPLES.glob("*.x12")):
        _, issues = validate_file(path)
        assert [f"{i.rule} {i.segment_id} {i.message}" for i in issues if i.severity == "error"] == [], path.name


def test_payment_then_reversal_and_correction_reconcile() -> None:
    result = reconcile(
        [SAMPLES / "837p-office-visits.x12"],
        [SAMPLES / "835-office-visits.x12", SAMPLES / "835-office-visits-correction.x12"],
    )
    by_number = {c.patient_control_number: c for c in result.claims}
    corrected = by_number["PCN-1002"]
    assert corrected.status == "reversed_and_corrected"
    assert corrected.paid == Decimal("75")
    assert corrected.share is not None and corrected.share.by_type()["copay"] == Decimal("20")
    assert by_number["PCN-1003"].share is not None
    assert by_number["PCN-1003"].share.by_type()["deductible"] == Decimal("40")
    assert sum(c.paid or 0 for c in result.claims) == Decimal("416.25")
    assert not result.open_claims and not result.unmatched_remittance_claims
