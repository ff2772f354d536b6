"""Reconciler cases over several payers and several remittances: COB order, superseding, reversal order, excess."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from edi.cli import app
from edi.reconcile import Reconciliation, reconcile
from edi.reconcile.ledger import ClaimResult

DATA = Path(__file__).parent / "data" / "reconcile"


def run(claims: list[str], remits: list[str]) -> Reconciliation:
    return reconcile([DATA / name for name in claims], [DATA / name for name in remits])


def only(result: Reconciliation) -> ClaimResult:
    (claim,) = result.claims
    return claim


def test_a_secondary_denial_after_a_primary_payment_leaves_the_secondary_share() -> None:
    claim = only(run(["cob-denial.837"], ["cob-denial-primary.835", "cob-denial-secondary.835"]))
    assert [(e.kind, e.level) for e in claim.entries] == [("original", 1), ("denial", 2)]
    assert claim.paid == Decimal("80")
    assert claim.share is not None and claim.share.total == Decimal("60")
    assert not any("exceeds" in note for note in claim.notes)


def test_the_secondary_is_recognised_by_its_ref_2u_and_by_name_whatever_the_file_order() -> None:
    claim = only(run(["cob-denial.837"], ["cob-denial-secondary.835", "cob-denial-primary.835"]))
    assert claim.share is not None and claim.share.total == Decimal("60")
    assert claim.payer_claim_control_number == "SEC-7001"


def test_a_claim_whose_amounts_exceed_the_bill_is_flagged() -> None:
    claim = only(run(["cob-denial-single.837"], ["cob-denial-primary.835", "cob-denial-secondary.835"]))
    assert claim.share is not None and claim.share.total == Decimal("120")
    assert any("= 260 exceeds the billed 200" in note for note in claim.notes)


def test_an_appeal_paid_without_a_reversal_supersedes_the_denial() -> None:
    claim = only(run(["appeal.837"], ["appeal-denial.835", "appeal-paid.835"]))
    assert claim.paid == Decimal("160")
    assert claim.share is not None and claim.share.total == Decimal("0")
    assert claim.status == "paid"
    assert claim.payer_claim_control_number == "ICN-8001A"
    assert any("supersedes" in note and "no reversal" in note for note in claim.notes)


def test_a_denial_alone_stays_denied_with_the_patient_share() -> None:
    claim = only(run(["appeal.837"], ["appeal-denial.835"]))
    assert claim.status == "denied"
    assert claim.share is not None and claim.share.total == Decimal("210")
    assert not any("supersedes" in note for note in claim.notes)


def test_a_correction_listed_before_its_reversal_is_still_a_correction() -> None:
    swapped = only(run(["reversal.837"], ["reversal-1.835", "correction-first.835"]))
    ordered = only(run(["reversal.837"], ["reversal-1.835", "reversal-2.835"]))
    assert swapped.status == ordered.status == "reversed_and_corrected"
    assert [e.kind for e in swapped.entries] == ["original", "reversal", "correction"]
    assert (swapped.paid, swapped.share) == (ordered.paid, ordered.share)


def test_an_open_claim_has_a_null_payer_claim_control_number_in_json_and_an_empty_csv_cell() -> None:
    runner = CliRunner()
    args = ["reconcile", "--claims", str(DATA / "reversal.837"), "--remit", str(DATA / "reversal-only.835")]
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    (claim,) = data["claims"]
    assert (claim["status"], claim["payer_claim_control_number"]) == ("open", None)
    rows = runner.invoke(app, [*args, "--csv"]).stdout.splitlines()[1:]
    assert rows and all(row.split(",")[1:3] == ["open", ""] for row in rows)
