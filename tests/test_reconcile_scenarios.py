"""Reconciliation of hand-made 837/835 pairs: amounts, patient share by type, status and history."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from edi.reconcile import Reconciliation, reconcile
from edi.reconcile.ledger import ClaimResult
from edi.x12.reader import read_document

DATA = Path(__file__).parent / "data" / "reconcile"


def run(claims: list[str], remits: list[str]) -> Reconciliation:
    return reconcile([DATA / name for name in claims], [DATA / name for name in remits])


def claim(result: Reconciliation, number: str) -> ClaimResult:
    return next(c for c in result.claims if c.patient_control_number == number)


def amounts(result: ClaimResult) -> tuple[Decimal | None, Decimal | None, dict[str, Decimal] | None, str]:
    share = result.share.by_type() if result.share else None
    return result.paid, result.share.total if result.share else None, share, result.status


def shares(deductible: str = "0", coinsurance: str = "0", copay: str = "0", other: str = "0") -> dict[str, Decimal]:
    return {
        "deductible": Decimal(deductible),
        "coinsurance": Decimal(coinsurance),
        "copay": Decimal(copay),
        "other": Decimal(other),
    }


@pytest.fixture(scope="module")
def office() -> Reconciliation:
    return run(["office.837"], ["office.835"])


def test_paid_claim_splits_patient_share_into_deductible_coinsurance_and_copay(office: Reconciliation) -> None:
    result = claim(office, "PCN-1101")
    assert result.billed == Decimal("200")
    assert amounts(result) == (Decimal("95"), Decimal("60"), shares("30", "10", "20"), "paid")
    assert [(line.paid, line.patient_responsibility) for line in result.lines] == [
        (Decimal("50"), Decimal("30")),
        (Decimal("20"), Decimal("10")),
        (Decimal("25"), Decimal("20")),
    ]


def test_a_line_denied_for_a_non_patient_reason_makes_the_claim_partially_paid(office: Reconciliation) -> None:
    result = claim(office, "PCN-1102")
    assert amounts(result) == (Decimal("100"), Decimal("20"), shares(coinsurance="20"), "partially_paid")
    assert result.lines[1].paid == Decimal("0")


def test_a_denied_claim_is_denied_with_nothing_paid(office: Reconciliation) -> None:
    result = claim(office, "PCN-1103")
    assert result.billed == Decimal("200")
    assert amounts(result) == (Decimal("0"), Decimal("0"), shares(), "denied")
    assert [e.kind for e in result.entries] == ["denial"]
    assert result.lines[0].paid is None


def test_sample_office_visits_reconcile_to_the_payment() -> None:
    root = Path(__file__).parents[1] / "samples"
    result = reconcile([root / "837p-office-visits.x12"], [root / "835-office-visits.x12"])
    assert [c.status for c in result.claims] == ["paid", "paid", "paid"]
    assert result.totals.paid == result.totals.payments == Decimal("406.25")
    assert result.totals.patient_responsibility == Decimal("138.75")


@pytest.fixture(scope="module")
def batch() -> Reconciliation:
    return run(["batch.837"], ["batch-1.835", "batch-2.835"])


def test_claims_over_two_remittances_leave_one_open(batch: Reconciliation) -> None:
    assert batch.open_claims == ("PCN-2004",)
    assert claim(batch, "PCN-2004").status == "open"
    assert claim(batch, "PCN-2004").paid is None
    assert amounts(claim(batch, "PCN-2001")) == (Decimal("65"), Decimal("25"), shares(copay="25"), "paid")
    assert amounts(claim(batch, "PCN-2002")) == (Decimal("0"), Decimal("60"), shares(deductible="60"), "paid")
    assert amounts(claim(batch, "PCN-2003")) == (Decimal("108"), Decimal("24"), shares(coinsurance="24"), "paid")
    assert [e.remittance.trace_number for e in claim(batch, "PCN-2003").entries] == ["EFT-BATCH-2"]


def test_unknown_and_near_miss_clp01_stay_unmatched(batch: Reconciliation) -> None:
    assert batch.unmatched_remittance_claims == ("PCN-9999", "PCN-2OO4")
    assert batch.totals.unmatched_paid == Decimal("160")


def test_a_clp01_cut_to_20_characters_matches_and_says_so(batch: Reconciliation) -> None:
    result = claim(batch, "PCN-2005-LONGACCOUNT-XY")
    assert amounts(result) == (Decimal("40"), Decimal("0"), shares(), "paid")
    assert any("first 20 characters" in note for note in result.notes)


def test_provider_adjustments_are_listed_and_leave_patient_shares_alone(batch: Reconciliation) -> None:
    assert [(a.reason, a.reference, a.amount) for _, a in batch.provider_adjustments] == [
        ("WO", "ICN-1999", Decimal("35")),
        ("L6", "", Decimal("-2.5")),
        ("FB", "ADV-7", Decimal("-10")),
    ]
    totals = batch.totals
    assert totals.provider_adjustments == Decimal("22.5")
    assert totals.payments == totals.paid + totals.unmatched_paid - totals.provider_adjustments
    assert totals.patient_responsibility == Decimal("109")


def test_reversal_then_correction_nets_to_the_correction() -> None:
    result = claim(run(["reversal.837"], ["reversal-1.835", "reversal-2.835"]), "PCN-3001")
    assert [e.kind for e in result.entries] == ["original", "reversal", "correction"]
    assert result.entries[1].reverses == 0
    assert amounts(result) == (Decimal("107"), Decimal("83"), shares("50", "18", "15"), "reversed_and_corrected")
    assert [(line.paid, line.patient_responsibility) for line in result.lines] == [
        (Decimal("72"), Decimal("68")),
        (Decimal("35"), Decimal("15")),
    ]
    assert result.payer_claim_control_number == "ICN-3001B"


def test_reversal_without_correction_cancels_the_payment_and_leaves_the_claim_open() -> None:
    original = claim(run(["reversal.837"], ["reversal-1.835"]), "PCN-3001")
    assert amounts(original) == (Decimal("162"), Decimal("28"), shares(coinsurance="28"), "paid")
    result = claim(run(["reversal.837"], ["reversal-1.835", "reversal-only.835"]), "PCN-3001")
    assert [e.kind for e in result.entries] == ["original", "reversal"]
    assert amounts(result) == (Decimal("0"), Decimal("0"), shares(), "open")
    assert any("no adjudication stands" in note for note in result.notes)


@pytest.fixture(scope="module")
def cob() -> Reconciliation:
    return run(["cob.837"], ["cob-primary.835", "cob-secondary.835"])


def test_secondary_payer_pays_on_top_and_its_patient_share_is_final(cob: Reconciliation) -> None:
    result = claim(cob, "PCN-4001")
    assert [e.kind for e in result.entries] == ["original", "secondary"]
    assert amounts(result) == (Decimal("290"), Decimal("20"), shares(coinsurance="20"), "paid")
    assert [(line.paid, line.patient_responsibility) for line in result.lines] == [
        (Decimal("220"), Decimal("20")),
        (Decimal("70"), Decimal("0")),
    ]


def test_primary_alone_gives_the_primary_patient_share() -> None:
    result = claim(run(["cob.837"], ["cob-primary.835"]), "PCN-4001")
    assert amounts(result) == (Decimal("168"), Decimal("142"), shares("100", "42"), "paid")


def test_crossover_is_forwarded_with_a_provisional_patient_share(cob: Reconciliation) -> None:
    result = claim(cob, "PCN-4002")
    assert [e.kind for e in result.entries] == ["crossover"]
    assert amounts(result) == (Decimal("68"), Decimal("17"), shares(coinsurance="17"), "paid")
    assert any("STATE MEDIGAP PLAN" in note and "provisional" in note for note in result.notes)


@pytest.fixture(scope="module")
def lines() -> Reconciliation:
    return run(["lines.837"], ["lines.835"])


def test_lines_returned_reordered_and_split_match_by_line_control_number(lines: Reconciliation) -> None:
    result = claim(lines, "PCN-5001")
    assert [(line.line_control_number, line.paid, line.patient_responsibility) for line in result.lines] == [
        ("A1", Decimal("45"), Decimal("30")),
        ("A2", Decimal("90"), Decimal("0")),
        ("A3", Decimal("68"), Decimal("0")),
        ("A4", Decimal("50"), Decimal("10")),
    ]
    assert amounts(result) == (Decimal("253"), Decimal("40"), shares(deductible="30", copay="10"), "paid")
    assert any("line 2 was split into 2 services" in note for note in result.notes)


def test_bundled_lines_get_zero_and_the_bundle_goes_to_the_line_svc06_names(lines: Reconciliation) -> None:
    result = claim(lines, "PCN-5002")
    assert [line.paid for line in result.lines] == [Decimal("25"), Decimal("0"), Decimal("0")]
    assert amounts(result) == (Decimal("25"), Decimal("0"), shares(), "paid")
    assert any("line 3 was not reported" in note for note in result.notes)


def test_a_split_without_line_control_number_matches_by_procedure_and_date(lines: Reconciliation) -> None:
    result = claim(lines, "PCN-5003")
    assert [(line.paid, line.patient_responsibility) for line in result.lines] == [(Decimal("144"), Decimal("16"))]
    assert amounts(result) == (Decimal("144"), Decimal("16"), shares(coinsurance="16"), "paid")


def test_inpatient_claim_adjudicated_at_claim_level_keeps_lines_unpriced() -> None:
    result = claim(run(["inpatient.837"], ["inpatient.835"]), "PCN-6001")
    assert result.billed == Decimal("5000")
    assert amounts(result) == (Decimal("1200"), Decimal("1600"), shares(deductible="1600"), "paid")
    assert [(line.procedure, line.paid, line.patient_responsibility) for line in result.lines] == [
        ("0120", None, None),
        ("0250", None, None),
        ("0300/80053", None, None),
    ]


def test_a_claim_whose_only_payment_was_reversed_is_listed_open() -> None:
    result = run(["reversal.837"], ["reversal-1.835", "reversal-only.835"])
    assert result.open_claims == ("PCN-3001",)
    assert result.totals.matched_claims == 1


def edited_office(old: str, new: str) -> Reconciliation:
    text = (DATA / "office.835").read_text(encoding="utf-8")
    assert old in text
    remit = read_document(text.replace(old, new).encode(), file="edited.835")
    return reconcile([DATA / "office.837"], [remit])


def test_clp05_that_disagrees_with_the_pr_adjustments_is_noted() -> None:
    result = claim(edited_office("CLP*PCN-1101*1*200*95*60*", "CLP*PCN-1101*1*200*95*50*"), "PCN-1101")
    assert amounts(result) == (Decimal("95"), Decimal("60"), shares("30", "10", "20"), "paid")
    assert any("CLP05 50 differs from the sum of its PR adjustments 60" in note for note in result.notes)


def test_predetermination_is_not_counted_as_paid() -> None:
    result = claim(edited_office("CLP*PCN-1101*1*", "CLP*PCN-1101*25*"), "PCN-1101")
    assert [e.kind for e in result.entries] == ["predetermination"]
    assert (result.paid, result.status) == (Decimal("0"), "open")


def test_the_same_claims_file_given_twice_is_taken_once() -> None:
    result = run(["office.837", "office.837"], ["office.835"])
    assert [c.patient_control_number for c in result.claims] == ["PCN-1101", "PCN-1102", "PCN-1103"]
    first = claim(result, "PCN-1101")
    assert [e.kind for e in first.entries] == ["original"]
    assert not any("submitted" in note for note in first.notes)
