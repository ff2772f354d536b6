"""Reading 835s into remittance JSON: named fields, labels, what no field holds, and building back."""

from __future__ import annotations

import json
from typing import Any

from edi.remit.build import build_835
from edi.remit.read import read_remittance
from edi.x12.reader import read_document

ISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *260301*1200*^*00501*000000007*0*P*:~"
HEAD = [
    "BPR*I*100*C*CHK************20260301",
    "TRN*1*CHK0001*1999999999",
    "N1*PR*PAYER",
    "N1*PE*CLINIC*XX*1234567893",
]


def _x12(*body: str, head: tuple[str, ...] = tuple(HEAD)) -> bytes:
    segments = ["ST*835*0001", *head, *body]
    segments.append(f"SE*{len(segments) + 1}*0001")
    lines = [ISA, "GS*HP*PAYER*PROVIDER*20260301*1200*7*X*005010X221A1~"]
    lines += [s + "~" for s in segments] + ["GE*1*7~", "IEA*1*000000007~"]
    return "\n".join(lines).encode("utf-8") + b"\n"


def _read(data: bytes) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(read_remittance(read_document(data))))
    return result


def _body(text: str) -> list[str]:
    document = read_document(text.encode("utf-8"))
    return [s.text() for _, _, t in document.transactions() for s in t.segments()]


def _round_trip(data: bytes, allow_unbalanced: bool = False) -> None:
    original = [s.text() for _, _, t in read_document(data).transactions() for s in t.segments()]
    assert _body(build_835(_read(data), allow_unbalanced=allow_unbalanced, check=False)) == original


def test_claim_line_and_labels_are_named() -> None:
    data = _x12(
        "LX*1",
        "CLP*A1*4*100*0**MC*ICN1*11*1",
        "CAS*CO*50*100",
        "NM1*QC*1*ROE*RITA****MI*M1",
        "DTM*050*20260220",
        "SVC*HC:99213:25:59:::OFFICE VISIT*100*0**1",
        "DTM*150*20260210",
        "DTM*151*20260211",
        "LQ*HE*N130",
    )
    transaction = _read(data)["transactions"][0]
    assert transaction["payment"]["handling_label"] == "remittance information only"
    assert transaction["payment"]["method_label"] == "check"
    claim = transaction["groups"][0]["claims"][0]
    assert (claim["status_code"], claim["status"]) == ("4", "denied")
    assert claim["adjustments"] == [
        {"group": "CO", "group_label": "contractual obligation", "reason": "50", "amount": "100"}
    ]
    assert claim["dates"] == {"received": "2026-02-20"}
    line = claim["lines"][0]
    assert line["procedure"] == {
        "qualifier": "HC",
        "code": "99213",
        "modifiers": ["25", "59"],
        "description": "OFFICE VISIT",
    }
    assert line["service_period"] == {"start": "2026-02-10", "end": "2026-02-11"}
    assert line["remarks"] == [{"qualifier": "HE", "code": "N130"}]
    _round_trip(data, allow_unbalanced=True)


def test_claims_outside_any_lx_are_read_and_kept_outside() -> None:
    data = _x12(
        "CLP*B1*1*100*100**MC*ICN2",
        "NM1*QC*1*ROE*RITA",
        "SVC*HC:99213*100*100",
        "DTM*472*20260210",
    )
    transaction = _read(data)["transactions"][0]
    group = transaction["groups"][0]
    assert "header_number" not in group
    assert [c["patient_control_number"] for c in group["claims"]] == ["B1"]
    assert group["claims"][0]["lines"][0]["service_date"] == "2026-02-10"
    _round_trip(data)


