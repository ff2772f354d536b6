"""The claims builder and reader in detail: numbering, envelope, named fields and what they leave over."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from edi.claims.build import build_837
from edi.claims.codelists import BY_KEY
from edi.claims.envelope import Envelope, build_interchange, transaction_set
from edi.claims.read import read_claims
from edi.errors import InputError, ReadError
from edi.fields import Field, SegmentMap, read_fields, write_fields
from edi.x12.reader import read_document
from edi.x12.segment import Delimiters, Segment
from tests.conftest import SAMPLES


def _sample(kind: str = "837p") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"claims-{kind}.json").read_text(encoding="utf-8"))
    return data


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def test_line_numbers_are_counted_when_left_out() -> None:
    data = _sample("837i")
    lines = data["billing_providers"][0]["subscribers"][0]["claims"][0]["lines"]
    for line in lines:
        del line["line_number"]
    numbers = [s for s in _segments(build_837(data)) if s.startswith("LX*")]
    assert numbers == [f"LX*{n}" for n in range(1, len(lines) + 1)]


def test_levels_are_numbered_with_parents_and_child_flags() -> None:
    data = _sample()
    subscribers = data["billing_providers"][0]["subscribers"]
    subscribers.append(subscribers[0])
    levels = [s for s in _segments(build_837(data)) if s.startswith("HL*")]
    assert levels == ["HL*1**20*1", "HL*2*1*22*0", "HL*3*1*22*1", "HL*4*3*23*0", "HL*5*1*22*0"]


def test_counts_follow_the_content() -> None:
    data = _sample()
    claim = data["billing_providers"][0]["subscribers"][0]["claims"][0]
    claim["lines"].append({**claim["lines"][0], "line_number": 3, "line_control_number": "L2001-3"})
    segments = _segments(build_837(data))
    st, se = segments.index("ST*837*0001*005010X222A1"), next(s for s in segments if s.startswith("SE*"))
    assert se == f"SE*{segments.index(se) - st + 1}*0001"
    assert segments[-2:] == ["GE*1*201", "IEA*1*000000201"]


def test_a_batch_builds_one_interchange_per_envelope() -> None:
    first, second = _sample(), _sample()
    second["interchange"] = {**second["interchange"], "control_number": 202}
    second["transaction"] = {**second["transaction"], "control_number": "0002"}
    text = build_837({"format": "edi.claims/1", "batch": [_drop_format(first), _drop_format(second)]})
    document = read_document(text.encode())
    assert [i.isa.get(13) for i in document.interchanges if i.isa] == ["000000201", "000000202"]
    assert read_claims(document) == {"format": "edi.claims/1", "batch": [_drop_format(first), _drop_format(second)]}


def _drop_format(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "format"}


def test_elements_without_a_name_are_kept_and_written_back() -> None:
    d = Delimiters()
    smap = SegmentMap("NM1", (Field("name", "NM103", when=("NM102", "2")), Field("npi", "NM109", when=("NM108", "XX"))))
    segment = Segment("NM1", ["85", "2", "CLINIC", "", "", "", "", "XX", "1234567893", "", "", "Q"], d)
    values = read_fields(segment, SegmentMap("NM1", smap.fields, match=((1, "85"),)))
    assert values["name"] == "CLINIC" and values["npi"] == "1234567893"
    assert values["other_elements"] == {"NM1*85": {"NM112": "Q"}}
    rebuilt = write_fields(SegmentMap("NM1", smap.fields, match=((1, "85"),)), values, d)
    assert rebuilt.text() == segment.text()


def test_a_value_that_is_not_a_date_stays_as_an_element() -> None:
    d = Delimiters()
    smap = SegmentMap("DMG", (Field("birth_date", "DMG02", "date"), Field("gender", "DMG03")), match=((1, "D8"),))
    values = read_fields(Segment("DMG", ["D8", "19701340", "F"], d), smap)
    assert values == {"gender": "F", "other_elements": {"DMG*D8": {"DMG02": "19701340"}}}
    assert write_fields(smap, values, d).text() == "DMG*D8*19701340*F"


def test_envelope_is_fixed_width_and_counted() -> None:
    d = Delimiters()
    body = [Segment("BHT", ["0019", "00", "X", "20260101", "1200", "CH"], d)]
    sets = [
        transaction_set("837", "0001", "005010X222A1", body, d),
        transaction_set("837", "0002", "005010X222A1", body, d),
    ]
    envelope = Envelope("SENDER", "RECEIVER", "HC", "005010X222A1", datetime(2026, 1, 2, 3, 4), control_number=7)
    segments = build_interchange(sets, envelope, d)
    isa = segments[0].text() + d.segment
    assert len(isa) == 106
    assert isa[82] == "^" and isa[104] == ":" and isa[105] == "~"
    assert [s.text() for s in segments[-2:]] == ["GE*2*7", "IEA*1*000000007"]
    assert sets[0][-1].text() == "SE*3*0001"


def test_envelope_problems_are_listed() -> None:
    envelope = Envelope("A" * 16, "R", "HC", "005010X222A1", datetime(2026, 1, 1), usage="X", sender_qualifier="QQ")
    with pytest.raises(InputError) as refused:
        build_interchange([], envelope, Delimiters())
    text = "\n".join(refused.value.problems)
    assert "sender_id must be 1 to 15 characters" in text
    assert "sender_qualifier must be one of" in text
    assert "usage must be P (production) or T (test)" in text


def test_a_835_is_not_read_as_claims() -> None:
    with pytest.raises(ReadError, match="not an 837 claim") as caught:
        read_claims(read_document(SAMPLES / "835-office-visits.x12"))
    assert caught.value.location.file == str(SAMPLES / "835-office-visits.x12")
    assert caught.value.location.line is not None


def _property_names(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties":
                found |= set(value)
            found |= _property_names(value)
    elif isinstance(node, list):
        for value in node:
            found |= _property_names(value)
    return found


def test_schema_names_every_field_the_maps_read() -> None:
    from edi.claims import maps
    from edi.schemas import load_schema

    kinds = [maps.ROOT, maps.BILLING, maps.SUBSCRIBER, maps.PATIENT, maps.OTHER_PAYER, maps.DRUG, maps.ADJUDICATION]
    kinds += [maps.party("82")] + [f(g) for g in ("837P", "837I", "837D") for f in (maps.claim, maps.line)]
    keys = {part for kind in kinds for smap in kind.maps for f in smap.fields for part in f.key.split(".")}
    keys |= {smap.key for kind in kinds for smap in kind.maps if smap.key}
    keys |= {name for kind in kinds for name in kind.dates.values()}
    keys |= {child.key for kind in kinds for child in kind.children.values()}
    keys |= set(BY_KEY)
    assert keys - _property_names(load_schema("claims")) == set()


def test_a_minimal_claim_is_refused_by_default_and_numbered_without_the_check() -> None:
    data = {
        "format": "edi.claims/1",
        "transaction": {"type": "837P", "purpose": "00", "reference": "R1", "created": "2026-04-01T08:00"},
        "submitter": {"name": "CLINIC", "id_qualifier": "46", "id": "S1"},
        "receiver": {"name": "PLAN", "id_qualifier": "46", "id": "P1"},
        "billing_providers": [
            {
                "billing_provider": {"name": "CLINIC", "npi": "1234567893", "tax_id": "371234567"},
                "subscribers": [
                    {
                        "payer_responsibility": "P",
                        "relationship": "18",
                        "subscriber": {"last_name": "DOE", "first_name": "JANE", "id_qualifier": "MI", "id": "M1"},
                        "payer": {"name": "PLAN", "id_qualifier": "PI", "id": "P1"},
                        "claims": [
                            {
                                "patient_control_number": "A1",
                                "charge": "100",
                                "place_of_service": "11",
                                "frequency": "1",
                                "diagnoses": [{"qualifier": "ABK", "code": "I10"}],
                                "lines": [{"procedure": {"qualifier": "HC", "code": "99213"}, "charge": "100"}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    with pytest.raises(InputError) as caught:
        build_837(data, now=datetime(2026, 4, 1, 8, 0))
    assert "$.billing_providers[0].subscribers[0].claims[0].lines[0]: required segment DTP" in str(caught.value)
    text = build_837(data, now=datetime(2026, 4, 1, 8, 0), check=False)
    segments = _segments(text)
    assert segments[0].startswith("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260401*0800*")
    assert segments[2] == "ST*837*0001*005010X222A1"
    assert "CLM*A1*100***11:B:1" in segments and "LX*1" in segments and "SV1*HC:99213*100" in segments
    assert segments[-3:] == [f"SE*{len(segments) - 4}*0001", "GE*1*1", "IEA*1*000000001"]


def test_a_segment_the_guide_cannot_place_is_refused_and_named() -> None:
    data = _sample()
    claim = data["billing_providers"][0]["subscribers"][0]["claims"][0]
    claim["extra_segments"] = [{"id": "SV2", "elements": {"SV201": "0120", "SV203": "10"}}]
    with pytest.raises(InputError, match="does not follow its guide") as refused:
        build_837(data, "bad.json")
    assert any("SV2*0120**10" in problem for problem in refused.value.problems)
    assert "bad.json" in str(refused.value)


def _shuffled_837() -> bytes:
    """The 837P sample with a DMG the guide does not place in a claim, and a line's REF before its DTP."""
    text = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")
    text = text.replace("CLM*PCN-1001*245***11:B:1*Y*A*Y*Y~", "CLM*PCN-1001*245***11:B:1*Y*A*Y*Y~\nDMG*D8*19800101*F~")
    text = text.replace("DTP*472*D8*20260110~\nREF*6R*L1001-1~", "REF*6R*L1001-1~\nDTP*472*D8*20260110~")
    return text.encode()


