"""One seeded fault per rule: each edit of a sample must be reported by its rule, at its segment and element."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from edi.validate.issue import Issue
from edi.validate.runner import validate_document
from edi.x12.document import Document
from edi.x12.reader import read_document
from tests.conftest import REFERENCE, SAMPLES, corpus_files

P837 = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")
R835 = (SAMPLES / "835-office-visits.x12").read_text(encoding="utf-8")
I837 = (SAMPLES / "claims-837i-inpatient.x12").read_text(encoding="utf-8")

# A second payer on claim PCN-1002, with line adjudication (2430) that balances: 120 = 100 paid + 20 adjusted.
COB_CLAIM = (
    "HI*ABK:J069~\n"
    "SBR*S*18*GRP900******CI~\nAMT*D*100~\nOI***Y***Y~\n"
    "NM1*IL*1*DOE*JOHN****MI*W123456789~\nNM1*PR*2*OTHER PLAN*****PI*OTH01~\n"
)
COB_LINE = "REF*6R*L1002-1~\nSVD*OTH01*100*HC:99213**1~\nCAS*CO*45*20~\nDTP*573*D8*20260120~\n"


def with_cob(text: str) -> str:
    """The 837P sample with a balanced second payer on claim PCN-1002."""
    text = text.replace("HI*ABK:J069~\n", COB_CLAIM, 1)
    return text.replace("REF*6R*L1002-1~\n", COB_LINE, 1).replace("SE*60*0001", "SE*68*0001")


def duplicate_transaction(text: str) -> str:
    """The sample with its transaction set repeated in the same group (same ST02)."""
    start, end = text.index("ST*"), text.index("GE*")
    return text[:end] + text[start:end] + text[end:].replace("GE*1*", "GE*2*", 1)


def duplicate_group(text: str) -> str:
    """The sample with its functional group repeated in the same interchange (same GS06)."""
    start, end = text.index("GS*"), text.index("IEA*")
    return text[:end] + text[start:end] + text[end:].replace("IEA*1*", "IEA*2*", 1)


@dataclass(frozen=True)
class Fault:
    """An edit of a sample and where its rule must point."""

    name: str
    text: str
    old: str
    new: str
    rule: str
    target: str  # the reported segment is the first whose text starts with this (after the edit)
    element: str | None
    occurrence: int = 1  # which segment starting with ``target`` (for duplicated text)


FAULTS = [
    # SNIP 1
    Fault("bad date", P837, "BHT*0019*00*BATCH0001*20260115", "BHT*0019*00*BATCH0001*20261315",
          "snip1.element_syntax", "BHT*", "BHT04"),
    # every element whose format qualifier (data element 1250) says D8, RD8, DT or TM is checked as one
    Fault("DMG date", P837, "DMG*D8*19700312*M", "DMG*D8*19611312*M", "snip1.element_syntax", "DMG*D8*19611312",
          "DMG02"),
    Fault("HI D8 date", I837, "HI*BH:11:D8:20260102", "HI*BH:11:D8:20260230", "snip1.element_syntax", "HI*BH",
          "HI01-4"),
    Fault("HI RD8 span", I837, "HI*BI:72:RD8:20260105-20260108", "HI*BI:72:RD8:20260105-2026010",
          "snip1.element_syntax", "HI*BI", "HI01-4"),
    Fault("TM hour", I837, "DTP*096*TM*1100", "DTP*096*TM*2460", "snip1.element_syntax", "DTP*096", "DTP03"),
    Fault("DT date-time", I837, "DTP*435*DT*202601051430", "DTP*435*DT*20260105", "snip1.element_syntax", "DTP*435",
          "DTP03"),
    Fault("too long", P837, "BHT*0019*00*BATCH0001*", "BHT*0019*00*" + "B" * 51 + "*", "snip1.element_syntax", "BHT*",
          "BHT03"),
    Fault("bad character", P837, "N3*100 MAIN STREET", "N3*100 MAIN STR\u00c9ET", "snip1.element_syntax", "N3*100",
          "N301"),
    Fault("too many elements", P837, "N3*100 MAIN STREET~", "N3*100 MAIN STREET*SUITE 1*EXTRA~",
          "snip1.too_many_elements", "N3*100", "N303"),
    Fault("SE02", P837, "SE*60*0001", "SE*60*0002", "snip1.transaction_control_number", "SE*", "SE02"),
    Fault("SE01", P837, "SE*60*0001", "SE*61*0001", "snip1.segment_count", "SE*", "SE01"),
    Fault("ST03", P837, "ST*837*0001*005010X222A1", "ST*837*0001*005010X222A2", "snip1.version_mismatch", "ST*",
          "ST03"),
    Fault("IEA02", P837, "IEA*1*000000101", "IEA*1*000000102", "snip1.interchange_control_number", "IEA*", "IEA02"),
    Fault("IEA01", P837, "IEA*1*000000101", "IEA*2*000000101", "snip1.group_count", "IEA*", "IEA01"),
    Fault("GE02", P837, "GE*1*101", "GE*1*102", "snip1.group_control_number", "GE*", "GE02"),
    Fault("GE01", P837, "GE*1*101", "GE*2*101", "snip1.transaction_count", "GE*", "GE01"),
    Fault("GS04", P837, "*20260115*1030*101*", "*20261315*1030*101*", "snip1.group_field", "GS*", "GS04"),
    Fault("ISA06", P837, "*ZZ*SUBMITTER01    *", "*ZZ*SUBMITTER01*", "snip1.isa_field", "ISA*", "ISA06"),
    Fault("ISA02", P837, "ISA*00*          *", "ISA*00*..........*", "snip1.isa_field", "ISA*", "ISA02"),
    Fault("no envelope", P837[P837.index("ST*") : P837.index("GE*")], "", "", "snip1.missing_envelope", "ST*", None),
    Fault("ST02 twice", duplicate_transaction(R835), "", "", "snip1.duplicate_transaction_control_number", "ST*",
          "ST02", occurrence=2),
    Fault("GS06 twice", duplicate_group(R835), "", "", "snip1.duplicate_group_control_number", "GS*", "GS06",
          occurrence=2),
    # SNIP 2
    Fault("unexpected", P837, "NM1*40*2*ACME HEALTH PLAN*****46*ACME01~", "NM1*40*2*ACME HEALTH PLAN*****46*ACME01~"
          "DMG*D8*19700312*M~", "snip2.unexpected_segment", "DMG*D8*19700312", None),
    Fault("unknown", P837, "PRV*BI*PXC*207Q00000X~", "PRV*BI*PXC*207Q00000X~ZZZ*1~", "snip2.unknown_segment",
          "ZZZ*", None),
    Fault("segment missing", P837, "N4*SPRINGFIELD*IL*627010001~\n", "", "snip2.required_missing", "NM1*85", None),
    Fault("loop missing", P837, "NM1*40*2*ACME HEALTH PLAN*****46*ACME01~\n", "", "snip2.required_missing", "ST*",
          None),
    Fault("max use", P837, "PER*IC*BILLING OFFICE*TE*5555550100*EM*BILLING@EXAMPLE.COM~",
          "PER*IC*A*TE*5555550100~PER*IC*B*TE*5555550101~PER*IC*C*TE*5555550102~", "snip2.segment_max_use",
          "PER*IC*C", None),
    Fault("order", P837, "N3*100 MAIN STREET~\nN4*SPRINGFIELD*IL*627010001~",
          "N4*SPRINGFIELD*IL*627010001~\nN3*100 MAIN STREET~", "snip2.segment_order", "N3*100", None),
    Fault("element missing", P837, "NM1*41*2*RIVERSIDE FAMILY PRACTICE*", "NM1*41*2**", "snip2.element_required",
          "NM1*41", "NM103"),
    Fault("element not used", P837, "NM1*41*2*RIVERSIDE FAMILY PRACTICE*****46",
          "NM1*41*2*RIVERSIDE FAMILY PRACTICE****JR*46", "snip2.element_not_used", "NM1*41", "NM107"),
    Fault("code", P837, "BHT*0019*00*", "BHT*0019*99*", "snip2.element_code", "BHT*", "BHT02"),
    Fault("component code", P837, "SV1*HC:82947", "SV1*ZZ:82947", "snip2.element_code", "SV1*ZZ", "SV101-1"),
    Fault("external code", P837, "N4*SPRINGFIELD*IL*627010001", "N4*SPRINGFIELD*IL*627010001*XQ", "snip2.element_code",
          "N4*SPRINGFIELD*IL*627010001*XQ", "N404"),
    Fault("syntax note", P837, "*TE*5555550100*EM*BILLING@EXAMPLE.COM~", "*TE*5555550100*EM~", "snip2.syntax_note",
          "PER*IC", "PER06"),
    Fault("pattern", P837, "DMG*D8*19700312*M~", "DMG*D8*19700312*M~REF*SY*12345~", "snip2.element_pattern", "REF*SY",
          "REF02"),
    # SNIP 3
    Fault("claim charge", P837, "CLM*PCN-1001*245", "CLM*PCN-1001*999", "snip3.claim_charge", "CLM*PCN-1001", "CLM02"),
    Fault("COB line", with_cob(P837), "SVD*OTH01*100", "SVD*OTH01*90", "snip3.cob_line", "SV1*HC:99213", "SV102"),
    Fault("COB claim", with_cob(P837), "AMT*D*100", "AMT*D*80", "snip3.cob_claim", "CLM*PCN-1002", "CLM02"),
    Fault("835 line", R835, "SVC*HC:82947*65*40**1", "SVC*HC:82947*65*45**1", "snip3.line_payment", "SVC*HC:82947",
          "SVC03"),
    Fault("835 claim", R835, "CLP*PCN-1002*1*120*65*30", "CLP*PCN-1002*1*125*65*30", "snip3.claim_payment",
          "CLP*PCN-1002", "CLP04"),
    Fault("835 patient", R835, "CLP*PCN-1002*1*120*65*30", "CLP*PCN-1002*1*120*65*31",
          "snip3.patient_responsibility", "CLP*PCN-1002", "CLP05"),
    Fault("835 payment", R835, "BPR*I*406.25", "BPR*I*406.20", "snip3.transaction_payment", "BPR*", "BPR02"),
    # SNIP 4
    Fault("2000C needed", P837, "SBR*P*18*GRP100", "SBR*P**GRP100", "snip4.patient_loop", "SBR*P**GRP100", "SBR02"),
    Fault("2000C not allowed", P837, "SBR*P**GRP200", "SBR*P*18*GRP200", "snip4.patient_loop", "HL*4", None),
    Fault("2320 needed", P837, "SBR*P*18*GRP100", "SBR*S*18*GRP100", "snip4.other_payer", "CLM*PCN-1001", None),
    Fault("service date", P837, "DTP*472*D8*20260112~\n", "", "snip4.service_date", "LX*1", None, occurrence=2),
    Fault("HL01", P837, "HL*3*1*22*1", "HL*5*1*22*1", "snip4.hl_number", "HL*5", "HL01"),
    Fault("HL02", P837, "HL*2*1*22*0", "HL*2*2*22*0", "snip4.hl_parent", "HL*2", "HL02"),
    Fault("HL04", P837, "HL*2*1*22*0", "HL*2*1*22*1", "snip4.hl_child_flag", "HL*2", "HL04"),
    Fault("REF*F8", P837, "CLM*PCN-1001*245***11:B:1", "CLM*PCN-1001*245***11:B:7", "snip4.original_reference",
          "CLM*PCN-1001", "CLM05-3"),
    Fault("supervising", P837, "PRV*PE*PXC*208000000X~", "PRV*PE*PXC*208000000X~NM1*DQ*1*PATEL*ANITA****XX*1558598797~",
          "snip4.supervising_provider", "NM1*DQ", "NM109"),
    Fault("line rendering", P837, "REF*6R*L1003-2~", "REF*6R*L1003-2~NM1*82*1*PATEL*ANITA****XX*1558598797~",
          "snip4.line_rendering_provider", "NM1*82", "NM109", occurrence=2),
]  # fmt: skip


def seeded(fault: Fault) -> Document:
    """The sample with the fault's edit applied (the edit must change the text)."""
    text = fault.text
    if fault.old:
        assert fault.old in text, f"{fault.name}: {fault.old!r} not in the sample"
        text = text.replace(fault.old, fault.new, 1)
    return read_document(text.encode("utf-8"), file=f"{fault.name}.x12")


