"""SNIP 5 external code rules, run on the samples (and corpus files) with one fault seeded each."""

from __future__ import annotations

import pytest

from edi.errors import EdiError
from edi.validate import codes, ordering
from edi.validate.context import REGISTRY, Context
from edi.validate.issue import Issue
from edi.x12.reader import read_document
from tests.conftest import SAMPLES, CorpusFile, corpus_files, corpus_params

MODULES = {codes.__name__, ordering.__name__}
CLAIM_SAMPLE = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")
REMITTANCE_SAMPLE = (SAMPLES / "835-office-visits.x12").read_text(encoding="utf-8")


def findings(text: str) -> list[Issue]:
    """Every issue that the code and ordering rules find in an X12 text."""
    document = read_document(text.encode())
    issues: list[Issue] = []
    for interchange, group, transaction in document.transactions():
        ctx = Context("test.x12", interchange, group, transaction)
        for registered in REGISTRY:
            guide = transaction.guide.id if transaction.guide else None
            if registered.function.__module__ in MODULES and (registered.guides is None or guide in registered.guides):
                issues.extend(registered.function(ctx))
    return issues


def seeded(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def located(issues: list[Issue], rule_id: str) -> list[tuple[str | None, int | None, str | None]]:
    """(segment ID, position, element) of each issue of one rule."""
    return [(i.segment_id, i.segment_position, i.element) for i in issues if i.rule == rule_id]


def corpus_text(name: str) -> str:
    """A corpus file's text; skips the test when the corpus is not beside the project."""
    rows = [row for row in corpus_files(name.split("/")[0]) if str(row) == name]
    if not rows:
        pytest.skip(f"corpus file not found: {name}")
    return rows[0].path.read_text(encoding="utf-8")


def position_of(text: str, segment_text: str) -> int:
    """The position (ST = 1) of the segment whose text is ``segment_text``."""
    for _, _, transaction in read_document(text.encode()).transactions():
        for segment in transaction.segments():
            if segment.text() == segment_text:
                return segment.position
    raise AssertionError(f"no segment {segment_text!r}")


def test_samples_are_clean() -> None:
    assert findings(CLAIM_SAMPLE) == []
    assert findings(REMITTANCE_SAMPLE) == []


@pytest.mark.parametrize(("npi", "valid"), [("1234567893", True), ("1558598797", True), ("1234567890", False)])
def test_npi_check_digit_vectors(npi: str, valid: bool) -> None:
    assert codes.npi_valid(npi) is valid


@pytest.mark.parametrize("npi", ["123456789", "12345678931", "3234567893", "12345678A3"])
def test_npi_shape(npi: str) -> None:
    assert not codes.npi_valid(npi)


def test_unknown_icd10_code() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "HI*ABK:J069~", "HI*ABK:U999~"))
    assert located(issues, "snip5.icd10_valid") == [("HI", 30, "HI01-2")]
    found = next(i for i in issues if i.rule == "snip5.icd10_valid")
    assert (found.severity, found.snip, found.claim, found.loop) == ("error", 5, "PCN-1002", "2300")


def test_category_with_subcodes_is_not_billable() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "ABF:I10", "ABF:E11"))
    assert located(issues, "snip5.icd10_billable") == [("HI", 20, "HI02-2")]
    assert "E11" in issues[0].message


def test_block_is_not_a_code() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "ABF:I10", "ABF:E08-E13"))
    assert located(issues, "snip5.icd10_valid") == [("HI", 20, "HI02-2")]


def test_dotted_code_is_left_to_the_decimal_rule() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "ABK:J069", "ABK:J06.9"))
    assert [i.rule for i in issues] == ["order.no_decimal"]


def test_npi_with_bad_check_digit() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "XX*1558598797", "XX*1558598798"))
    assert located(issues, "snip5.npi_check_digit") == [("NM1", 50, "NM109")]
    assert issues[0].loop == "2310B"


def test_payee_npi_in_remittance() -> None:
    issues = findings(seeded(REMITTANCE_SAMPLE, "XX*1234567893", "XX*1234567890"))
    assert [(i.rule, i.segment_id, i.element) for i in issues] == [("snip5.npi_check_digit", "N1", "N104")]


def test_unknown_state() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "N4*SPRINGFIELD*IL*627010001", "N4*SPRINGFIELD*ZZ*627010001"))
    assert located(issues, "snip5.state_code") == [("N4", 10, "N402")]


@pytest.mark.parametrize("postal", ["62704000", "6270", "6270A", "627040002X"])
def test_zip_format(postal: str) -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "IL*627040002", f"IL*{postal}"))
    assert located(issues, "snip5.zip_format") == [("N4", 16, "N403")]


def test_foreign_address_is_not_checked_as_us() -> None:
    text = seeded(CLAIM_SAMPLE, "N4*SPRINGFIELD*IL*627040002", "N4*TORONTO*ON*M5V2T6*CA")
    assert findings(text) == []


