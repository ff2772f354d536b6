"""Code ordering rules, run on the 837P sample (and corpus 837I/837D files) with one fault seeded each."""

from __future__ import annotations

import pytest

from tests.test_codes import CLAIM_SAMPLE, corpus_text, findings, located, position_of, seeded

INSTITUTIONAL = "837i/stupidedi__837-institutional-claim.edi"
DENTAL = "837d/stupidedi__claim-multi-quantity-single-line.edi"


def only(text: str, rule_id: str) -> list[tuple[str | None, int | None, str | None]]:
    """Locations of one rule's issues, after checking that no other rule fired."""
    issues = findings(text)
    assert {i.rule for i in issues} <= {rule_id}, [i.rule for i in issues]
    return located(issues, rule_id)


def test_principal_must_come_first() -> None:
    text = seeded(CLAIM_SAMPLE, "HI*ABK:E119*ABF:I10", "HI*ABF:E119*ABF:I10")
    assert only(text, "order.principal_first") == [("HI", 20, "HI01-1")]


def test_principal_only_once() -> None:
    text = seeded(CLAIM_SAMPLE, "HI*ABK:E119*ABF:I10", "HI*ABK:E119*ABK:I10")
    assert only(text, "order.principal_once") == [("HI", 20, "HI02-1")]


def test_other_diagnoses_are_abf() -> None:
    text = seeded(CLAIM_SAMPLE, "ABF:R509", "ABJ:R509")
    assert only(text, "order.other_diagnosis") == [("HI", 49, "HI02-1")]


def test_icd9_after_the_icd10_start() -> None:
    text = seeded(CLAIM_SAMPLE, "HI*ABK:J069", "HI*BK:4659")
    issues = findings(text)
    assert located(issues, "order.icd9_after_cutoff") == [("HI", 30, "HI01-1")]
    assert issues[0].severity == "error" and issues[0].snip is None and issues[0].claim == "PCN-1002"


def test_icd9_before_the_icd10_start() -> None:
    text = seeded(seeded(CLAIM_SAMPLE, "HI*ABK:J069", "HI*BK:4659"), "D8*20260112", "D8*20150930")
    assert findings(text) == []


def test_icd9_and_icd10_mixed() -> None:
    text = seeded(CLAIM_SAMPLE, "ABF:R509", "BF:7806").replace("D8*20260113", "D8*20150901")
    assert only(text, "order.icd_mixed") == [("HI", 49, "HI02-1")]


def test_too_many_diagnoses() -> None:
    codes = "*".join(f"ABF:{code}" for code in ["R509", "R0902", "R070", "R0602", "R0600", "R110", "R112"])
    codes += "*" + "*".join(f"ABF:{code}" for code in ["R197", "R21", "R42", "R519", "R52"])
    issues = findings(seeded(CLAIM_SAMPLE, "HI*ABK:J0390*ABF:R509", f"HI*ABK:J0390*{codes}"))
    assert located(issues, "order.diagnosis_count") == [("HI", 49, "HI13-2")]


@pytest.mark.parametrize(
    ("pointers", "rule_id", "element"),
    [
        ("1:1", "order.pointer_duplicate", "SV107-2"),
        ("1:13", "order.pointer_range", "SV107-2"),
        ("1:0", "order.pointer_range", "SV107-2"),
        ("1:A", "order.pointer_range", "SV107-2"),
        ("1:3", "order.pointer_missing", "SV107-2"),
    ],
)
def test_diagnosis_pointers(pointers: str, rule_id: str, element: str) -> None:
    text = seeded(CLAIM_SAMPLE, "SV1*HC:99214*180*UN*1***1:2", f"SV1*HC:99214*180*UN*1***{pointers}")
    assert only(text, rule_id) == [("SV1", 22, element)]


def test_at_most_four_pointers() -> None:
    diagnoses = "ABK:E119*ABF:I10*ABF:R509*ABF:R0902*ABF:R519"
    text = seeded(CLAIM_SAMPLE, "HI*ABK:E119*ABF:I10", f"HI*{diagnoses}")
    text = seeded(text, "SV1*HC:99214*180*UN*1***1:2", "SV1*HC:99214*180*UN*1***1:2:3:4:5")
    assert only(text, "order.pointer_count") == [("SV1", 22, "SV107-5")]


def test_dental_pointers() -> None:
    text = corpus_text(DENTAL)
    broken = seeded(text, "SV3*AD:D0230*44***I*4", "SV3*AD:D0230*44***I*4*****1:2")
    position = position_of(broken, "SV3*AD:D0230*44***I*4*****1:2")
    assert located(findings(broken), "order.pointer_missing") == [("SV3", position, "SV311-2")]


def test_dental_diagnosis_limit() -> None:
    text = corpus_text(DENTAL)
    broken = seeded(text, "HI*BK:5273", "HI*BK:5273*BF:5274*BF:5275*BF:5276*BF:5277")
    position = position_of(broken, "HI*BK:5273*BF:5274*BF:5275*BF:5276*BF:5277")
    assert located(findings(broken), "order.diagnosis_count") == [("HI", position, "HI05-2")]


def test_manifestation_never_first() -> None:
    text = seeded(CLAIM_SAMPLE, "HI*ABK:J0390*ABF:R509", "HI*ABK:G63*ABF:E538")
    issues = findings(text)
    assert located(issues, "order.manifestation_first") == [("HI", 49, "HI01-2")]
    assert "code first" in issues[0].message


def test_manifestation_after_its_etiology() -> None:
    # G63 follows a deficiency its "code first" note names; with E11.42 it would be excluded (E08-E13 with .42)
    assert findings(seeded(CLAIM_SAMPLE, "HI*ABK:J0390*ABF:R509", "HI*ABK:E538*ABF:G63")) == []