def target(document: Document, prefix: str, occurrence: int) -> tuple[str, int]:
    """(segment ID, position) of the ``occurrence``-th segment whose text starts with ``prefix``."""
    found = [s for s in document.segments() if s.text().startswith(prefix.rstrip("~"))]
    assert len(found) >= occurrence, f"no segment {prefix!r}"
    segment = found[occurrence - 1]
    return segment.id, segment.position


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_a_seeded_fault_is_reported_where_it_is(fault: Fault) -> None:
    document = seeded(fault)
    issues = validate_document(document)
    seg_id, position = target(document, fault.target, fault.occurrence)
    hits = [i for i in issues if i.rule == fault.rule]
    assert hits, f"{fault.rule} not reported; got {sorted({i.rule for i in issues})}"
    located = [i for i in hits if i.segment_position == position and (i.segment_id == seg_id or not fault.element)]
    assert located, f"{fault.rule} at {[(i.segment_id, i.segment_position) for i in hits]}, expected {position}"
    assert any(i.element == fault.element for i in located)


def test_the_cob_fixture_itself_balances() -> None:
    issues = validate_document(read_document(with_cob(P837).encode("utf-8")), max_snip=4)
    assert [i for i in issues if i.severity == "error"] == []


def test_a_snip_limit_leaves_out_the_higher_types() -> None:
    document = read_document(P837.replace("CLM*PCN-1001*245", "CLM*PCN-1001*999").encode("utf-8"))
    assert not [i for i in validate_document(document, max_snip=2) if i.snip == 3]
    assert [i for i in validate_document(document, max_snip=3) if i.snip == 3]


