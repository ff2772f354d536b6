"""The one field engine (edi.fields) with the 835's kinds: named only when they write back exactly."""

from __future__ import annotations

from typing import Any

import pytest

from edi.fields import OTHER, Field, SegmentMap, read_fields, write_fields
from edi.kinds import decode, encode
from edi.remit.fields import CLP, MIA, N1, N3, N4, PER, SVC, pair_segment, read_pair
from edi.remit.read import read_remittance
from edi.x12.reader import read_document
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import UnsafeValue

D = Delimiters()


def _segment(text: str) -> Segment:
    seg_id, *elements = text.split("*")
    return Segment(seg_id, elements, D)


def _round_trip(smap: SegmentMap, text: str) -> dict[str, Any]:
    """Read ``text`` through ``smap``, check it writes back as read, and return what was read."""
    data = read_fields(_segment(text), smap)
    assert write_fields(smap, data, D).text() == text
    return data


def test_raw_text_keeps_a_component_separator_and_refuses_a_repetition_separator() -> None:
    assert read_fields(_segment("N1*PR*A:B"), N1["PR"]) == {"name": "A:B"}
    with pytest.raises(UnsafeValue, match="N102 'A:B' holds the component separator"):
        write_fields(N1["PR"], {"name": "A:B"}, D)  # never written as data
    assert _round_trip(N1["PR"], "N1*PR*A^B*XX*1") == {
        "id_qualifier": "XX",
        "id": "1",
        OTHER: {"N102": {"repeat": ["A", "B"]}},
    }


def test_other_elements_stay_on_the_object_merged_across_its_segments() -> None:
    address: dict[str, Any] = {}
    read_fields(_segment("N3*1 MAIN ST**SUITE 2"), N3, address)
    read_fields(_segment("N4*TOWN*ST*12345***X*"), N4, address)
    assert address == {
        "lines": ["1 MAIN ST"],
        OTHER: {"N303": "SUITE 2", "N406": "X", "N407": ""},
        "city": "TOWN",
        "state": "ST",
        "postal_code": "12345",
    }
    assert write_fields(N3, address, D).text() == "N3*1 MAIN ST**SUITE 2"
    assert write_fields(N4, address, D).text() == "N4*TOWN*ST*12345***X*"
    assert N4.present_in({OTHER: {"N406": "X"}}) and not N4.present_in({OTHER: {"N303": "X"}})


def test_an_amount_is_kept_as_written_and_a_bad_one_left_whole() -> None:
    data = _round_trip(CLP, "CLP*A1*1*100.50*-0*1E5")
    assert (data["charge"], data["paid"]) == ("100.50", "-0")
    assert "patient_responsibility" not in data and data[OTHER] == {"CLP05": "1E5"}


@pytest.mark.parametrize("text", ["09990101", "20261301", "2026010"])
def test_a_date_that_would_not_write_back_as_read_is_left_whole(text: str) -> None:
    assert decode(text, "exact_date", D) is None
    assert decode("20260131", "exact_date", D) == "2026-01-31"
    assert encode("2026-01-31", "exact_date") == "20260131"
    with pytest.raises(UnsafeValue, match="calendar date"):
        encode("2026-02-30", "exact_date")


@pytest.mark.parametrize(
    ("svc01", "named"),
    [
        ("HC:99213", True),
        ("HC:99213:25:59:::OFFICE VISIT", True),
        ("HC:99^213", False),  # a repetition separator
        ("HC:99213::25", False),  # a gap among the modifiers
        ("HC:99213:", False),  # a trailing separator
        ("HC", False),
    ],
)
def test_a_procedure_is_named_only_when_it_writes_back_exactly(svc01: str, named: bool) -> None:
    data = _round_trip(SVC, f"SVC*{svc01}*10*10")
    assert ("procedure" in data) is named
    assert (OTHER in data) is not named


def test_a_procedure_part_is_checked_when_written() -> None:
    line = {"procedure": {"qualifier": "HC", "code": "99*13"}, "charge": "1"}
    with pytest.raises(UnsafeValue, match="element separator"):
        write_fields(SVC, line, D)


def test_a_run_stops_at_the_first_missing_element() -> None:
    data = _round_trip(MIA, "MIA*1****MA01*" + "*" * 14 + "MA20**MA22")
    assert data["remarks"] == ["MA01", "MA20"]
    assert data[OTHER] == {"MIA22": "MA22"}


def test_whole_groups_stop_at_the_first_incomplete_one() -> None:
    data = _round_trip(PER, "PER*BL*DESK*TE*1*EM**FX*3")
    assert data["communications"] == [{"qualifier": "TE", "number": "1"}]
    assert data[OTHER] == {"PER05": "EM", "PER07": "FX", "PER08": "3"}


def test_an_837_style_map_keeps_its_other_elements_under_its_label() -> None:
    smap = SegmentMap("REF", (Field("value", "REF02"),), match=((1, "EI"),))
    assert read_fields(_segment("REF*EI*12*X"), smap) == {"value": "12", OTHER: {"REF*EI": {"REF03": "X"}}}


def test_a_pair_value_may_hold_a_component_separator() -> None:
    assert read_pair(_segment("REF*6R*L1:Z"), "raw") == ("6R", "L1:Z")
    assert pair_segment("REF", "6R", "L1:Z", "raw", D).text() == "REF*6R*L1:Z"
    assert read_pair(_segment("DTM*472*20261399"), "exact_date") is None


def test_cas_is_named_only_when_it_writes_back_exactly() -> None:
    isa = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *260301*1200*^*00501*000000007*0*P*:~"
    body = [
        "ST*835*0001",
        "BPR*I*0*C*CHK************20260301",
        "TRN*1*CHK0001*1999999999",
        "N1*PR*PAYER",
        "N1*PE*CLINIC*XX*1234567893",
        "LX*1",
        "CLP*A1*1*10*0*0*MC*ICN1",
        "CAS*CO*45*5**97*5*2",  # kept: an empty quantity between reasons, a last one given
        "CAS*CO*45*5*",  # whole: an empty last quantity would not be written back
        "CAS*CO*45",  # whole: a reason without its amount
        "SE*10*0001",
    ]
    text = "\n".join([isa, "GS*HP*PAYER*PROVIDER*20260301*1200*7*X*005010X221A1~", *(s + "~" for s in body)])
    text += "\nGE*1*7~\nIEA*1*000000007~\n"
    claim = read_remittance(read_document(text.encode()))["transactions"][0]["groups"][0]["claims"][0]
    assert [(a["reason"], a["amount"], a.get("quantity")) for a in claim["adjustments"]] == [
        ("45", "5", None),
        ("97", "5", "2"),
    ]
    assert [s["elements"] for s in claim["extra_segments"]] == [
        {"CAS01": "CO", "CAS02": "45", "CAS03": "5", "CAS04": ""},
        {"CAS01": "CO", "CAS02": "45"},
    ]
