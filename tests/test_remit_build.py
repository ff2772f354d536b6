"""Building an 835 from remittance JSON: golden sample, schema and balancing refusals, envelope."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from edi.errors import InputError
from edi.remit.build import build_835
from edi.remit.read import read_remittance
from edi.x12.reader import read_document
from edi.x12.segment import Delimiters
from tests.conftest import SAMPLES

GOLDEN_JSON = SAMPLES / "835-office-visits.json"
GOLDEN_X12 = SAMPLES / "835-office-visits.x12"


def _golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))
    return data


def _claim(data: dict[str, Any], pcn: str) -> dict[str, Any]:
    for group in data["transactions"][0]["groups"]:
        for claim in group["claims"]:
            if claim["patient_control_number"] == pcn:
                return dict(claim)
    raise AssertionError(pcn)


def test_golden_json_builds_the_golden_835() -> None:
    assert build_835(_golden(), str(GOLDEN_JSON)) == GOLDEN_X12.read_text(encoding="utf-8")


def test_golden_835_reads_as_the_golden_json() -> None:
    data = json.loads(json.dumps(read_remittance(read_document(GOLDEN_X12))))
    data["file"] = "samples/835-office-visits.x12"
    assert data == _golden()


def test_golden_835_pays_the_837_sample_claims() -> None:
    claims_837 = [s.get(1) for s in read_document(SAMPLES / "837p-office-visits.x12").segments() if s.id == "CLM"]
    paid = [c["patient_control_number"] for g in _golden()["transactions"][0]["groups"] for c in g["claims"]]
    assert paid == claims_837


def test_unbalanced_claim_is_refused_naming_the_claim_and_its_amounts() -> None:
    data = _golden()
    claim = data["transactions"][0]["groups"][0]["claims"][1]
    claim["paid"] = "70"
    result: str | None = None
    with pytest.raises(InputError) as caught:
        result = build_835(data, "remit.json")
    assert result is None
    text = str(caught.value)
    assert text.startswith("remit.json: the remittance does not balance")
    assert "claim PCN-1002: charge 120 - adjustments 55 = 65, but paid (CLP04) is 70" in text
    assert "claims paid 411.25 - provider adjustments 0 = 411.25, but the payment amount (BPR02) is 406.25" in text


def test_unbalanced_line_is_refused_naming_the_line() -> None:
    data = _golden()
    line = data["transactions"][0]["groups"][0]["claims"][0]["lines"][1]
    line["adjustments"][0]["amount"] = "20"
    with pytest.raises(InputError) as caught:
        build_835(data)
    problems = caught.value.problems
    assert (
        "transaction 0001: claim PCN-1001 line 2 82947: charge 65 - adjustments 20 = 45, but paid (SVC03) is 40"
        in problems
    )


def test_allow_unbalanced_writes_the_amounts_as_given() -> None:
    data = _golden()
    data["transactions"][0]["payment"]["amount"] = "1.00"
    text = build_835(data, allow_unbalanced=True)
    assert "BPR*I*1.00*C*ACH" in text


def test_provider_adjustment_lowers_the_payment() -> None:
    data = _golden()
    transaction = data["transactions"][0]
    transaction["provider_adjustments"] = [
        {
            "provider": "1234567893",
            "fiscal_period_date": "2026-12-31",
            "adjustments": [{"reason": "WO", "amount": "6.25"}],
        }
    ]
    transaction["payment"]["amount"] = "400.00"
    text = build_835(data)
    assert "PLB*1234567893*20261231*WO*6.25~\nSE*48*0001~" in text


def test_schema_problems_are_listed_with_their_json_paths() -> None:
    data = _golden()
    claim = data["transactions"][0]["groups"][0]["claims"][0]
    claim["charge"] = 245
    claim["dates"] = {"received": "2026-13-40x"}
    with pytest.raises(InputError) as caught:
        build_835(data, "bad.json")
    assert str(caught.value).startswith("bad.json: the JSON does not match the remittance schema")
    paths = [p.split(":")[0] for p in caught.value.problems]
    assert "$.transactions[0].groups[0].claims[0].charge" in paths
    assert "$.transactions[0].groups[0].claims[0].dates.received" in paths


def test_counts_and_control_numbers_are_computed() -> None:
    data = _golden()
    second = copy.deepcopy(data["transactions"][0])
    second["control_number"] = "0002"
    data["transactions"].append(second)
    for transaction in data["transactions"]:
        del transaction["envelope"]
    text = build_835(data)
    document = read_document(text.encode("utf-8"))
    interchange = document.interchanges[0]
    assert len(document.interchanges) == 1
    group = interchange.groups[0]
    assert group.ge is not None and group.ge.elements == ["2", "1"]
    assert interchange.iea is not None and interchange.iea.elements == ["1", "000000001"]
    for transaction in group.transactions:
        assert transaction.se.get(1) == str(len(list(transaction.segments())))
        assert transaction.se.get(2) == transaction.control_number
    assert [t.control_number for t in group.transactions] == ["0001", "0002"]
    assert interchange.isa is not None and interchange.isa.get(6).strip() == "1512345678"


def test_other_delimiters_are_used_throughout() -> None:
    text = build_835(_golden(), delimiters=Delimiters("|", ">", "^", "~", "\n"))
    assert "SVC|HC>99214>25|180|120||1~" in text
    assert read_document(text.encode("utf-8")).interchanges[0].delimiters.component == ">"


def test_claim_level_adjustments_balance_with_the_lines() -> None:
    data = _golden()
    claim = data["transactions"][0]["groups"][0]["claims"][1]
    claim["adjustments"] = [{"group": "OA", "reason": "23", "amount": "5"}]
    claim["paid"] = "60"
    data["transactions"][0]["payment"]["amount"] = "401.25"
    text = build_835(data)
    assert "CLP*PCN-1002*1*120*60*30*12*ACME-CLM-0002*11*1~\nCAS*OA*23*5~\nNM1*QC" in text


def test_extra_segments_keep_their_guide_place() -> None:
    data = _golden()
    claim = data["transactions"][0]["groups"][0]["claims"][0]
    claim["extra_segments"] = [{"id": "MOA", "elements": {"MOA03": "MA01", "MOA05": "MA18"}}]
    text = build_835(data)
    assert "NM1*QC*1*DOE*JOHN****MI*W123456789~\nMOA***MA01**MA18~\nSVC" in text


def test_a_value_holding_a_separator_is_refused() -> None:
    data = _golden()
    data["transactions"][0]["payer"]["name"] = "ACME*HEALTH~PLAN"
    with pytest.raises(InputError) as caught:
        build_835(data, "remit.json")
    assert caught.value.problems == [
        "$.transactions[0].payer.name: 'ACME*HEALTH~PLAN' holds the element separator '*' (written as N102)"
    ]


def test_documented_example_is_the_golden_sample() -> None:
    text = (SAMPLES.parent / "docs" / "remittance-json.md").read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(example) == _golden()
    assert text.rstrip().endswith(GOLDEN_X12.read_text(encoding="utf-8").rstrip() + "\n```")