def test_findings_are_in_file_order_and_name_their_claim() -> None:
    text = P837.replace("CLM*PCN-1003*310", "CLM*PCN-1003*1").replace("CLM*PCN-1001*245", "CLM*PCN-1001*1")
    issues: list[Issue] = [i for i in validate_document(read_document(text.encode())) if i.rule.startswith("snip3")]
    assert [i.claim for i in issues] == ["PCN-1001", "PCN-1003"]
    positions = [i.segment_position or 0 for i in validate_document(read_document(text.encode()))]
    assert positions == sorted(positions)


def test_a_reversal_is_not_checked_for_patient_responsibility() -> None:
    text = R835.replace("CLP*PCN-1002*1*120*65*30", "CLP*PCN-1002*22*120*65*31")
    issues = validate_document(read_document(text.encode()))
    assert not [i for i in issues if i.rule == "snip3.patient_responsibility"]


@pytest.mark.parametrize(
    ("name", "old", "new", "line"),
    [
        ("stupidedi__two-claims-for-the-same-provider.edi", "SV2*0305*HC:85025*13.39", "SV2*0305*HC:85025*13.49",
         "SV2*0305"),
        ("stupidedi__commercial-health-insurance.edi", "SV3*AD:D2150*100", "SV3*AD:D2150*101", "SV3*AD:D2150"),
    ],
)  # fmt: skip
def test_institutional_and_dental_claims_balance_on_their_own_line_charge(
    name: str, old: str, new: str, line: str
) -> None:
    rows = {r.path.name: r for r in corpus_files("837i", "837d")}
    if name not in rows:
        pytest.skip("corpus not found")
    text = rows[name].path.read_text(encoding="utf-8")
    assert old in text
    document = read_document(text.replace(old, new).encode("utf-8"))
    (issue,) = [i for i in validate_document(document) if i.rule == "snip3.claim_charge"]
    seg_id = line.split("*")[0]
    assert issue.segment_id == "CLM" and issue.element == "CLM02" and f"{seg_id}0" in issue.message


