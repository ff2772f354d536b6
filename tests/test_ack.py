"""The 999 and TA1: they read back with our own reader and name the same segments as the report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from edi.ack.ack999 import AckOptions, acknowledged, build_999, build_ta1
from edi.validate.envelope import ENVELOPE_LEVEL
from edi.validate.issue import Issue
from edi.validate.runner import validate_document
from edi.x12.document import Document
from edi.x12.reader import read_document
from tests.conftest import SAMPLES

P837 = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")
R835 = (SAMPLES / "835-office-visits.x12").read_text(encoding="utf-8")
OPTIONS = AckOptions(control_number=7, now=datetime(2026, 2, 1, 9, 30, tzinfo=UTC))

FAULTY_837 = (
    P837.replace("BHT*0019*00*", "BHT*0019*99*")
    .replace("N4*SPRINGFIELD*IL*627010001~\n", "")
    .replace("NM1*41*2*RIVERSIDE FAMILY PRACTICE*", "NM1*41*2**")
    .replace("CLM*PCN-1001*245", "CLM*PCN-1001*999")
    .replace("HI*ABK:J069~", "HI*ABK:J069~ZZZ*1~")
)


def acknowledge(text: str) -> tuple[Document, list[Issue], Document]:
    """Validate ``text``, build its 999 and read the 999 back."""
    document = read_document(text.encode("utf-8"))
    issues = validate_document(document)
    ack = build_999(document, issues, OPTIONS)
    assert ack is not None
    return document, issues, read_document(ack.encode("utf-8"), file="ack.999")


def segments(document: Document, seg_id: str) -> list[list[str]]:
    """The elements of every segment with that ID."""
    return [s.elements for s in document.segments() if s.id == seg_id]


def test_a_clean_claim_file_is_accepted() -> None:
    _, _, ack = acknowledge(P837)
    assert segments(ack, "AK1") == [["HC", "101", "005010X222A1"]]
    assert segments(ack, "AK2") == [["837", "0001", "005010X222A1"]]
    assert segments(ack, "IK5") == [["A"]]
    assert segments(ack, "AK9") == [["A", "1", "1", "1"]]
    assert not segments(ack, "IK3")


def test_the_999_reads_back_with_the_999_guide_and_validates() -> None:
    _, _, ack = acknowledge(FAULTY_837)
    (_, _, transaction), *_ = ack.transactions()
    assert transaction.guide is not None and transaction.guide.id == "999"
    assert not [s for s in ack.segments() if s.unplaced]
    assert [i for i in validate_document(ack) if i.severity == "error" and i.snip in (1, 2)] == []


def test_the_999_names_the_same_segments_as_the_report() -> None:
    _, issues, ack = acknowledge(FAULTY_837)
    reported = {
        (i.segment_id, str(i.segment_position)) for i in issues if acknowledged(i) and i.rule not in ENVELOPE_LEVEL
    }
    noted = {(e[0], e[1]) for e in segments(ack, "IK3")}
    assert reported and noted == reported


def test_element_errors_carry_position_code_and_value() -> None:
    _, _, ack = acknowledge(FAULTY_837)
    notes = segments(ack, "IK3")
    assert ["BHT", "2", "", "8"] in notes
    assert ["ZZZ", "30", "2300", "1"] in notes
    assert ["N4", "8", "2010", "3"] in notes
    assert ["2", "353", "7", "99"] in segments(ack, "IK4")
    assert ["3", "1035", "1"] in segments(ack, "IK4")


def test_a_claim_segment_gets_its_business_context() -> None:
    _, _, ack = acknowledge(FAULTY_837)
    assert ["CLM01:PCN-1002"] in segments(ack, "CTX")


def test_errors_reject_the_set_and_the_group() -> None:
    _, _, ack = acknowledge(FAULTY_837)
    assert segments(ack, "IK5") == [["R", "5"]]
    assert segments(ack, "AK9") == [["R", "1", "1", "0"]]


def test_balancing_errors_stay_in_the_report() -> None:
    text = P837.replace("CLM*PCN-1001*245", "CLM*PCN-1001*999")
    _, issues, ack = acknowledge(text)
    assert [i for i in issues if i.rule == "snip3.claim_charge"]
    assert segments(ack, "IK5") == [["A"]]


def test_trailer_faults_become_set_codes() -> None:
    _, _, ack = acknowledge(P837.replace("SE*60*0001", "SE*61*0002"))
    assert segments(ack, "IK5") == [["R", "3", "4"]]


def test_group_faults_become_group_codes() -> None:
    _, _, ack = acknowledge(P837.replace("GE*1*101", "GE*2*102"))
    assert segments(ack, "AK9") == [["R", "2", "1", "1", "4", "5"]]


def test_an_835_is_acknowledged() -> None:
    _, _, ack = acknowledge(R835.replace("BPR*I*406.25", "BPR*X1*406.25"))
    assert segments(ack, "AK1") == [["HP", "501", "005010X221A1"]]
    assert segments(ack, "AK2") == [["835", "0001"]]
    assert ["BPR", "2", "", "8"] in segments(ack, "IK3")


def test_the_envelope_swaps_sender_and_receiver() -> None:
    _, _, ack = acknowledge(P837)
    isa = segments(ack, "ISA")[0]
    assert (isa[5].strip(), isa[7].strip(), isa[12]) == ("RECEIVER01", "SUBMITTER01", "000000007")
    assert segments(ack, "GS")[0][:3] == ["FA", "RECEIVER01", "SUBMITTER01"]


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [("IEA*1*000000101", "IEA*1*000000102", "001"), ("IEA*1*000000101", "IEA*3*000000101", "021")],
)
def test_a_broken_interchange_envelope_gets_a_ta1(old: str, new: str, code: str) -> None:
    document = read_document(P837.replace(old, new).encode("utf-8"))
    ta1 = build_ta1(document, validate_document(document), OPTIONS)
    assert ta1 is not None
    back = read_document(ta1.encode("utf-8"))
    assert [s.elements for s in back.interchanges[0].ta1] == [["000000101", "260115", "1030", "R", code]]
    assert back.interchanges[0].iea is not None and back.interchanges[0].iea.get(1) == "0"


def test_a_sound_envelope_gets_no_ta1() -> None:
    document = read_document(P837.encode("utf-8"))
    assert build_ta1(document, validate_document(document), OPTIONS) is None


def test_implementation_codes_of_the_999_pass_our_own_checks() -> None:
    text = P837.replace("NM1*41*2*RIVERSIDE FAMILY PRACTICE*****46", "NM1*41*2*RIVERSIDE FAMILY PRACTICE****JR*46")
    _, _, ack = acknowledge(text.replace("SE*60*0001", "SE*60*0009"))
    assert ["7", "1039", "I10", "JR"] in segments(ack, "IK4")
    assert [i for i in validate_document(ack) if i.severity == "error" and i.snip in (1, 2)] == []