def test_claim_place_of_service() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "CLM*PCN-1002*120***11:B:1", "CLM*PCN-1002*120***00:B:1"))
    assert located(issues, "snip5.place_of_service") == [("CLM", 29, "CLM05-1")]


def test_line_place_of_service() -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "SV1*HC:82947*65*UN*1***1~", "SV1*HC:82947*65*UN*1*98**1~"))
    assert located(issues, "snip5.place_of_service") == [("SV1", 26, "SV105")]


@pytest.mark.parametrize("frequency", ["5", "0", "78"])
def test_professional_claim_frequency(frequency: str) -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "CLM*PCN-1002*120***11:B:1", f"CLM*PCN-1002*120***11:B:{frequency}"))
    assert located(issues, "snip5.claim_frequency") == [("CLM", 29, "CLM05-3")]


@pytest.mark.parametrize("frequency", ["7", "8"])
def test_replacement_and_void_frequencies(frequency: str) -> None:
    text = seeded(CLAIM_SAMPLE, "CLM*PCN-1002*120***11:B:1", f"CLM*PCN-1002*120***11:B:{frequency}")
    assert located(findings(text), "snip5.claim_frequency") == []


def test_institutional_claim_frequency_is_format_only() -> None:
    text = corpus_text("837i/stupidedi__837-institutional-claim.edi")
    assert located(findings(seeded(text, "14:A:1", "14:A:5")), "snip5.claim_frequency") == []
    broken = seeded(text, "14:A:1", "14:A:15")
    issues = findings(broken)
    assert located(issues, "snip5.claim_frequency") == [
        ("CLM", position_of(broken, "CLM*756048Q*89.93***14:A:15**A*Y*Y"), "CLM05-3")
    ]


def test_remittance_rejects_correction_group() -> None:
    issues = findings(seeded(REMITTANCE_SAMPLE, "CAS*PR*2*40~", "CAS*CR*2*40~"))
    assert [(i.rule, i.segment_id, i.element, i.loop) for i in issues] == [
        ("snip5.adjustment_group", "CAS", "CAS01", "2110")
    ]


def test_claim_adjustment_groups() -> None:
    text = corpus_text("837p/stupidedi__medicare-secondary-payer-COB.edi")
    assert located(findings(seeded(text, "CAS*CO*42*25", "CAS*CR*42*25")), "snip5.adjustment_group") == []
    broken = seeded(text, "CAS*CO*42*25", "CAS*XY*42*25")
    expected = [("CAS", position_of(broken, "CAS*XY*42*25"), "CAS01")]
    assert located(findings(broken), "snip5.adjustment_group") == expected


@pytest.mark.parametrize("code", ["8788", "878800", "AB123", "8788-"])
def test_hcpcs_format(code: str) -> None:
    issues = findings(seeded(CLAIM_SAMPLE, "HC:87880", f"HC:{code}"))
    assert located(issues, "snip5.hcpcs_format") == [("SV1", 57, "SV101-2")]


@pytest.mark.parametrize("code", ["J1234", "0001F", "0591T", "G0008"])
def test_hcpcs_valid_shapes(code: str) -> None:
    assert located(findings(seeded(CLAIM_SAMPLE, "HC:87880", f"HC:{code}")), "snip5.hcpcs_format") == []


def test_remittance_procedure_format() -> None:
    issues = findings(seeded(REMITTANCE_SAMPLE, "SVC*HC:82947", "SVC*HC:8294"))
    assert [(i.rule, i.segment_id, i.element) for i in issues] == [("snip5.hcpcs_format", "SVC", "SVC01-2")]


def test_cdt_format_and_dental_place_of_service() -> None:
    text = corpus_text("837d/stupidedi__commercial-health-insurance.edi")
    assert located(findings(text), "snip5.cdt_format") == located(findings(text), "snip5.place_of_service") == []
    broken = seeded(text, "SV3*AD:D2150*100****1", "SV3*AD:2150*100*98***1")
    issues = findings(broken)
    position = position_of(broken, "SV3*AD:2150*100*98***1")
    assert located(issues, "snip5.cdt_format") == [("SV3", position, "SV301-2")]
    assert located(issues, "snip5.place_of_service") == [("SV3", position, "SV303")]


@pytest.mark.parametrize("row", corpus_params("837p", "837i", "837d", "835"))
def test_rules_locate_every_finding_in_corpus(row: CorpusFile) -> None:
    try:
        issues = findings(row.path.read_bytes().decode("utf-8", errors="replace"))
    except EdiError:
        pytest.skip("the reader rejects this file")
    for issue in issues:
        assert issue.segment_id and issue.segment_position and issue.element, issue
        assert issue.rule.startswith(("snip5.", "order.")) and issue.severity in ("error", "warning")