def _body(text: bytes) -> list[str]:
    """ST..SE segment texts, SE01 left out (the builder counts it)."""
    segments = [s.text() for _, _, t in read_document(text).transactions() for s in t.segments()]
    return [s if not s.startswith("SE*") else s.split("*")[2] for s in segments]


def test_a_segment_the_guide_does_not_place_and_the_read_order_come_back_with_a_warning() -> None:
    source = _shuffled_837()
    data = json.loads(json.dumps(read_claims(read_document(source))))
    claim = data["billing_providers"][0]["subscribers"][0]["claims"][0]
    assert {"id": "DMG", "elements": {"DMG01": "D8", "DMG02": "19800101", "DMG03": "F"}, "unplaced": True} in claim[
        "extra_segments"
    ]
    assert claim["source_order"][0] == "DMG" and claim["lines"][0]["source_order"][:2] == ["SV1", "REF*6R"]
    notes: list[str] = []
    built = build_837(data, "claims.json", warn=notes.append, check=False)
    assert _body(built.encode()) == _body(source)
    assert len(notes) == 1
    assert "'DMG*D8*19800101*F' in loop 2300 is not placed by the 837P guide" in notes[0]


def test_an_unknown_segment_not_marked_unplaced_is_refused() -> None:
    data = read_claims(read_document(_shuffled_837()))
    claim = data["billing_providers"][0]["subscribers"][0]["claims"][0]
    for segment in claim["extra_segments"]:
        segment.pop("unplaced", None)
    with pytest.raises(InputError, match="does not follow its guide") as refused:
        build_837(data, "typo.json")
    assert len(refused.value.problems) == 1
    assert "'DMG*D8*19800101*F' is not where the 837P guide places it" in refused.value.problems[0]
    assert '"unplaced": true' in refused.value.problems[0]


def test_a_source_order_that_does_not_list_the_loop_gives_guide_order() -> None:
    data = read_claims(read_document(_shuffled_837()))
    line = data["billing_providers"][0]["subscribers"][0]["claims"][0]["lines"][0]
    assert line["source_order"] == ["SV1", "REF*6R", "DTP*472"]
    line["source_order"] = ["SV1", "REF*6R", "DTP*472", "NTE*ADD"]
    segments = _segments(build_837(data))
    assert segments.index("DTP*472*D8*20260110") < segments.index("REF*6R*L1001-1")