def test_same_group_cas_segments_stay_apart() -> None:
    data = _x12(
        "LX*1",
        "CLP*C1*2*600*93*0*MC*ICN3",
        "CAS*OA*23*516",
        "CAS*OA*94*-9",
    )
    adjustments = _read(data)["transactions"][0]["groups"][0]["claims"][0]["adjustments"]
    assert [a.get("starts_segment", False) for a in adjustments] == [False, True]
    text = build_835(_read(data), allow_unbalanced=True, check=False)
    assert "CAS*OA*23*516~\nCAS*OA*94*-9~" in text


def test_a_full_cas_segment_ends_its_run_without_a_mark() -> None:
    """After six reasons a segment is full, so the next CAS of its group needs no mark; the one after it does."""
    full = "CAS*CO*" + "*".join(f"{n}*1*" for n in range(1, 7)).rstrip("*")
    data = _x12("LX*1", "CLP*C1*2*600*93*0*MC*ICN3", full, "CAS*CO*7*1", "CAS*CO*8*1", "CAS*PR*1*1", "CAS*PR*2*1")
    adjustments = _read(data)["transactions"][0]["groups"][0]["claims"][0]["adjustments"]
    assert [a.get("starts_segment", False) for a in adjustments] == [False] * 7 + [True, False, True]
    text = build_835(_read(data), allow_unbalanced=True, check=False)
    assert f"{full}~\nCAS*CO*7*1~\nCAS*CO*8*1~\nCAS*PR*1*1~\nCAS*PR*2*1~" in text


def test_what_no_field_holds_is_kept_as_structure() -> None:
    head = ("BPR*I*50*C*CHK************20261340", "TRN*1*CHK0001*1999999999", "DTM*405*20261340", "N1*PR*PAYER")
    data = _x12("LX*1", "CLP*D1*1*50*50**MC*ICN4*11*1*X", "NM1*QC*1*ROE*RITA", "ZZZ*ODD*SEGMENT", head=head)
    transaction = _read(data)["transactions"][0]
    assert transaction["extra_segments"] == [{"id": "DTM", "elements": {"DTM01": "405", "DTM02": "20261340"}}]
    assert transaction["payment"]["other_elements"] == {"BPR16": "20261340"}
    assert "date" not in transaction["payment"]
    claim = transaction["groups"][0]["claims"][0]
    assert claim["other_elements"] == {"CLP10": "X"}
    assert claim["extra_segments"][0]["id"] == "ZZZ"
    assert "production_date" not in transaction
    _round_trip(data, allow_unbalanced=True)


def test_provider_adjustments_keep_their_references_and_signs() -> None:
    data = _x12(
        "LX*1",
        "CLP*E1*1*100*100**MC*ICN5",
        "PLB*1234567893*20261231*WO:REF77*-10.50*L6*10.5",
    )
    plb = _read(data)["transactions"][0]["provider_adjustments"][0]
    assert plb == {
        "provider": "1234567893",
        "fiscal_period_date": "2026-12-31",
        "adjustments": [
            {"reason": "WO", "amount": "-10.50", "reference": "REF77"},
            {"reason": "L6", "amount": "10.5"},
        ],
    }
    _round_trip(data)


def test_amounts_keep_their_written_form() -> None:
    data = _x12("LX*1", "CLP*F1*1*945.00*100.0**MC*ICN6", "CAS*CO*45*845.00")
    claim = _read(data)["transactions"][0]["groups"][0]["claims"][0]
    assert (claim["charge"], claim["paid"]) == ("945.00", "100.0")
    _round_trip(data, allow_unbalanced=True)


def test_claim_names_keep_their_order() -> None:
    data = _x12("LX*1", "CLP*G1*1*100*100**MC*ICN7", "NM1*QC*1*ROE", "NM1*GB*1*ROE", "NM1*PR*2*OTHER PLAN*****PI*99")
    claim = _read(data)["transactions"][0]["groups"][0]["claims"][0]
    assert [key for key in claim if key in ("patient", "other_subscriber", "corrected_priority_payer")] == [
        "patient",
        "other_subscriber",
        "corrected_priority_payer",
    ]
    _round_trip(data)
