"""Institutional codes, hours, ambulance fields and hints in claims JSON: built, read back, refused when wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from edi.claims.build import build_837
from edi.claims.read import read_claims
from edi.errors import InputError
from edi.x12.reader import read_document
from tests.conftest import SAMPLES


def _sample(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"claims-{kind}.json").read_text(encoding="utf-8"))
    return data


def _x12(kind: str) -> str:
    return (SAMPLES / f"claims-{kind}.x12").read_text(encoding="utf-8")


def _claim(data: dict[str, Any]) -> dict[str, Any]:
    claim: dict[str, Any] = data["billing_providers"][0]["subscribers"][0]["claims"][0]
    return claim


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def _read_claim(text: str) -> dict[str, Any]:
    return _claim(read_claims(read_document(text.encode())))


@pytest.mark.parametrize(
    ("key", "value", "segment"),
    [
        ("drg", "291", "HI*DR:291"),
        ("principal_procedure", {"code": "02HV33Z", "date": "2026-01-06"}, "HI*BBR:02HV33Z:D8:20260106"),
        ("principal_procedure", {"qualifier": "BR", "code": "3893", "date": "2014-01-06"}, "HI*BR:3893:D8:20140106"),
        (
            "other_procedures",
            [{"code": "BW03ZZZ", "date": "2026-01-05"}, {"code": "5A09357", "date": "2026-01-07"}],
            "HI*BBQ:BW03ZZZ:D8:20260105*BBQ:5A09357:D8:20260107",
        ),
        ("occurrences", [{"code": "11", "date": "2026-01-02"}], "HI*BH:11:D8:20260102"),
        (
            "occurrence_spans",
            [{"code": "74", "start": "2026-01-06", "end": "2026-01-07"}],
            "HI*BI:74:RD8:20260106-20260107",
        ),
        ("values", [{"code": "80", "amount": "3"}, {"code": "A1", "amount": "150.50"}], "HI*BE:80:::3*BE:A1:::150.50"),
        ("condition_codes", ["09", "39"], "HI*BG:09*BG:39"),
    ],
)
def test_an_institutional_code_list_is_built_and_read_back(key: str, value: Any, segment: str) -> None:
    data = _sample("837i")
    _claim(data)[key] = value
    text = build_837(data)
    assert segment in _segments(text)
    assert _read_claim(text)[key] == value


def test_code_lists_follow_the_guide_order_of_hi_segments() -> None:
    text = _x12("837i-inpatient")
    qualifiers = [s.split("*")[1].split(":")[0] for s in _segments(text) if s.startswith("HI*")]
    assert qualifiers == ["ABK", "ABJ", "DR", "ABF", "BBR", "BBQ", "BI", "BH", "BE", "BG"]


def test_more_than_twelve_codes_take_a_second_hi_segment() -> None:
    data = _sample("837i")
    codes = [f"{n:02d}" for n in range(1, 15)]
    _claim(data)["condition_codes"] = codes
    text = build_837(data)
    assert [s.count("BG:") for s in _segments(text) if s.startswith("HI*BG")] == [12, 2]
    assert _read_claim(text)["condition_codes"] == codes


@pytest.mark.parametrize(
    "segment",
    ["HI*BH:11:D8:20261340", "HI*BH:11:RD8:20260101-20260102", "HI*BE:80:D8:20260101:3", "HI*BG:9.1", "HI*DR:1*DR:2"],
)
def test_a_code_list_that_cannot_be_named_exactly_stays_a_segment(segment: str) -> None:
    text = _x12("837i").replace("HI*ABJ:R0602~", f"HI*ABJ:R0602~{segment}~")
    claim = _read_claim(text)
    assert [s["id"] for s in claim["extra_segments"]] == ["HI"]
    assert not {"drg", "occurrences", "values", "condition_codes"} & set(claim)


def test_837p_condition_codes_are_named() -> None:
    data = _sample("837p")
    _claim(data)["condition_codes"] = ["W2"]
    text = build_837(data)
    assert "HI*BG:W2" in _segments(text)
    assert _read_claim(text)["condition_codes"] == ["W2"]


def test_the_discharge_hour_is_written_tm_and_the_admission_dt() -> None:
    data = _sample("837i")
    _claim(data)["dates"] |= {"discharge_hour": "11:00", "admission": "2026-01-05T14:30"}
    segments = _segments(build_837(data))
    assert "DTP*096*TM*1100" in segments and "DTP*435*DT*202601051430" in segments
    assert _read_claim(build_837(data))["dates"]["discharge_hour"] == "11:00"


def test_a_discharge_date_in_an_837i_stays_a_segment() -> None:
    text = _x12("837i").replace("CL1*", "DTP*096*D8*20260108~CL1*")
    claim = _read_claim(text)
    assert "discharge_hour" not in claim["dates"]
    assert claim["extra_segments"] == [{"id": "DTP", "elements": {"DTP01": "096", "DTP02": "D8", "DTP03": "20260108"}}]


def test_an_hour_in_an_837p_is_refused_with_the_loops_dates() -> None:
    data = _sample("837p")
    _claim(data)["dates"] = {"discharge_hour": "11:00"}
    with pytest.raises(InputError, match=r"dates\.discharge_hour is not a date the 837P guide has") as refused:
        build_837(data)
    assert "discharge" in refused.value.problems[0]


def test_ambulance_transport_and_certifications_are_built_and_read_back() -> None:
    data = _sample("837p")
    claim = _claim(data)
    claim["ambulance_transport"] = {"transport_reason": "D", "distance": "8.5", "round_trip_purpose": "DIALYSIS"}
    claim["ambulance_certifications"] = [{"applies": "Y", "conditions": ["04"]}, {"applies": "N", "conditions": ["12"]}]
    text = build_837(data)
    segments = _segments(text)
    assert "CR1****D*DH*8.5***DIALYSIS" in segments
    assert "CRC*07*Y*04" in segments and "CRC*07*N*12" in segments
    read = _read_claim(text)
    assert read["ambulance_transport"] == claim["ambulance_transport"]
    assert read["ambulance_certifications"] == claim["ambulance_certifications"]


def test_a_condition_code_outside_the_guide_list_stays_in_other_elements() -> None:
    text = _x12("837p-ambulance").replace("CRC*07*Y*01*04*06", "CRC*07*Y*01*99")
    certification = _read_claim(text)["ambulance_certifications"][0]
    assert certification == {"applies": "Y", "other_elements": {"CRC*07": {"CRC03": "01", "CRC04": "99"}}}


def test_a_pickup_location_is_an_organization_without_a_name() -> None:
    segments = _segments(_x12("837p-ambulance"))
    pickup = segments.index("NM1*PW*2")
    assert segments[pickup + 1].startswith("N3*") and segments[pickup + 2].startswith("N4*")


def test_a_pickup_location_without_its_address_is_refused() -> None:
    data = _sample("837p-ambulance")
    del _claim(data)["providers"]["ambulance_pickup"]["address"]["line1"]
    with pytest.raises(InputError, match="claims schema") as refused:
        build_837(data)
    assert any("ambulance_pickup" in p and "line1" in p for p in refused.value.problems)


def test_poa_1_is_refused_and_read_as_a_segment() -> None:
    data = _sample("837i")
    _claim(data)["diagnoses"][0]["present_on_admission"] = "1"
    with pytest.raises(InputError) as refused:
        build_837(data)
    assert any("present_on_admission" in p and "'1'" in p for p in refused.value.problems)
    text = _x12("837i").replace("HI*ABK:J189:::::::Y", "HI*ABK:J189:::::::1")
    claim = _read_claim(text)
    assert "diagnoses" not in claim
    assert [s["id"] for s in claim["extra_segments"]] == ["HI", "HI", "HI"]


def test_a_dotted_icd_code_is_refused_with_the_undotted_form_and_its_path() -> None:
    data = _sample("837i-inpatient")
    _claim(data)["diagnoses"][0]["code"] = "J18.9"
    _claim(data)["principal_procedure"]["code"] = "0BJ.08ZZ"
    with pytest.raises(InputError) as refused:
        build_837(data, "export.json")
    path = "$.billing_providers[0].subscribers[0].claims[0]"
    assert f"{path}.diagnoses[0].code: 'J18.9' is written with a dot" in refused.value.problems[0]
    assert "'J189'" in refused.value.problems[0]
    assert f"{path}.principal_procedure.code" in refused.value.problems[1]
    assert "export.json" in str(refused.value)