def test_external_cause_never_first() -> None:
    text = seeded(CLAIM_SAMPLE, "HI*ABK:J069", "HI*ABK:W010XXA")
    assert only(text, "order.external_cause_first") == [("HI", 30, "HI01-2")]


def test_external_cause_as_secondary() -> None:
    assert findings(seeded(CLAIM_SAMPLE, "HI*ABK:J069", "HI*ABK:J069*ABF:W010XXA")) == []


def test_excludes1_pair() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "ABF:I10", "ABF:E109"))
    assert located(issues, "order.excludes1") == [("HI", 20, "HI02-2")]
    assert issues[0].severity == "warning" and "E119" in issues[0].message


def test_excludes1_range_with_a_suffix() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "HI*ABK:E119*ABF:I10", "HI*ABK:E1142*ABF:G63"))
    assert located(issues, "order.excludes1") == [("HI", 20, "HI02-2")]


def test_excludes1_pair_the_tabular_allows_for_unrelated_conditions() -> None:
    assert findings(seeded(CLAIM_SAMPLE, "HI*ABK:E119*ABF:I10", "HI*ABK:F458*ABF:G4763")) == []
    assert findings(seeded(CLAIM_SAMPLE, "HI*ABK:E119*ABF:I10", "HI*ABK:G4763*ABF:F458")) == []


def test_sequela_before_its_condition() -> None:
    text = seeded(CLAIM_SAMPLE, "HI*ABK:J069", "HI*ABK:S0181XS*ABF:L905")
    assert only(text, "order.sequela_after_condition") == [
        ("HI", position_of(text, "HI*ABK:S0181XS*ABF:L905"), "HI01-2")
    ]


@pytest.mark.parametrize("codes", ["ABK:L905*ABF:S0181XS*ABF:W19XXXS", "ABK:I10*ABF:S0181XS*ABF:L905"])
def test_sequela_after_a_condition(codes: str) -> None:
    assert findings(seeded(CLAIM_SAMPLE, "HI*ABK:J069", f"HI*{codes}")) == []


def test_first_listed_only_z_code_later() -> None:
    text = seeded(CLAIM_SAMPLE, "ABF:I10", "ABF:Z0000")
    assert only(text, "order.first_listed_only") == [("HI", 20, "HI02-2")]


def test_first_listed_only_exception() -> None:
    assert findings(seeded(CLAIM_SAMPLE, "ABF:I10", "ABF:Z006")) == []


def test_additional_code_first_listed() -> None:
    text = seeded(CLAIM_SAMPLE, "HI*ABK:J069", "HI*ABK:Z370")
    assert only(text, "order.not_first_listed") == [("HI", 30, "HI01-2")]


def test_decimal_point() -> None:
    text = seeded(CLAIM_SAMPLE, "ABK:J069", "ABK:J06.9")
    assert only(text, "order.no_decimal") == [("HI", 30, "HI01-2")]


def test_pricing_modifier_after_informational() -> None:
    text = seeded(CLAIM_SAMPLE, "SV1*HC:99214:25", "SV1*HC:99214:GT:26")
    issues = findings(text)
    assert located(issues, "order.modifier_order") == [("SV1", 53, "SV101-4")]
    assert issues[0].severity == "warning"


def test_pricing_modifier_first() -> None:
    assert findings(seeded(CLAIM_SAMPLE, "SV1*HC:99214:25", "SV1*HC:99214:26:GT")) == []


def test_fifth_modifier() -> None:
    text = seeded(CLAIM_SAMPLE, "SV1*HC:99214:25", "SV1*HC:99214:25:59:GT:95:XU")
    assert only(text, "order.modifier_count") == [("SV1", 53, "SV101-7")]


def test_institutional_modifiers_are_in_sv202() -> None:
    text = corpus_text(INSTITUTIONAL)
    broken = seeded(text, "SV2*0730*HC:93005*", "SV2*0730*HC:93005:GT:26*")
    expected = [("SV2", position_of(broken, "SV2*0730*HC:93005:GT:26*76.54*UN*3"), "SV202-4")]
    assert located(findings(broken), "order.modifier_order") == expected


def test_line_numbers() -> None:
    text = seeded(CLAIM_SAMPLE, "LX*2~\nSV1*HC:82947", "LX*3~\nSV1*HC:82947")
    assert only(text, "order.lx_sequence") == [("LX", 25, "LX01")]


def test_institutional_sequence() -> None:
    text = corpus_text(INSTITUTIONAL)
    broken = seeded(text, "HI*BG:09", "HI*BF:4020")
    expected = [("HI", position_of(broken, "HI*BF:4020"), "HI01-1")]
    assert located(findings(broken), "order.hi_sequence") == expected


def test_institutional_mixed_kinds() -> None:
    text = corpus_text(INSTITUTIONAL)
    broken = seeded(text, "HI*BG:09", "HI*BG:09*BH:A1:D8:19960911")
    expected = [("HI", position_of(broken, "HI*BG:09*BH:A1:D8:19960911"), "HI02-1")]
    assert located(findings(broken), "order.hi_mixed") == expected


def test_institutional_reason_for_visit_limit() -> None:
    text = corpus_text(INSTITUTIONAL)
    visits = "HI*PR:4019*PR:4020*PR:4021*PR:4022"
    broken = seeded(text, "HI*BF:4019*BF:79431", f"{visits}~HI*BF:4019*BF:79431")
    assert located(findings(broken), "order.hi_count") == [("HI", position_of(broken, visits), "HI04-2")]


def test_institutional_sample_has_no_ordering_issues() -> None:
    assert [i for i in findings(corpus_text(INSTITUTIONAL)) if i.rule.startswith("order.")] == []