ACK_WITH_CONTEXT = (
    ("ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*RIVERSIDEFP    *260202*1000*^*00501*000000902*0*T*:~\n")
    + """GS*FA*ACMEHEALTH*RIVERSIDEFP*20260202*1000*902*X*005010X231A1~
ST*999*0001*005010X231A1~
AK1*HC*17456*005010X222A1~
AK2*837*0002*005010X222A1~
IK3*CLM*22**8~
CTX*SITUATIONAL TRIGGER*CLM*22**5:3~
CTX*SITUATIONAL TRIGGER*HI*24**1:2~
CTX*CLM01:123456789^PATIENT NAME NM109:W1~
IK4*2*782*1~
CTX*SITUATIONAL TRIGGER^SITUATIONAL TRIGGER*CLM*22**2~
IK5*R*5~
AK9*R*1*1*0~
SE*12*0001~
GE*1*902~
IEA*1*000000902~
"""
)


def test_a_999_with_repeated_ctx_and_repeated_ctx01_is_clean() -> None:
    assert validate_document(read_document(ACK_WITH_CONTEXT.encode())) == []


def test_ctx01_repeated_more_than_ten_times_is_an_error() -> None:
    text = ACK_WITH_CONTEXT.replace("CTX*CLM01:123456789^", "CTX*CLM01:123456789^" + "NM109:W1^" * 10)
    issues = validate_document(read_document(text.encode()))
    assert [(i.rule, i.element, i.element_error) for i in issues] == [("snip1.element_syntax", "CTX01", "12")]


PREDETERMINATION = REFERENCE / "samples" / "stupidedi" / "X224A2" / "predetermination-of-benefits.edi"


def test_a_dental_predetermination_without_dates_gets_no_service_date_finding() -> None:
    if not PREDETERMINATION.is_file():
        pytest.skip(f"guide example not found: {PREDETERMINATION}")
    text = PREDETERMINATION.read_text(encoding="utf-8")
    assert "**********PB~" in text and "DTP*472" not in text
    issues = validate_document(read_document(text.encode()))
    assert [i.rule for i in issues if i.severity != "error" or i.rule.startswith("snip4")] == []
    claim = validate_document(read_document(text.replace("**********PB~", "~").encode()))
    assert [(i.rule, i.severity) for i in claim if i.snip == 4] == [("snip4.service_date", "warning")]
