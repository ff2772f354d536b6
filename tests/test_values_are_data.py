"""Values are data, never syntax: every writer refuses a value that would read back as other segments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edi.claims.build import build_837
from edi.claims.envelope import EnvelopeOptions
from edi.convert.structure import document_json
from edi.errors import InputError
from edi.remit.build import build_835
from edi.remit.read import read_remittance
from edi.x12.reader import read_document
from edi.x12.segment import Segment
from edi.x12.values import UnsafeValue, checked_text, value_problem
from edi.x12.writer import segment_text
from tests.conftest import SAMPLES


def _claims() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "837p-office-visits.json").read_text(encoding="utf-8"))
    return data


def _remittance() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "835-office-visits.json").read_text(encoding="utf-8"))
    return data


def _refused(build: Any, data: dict[str, Any], path: str, **options: Any) -> str:
    with pytest.raises(InputError) as caught:
        build(data, "in.json", **options)
    text = str(caught.value)
    assert text.startswith("in.json: ")
    assert f"{path}: " in text, text
    return text


def _claim(data: dict[str, Any]) -> dict[str, Any]:
    claim: dict[str, Any] = data["billing_providers"][0]["subscribers"][0]["claims"][0]
    return claim


def test_a_group_sender_holding_the_element_separator_is_refused() -> None:
    data = _claims()
    data["group"]["sender"] = "SUBMITTER01*EVILPAYER"
    text = _refused(build_837, data, "$.group.sender")
    assert "element separator '*'" in text
    assert "GS02" in text


def test_an_injected_transaction_set_in_a_name_is_refused() -> None:
    data = _claims()
    data["billing_providers"][0]["subscribers"][0]["subscriber"]["last_name"] = "DOE~SE*2*0001~ST*837*0002"
    text = _refused(build_837, data, "$.billing_providers[0].subscribers[0].subscriber.last_name")
    assert "holds the element separator '*'" in text


def test_a_claim_id_holding_the_component_separator_is_refused() -> None:
    data = _claims()
    _claim(data)["patient_control_number"] = "PCN:1001"
    text = _refused(build_837, data, "$.billing_providers[0].subscribers[0].claims[0].patient_control_number")
    assert "component separator ':'" in text and "CLM01" in text


@pytest.mark.parametrize("value", ["DOE\nSMITH", "DOE\r", "DOE\x00", "DOE\x1d"])
def test_a_value_with_a_line_break_or_control_character_is_refused(value: str) -> None:
    data = _claims()
    data["submitter"]["name"] = value
    _refused(build_837, data, "$.submitter.name")


def test_a_sender_option_holding_a_separator_is_refused() -> None:
    with pytest.raises(InputError, match=r"ISA06"):
        build_837(_claims(), "in.json", EnvelopeOptions(sender="A~B"))


def test_a_value_outside_the_x12_character_set_is_refused_in_a_build() -> None:
    data = _claims()
    data["submitter"]["name"] = "CAFÉ CLINIC"
    text = _refused(build_837, data, "$.submitter.name")
    assert "outside the X12 character set" in text


def test_structural_extra_segments_are_checked_too() -> None:
    data = _claims()
    _claim(data)["extra_segments"] = [{"id": "NTE", "elements": {"NTE01": "ADD", "NTE02": "A~NM1*QC"}}]
    _refused(build_837, data, "$.billing_providers[0].subscribers[0].claims[0].extra_segments[0].elements.NTE02")


def test_an_835_claim_number_holding_the_component_separator_is_refused() -> None:
    data = _remittance()
    data["transactions"][0]["groups"][0]["claims"][0]["patient_control_number"] = "PCN:1001"
    text = _refused(build_835, data, "$.transactions[0].groups[0].claims[0].patient_control_number")
    assert "CLP01" in text


def test_an_835_payer_name_with_a_line_break_is_refused() -> None:
    data = _remittance()
    data["transactions"][0]["payer"]["name"] = "ACME\nPLAN"
    _refused(build_835, data, "$.transactions[0].payer.name")


def test_reading_an_835_keeps_a_claim_number_holding_a_colon_whole() -> None:
    text = (SAMPLES / "835-office-visits.x12").read_text(encoding="utf-8").replace("CLP*PCN-1001*", "CLP*PCN:1001*")
    assert "CLP*PCN:1001*" in text
    remittance = read_remittance(read_document(text.encode(), file="colon.835"))
    claim = remittance["transactions"][0]["groups"][0]["claims"][0]
    assert claim["patient_control_number"] == "PCN:1001"


def test_the_writer_refuses_a_segment_whose_value_holds_a_separator() -> None:
    with pytest.raises(UnsafeValue, match="NM103"):
        segment_text([Segment("NM1", ["85", "2", "A*B"])])
    with pytest.raises(UnsafeValue, match="line break"):
        checked_text(Segment("NTE", ["ADD", "A\nB"]))


def test_a_whole_element_may_hold_components_a_component_may_not() -> None:
    segment = Segment("SV1", ["HC:99213", "100"])
    assert checked_text(segment) == "SV1*HC:99213*100"
    assert value_problem("HC:99213", segment.delimiters, part=False) is None
    assert value_problem("HC:99213", segment.delimiters) == "holds the component separator ':'"


def test_edi_write_refuses_structural_json_with_an_injected_segment(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from edi.cli import app

    tree = document_json(read_document(SAMPLES / "837p-office-visits.x12"))
    nm1 = tree["interchanges"][0]["groups"][0]["transactions"][0]["loops"]["items"][2]["items"][0]
    assert nm1["id"] == "NM1"
    nm1["elements"]["NM103"] = "EVIL~ST*837*9999"
    source = tmp_path / "tree.json"
    source.write_text(json.dumps(tree), encoding="utf-8")
    out = tmp_path / "out.x12"
    result = CliRunner().invoke(app, ["write", str(source), "-o", str(out)])
    assert result.exit_code == 2
    assert "NM103" in result.output and "holds the" in result.output
    assert f"{source}: " in result.output and ".elements.NM103" in result.output
    assert not out.exists() or "EVIL" not in out.read_text(encoding="utf-8")
