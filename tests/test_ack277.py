"""The 277CA: written from the findings for an 837, read back, validated by us and by pyx12."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from edi.ack.ack277 import build_277ca
from edi.ack.ack999 import AckOptions
from edi.ack.read277 import read_claim_acks
from edi.cli import app
from edi.errors import ReadError
from edi.schemas import load_schema
from edi.validate.runner import validate_file
from edi.x12.document import Document
from edi.x12.lalr import Loop
from edi.x12.reader import read_document
from edi.x12.segment import Segment
from tests.conftest import CORPUS, SAMPLES, TWO_FAULTS, CorpusFile, corpus_params, seeded_batch

FIXED = AckOptions(control_number=7, now=datetime(2026, 2, 1, 9, 30, tzinfo=UTC))


def _ack(path: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    _, issues = validate_file(path)
    text = build_277ca(read_document(path), issues, FIXED)
    assert text is not None
    out = tmp_path / "out.277"
    out.write_text(text, encoding="utf-8")
    return out, read_claim_acks(read_document(out))


def _by_pcn(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {claim["patient_control_number"]: claim for claim in data["claims"]}


def _x12valid() -> str | None:
    beside = Path(sys.executable).with_name("x12valid")
    return str(beside) if beside.is_file() else shutil.which("x12valid")


def test_faulty_claims_are_rejected_and_the_rest_accepted(tmp_path: Path) -> None:
    _, data = _ack(seeded_batch(tmp_path, *TWO_FAULTS), tmp_path)
    claims = _by_pcn(data)
    assert set(claims) == {"PCN-1001", "PCN-1002", "PCN-1003"}
    assert claims["PCN-1001"]["accepted"] and claims["PCN-1001"]["category"] == "A2"
    assert (claims["PCN-1002"]["accepted"], claims["PCN-1002"]["category"], claims["PCN-1002"]["action"]) == (
        False,
        "A7",
        "U",
    )
    assert claims["PCN-1002"]["status_codes"] == ["400"]  # out of balance
    assert claims["PCN-1003"]["status_codes"] == ["254"]  # principal diagnosis
    assert claims["PCN-1003"]["charge"] == "310"
    assert (claims["PCN-1003"]["service_from"], claims["PCN-1003"]["service_to"]) == ("2026-01-13", "2026-01-13")
    assert claims["PCN-1003"]["patient"]["name"] == "SMITH, EMMA"
    assert claims["PCN-1003"]["patient"]["id"] == "W987654321"  # the subscriber's member ID
    batch = data["batches"][0]
    assert batch["batch_trace"] == "BATCH0001"
    assert (batch["accepted_count"], batch["rejected_count"]) == (1, 2)
    assert (batch["accepted_amount"], batch["rejected_amount"]) == ("245", "440")


def test_the_277ca_validates_clean_and_reads_back_with_guide_names(tmp_path: Path) -> None:
    out, _ = _ack(seeded_batch(tmp_path, *TWO_FAULTS), tmp_path)
    _, issues = validate_file(out)
    assert [i for i in issues if i.severity == "error"] == []
    (transaction,) = [t for _, _, t in read_document(out).transactions()]
    assert transaction.guide is not None and transaction.guide.id == "277CA"
    loops = [loop.id for _, loop in transaction.root.walk()]
    assert {"2000A", "2100A", "2200B", "2000C", "2000D", "2100D", "2200D"} <= set(loops)
    assert transaction.guide.loop_name("2200D") == "Claim Status Tracking Number"


def test_pyx12_accepts_the_277ca(tmp_path: Path) -> None:
    tool = _x12valid()
    if tool is None:
        pytest.skip("pyx12 (x12valid) is not installed")
    out, _ = _ack(seeded_batch(tmp_path, *TWO_FAULTS), tmp_path)
    result = subprocess.run([tool, str(out)], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert f"{out}: OK" in result.stdout + result.stderr, result.stdout + result.stderr


def test_two_faults_in_one_claim_give_two_status_codes(tmp_path: Path) -> None:
    demo = (("CLM*PCN-1002*120", "CLM*PCN-1002*130"), ("HI*ABK:J069", "HI*ABK:G01*ABF:J069"))
    _, data = _ack(seeded_batch(tmp_path, *demo), tmp_path)
    claims = _by_pcn(data)
    assert [pcn for pcn, claim in claims.items() if not claim["accepted"]] == ["PCN-1002"]
    assert claims["PCN-1002"]["status_codes"] == ["400", "254"]


def test_a_fault_in_the_subscriber_rejects_every_claim_below_it(tmp_path: Path) -> None:
    # an invalid NPI on the rendering provider of PCN-1003, and an unknown state in subscriber DOE's address
    faults = (("XX*1558598797", "XX*1558598790"), ("N4*SPRINGFIELD*IL*627040002", "N4*SPRINGFIELD*ZZ*627040002"))
    _, data = _ack(seeded_batch(tmp_path, *faults), tmp_path)
    claims = _by_pcn(data)
    assert not claims["PCN-1001"]["accepted"] and not claims["PCN-1002"]["accepted"]
    assert claims["PCN-1001"]["status_codes"] == claims["PCN-1002"]["status_codes"]
    assert claims["PCN-1003"]["statuses"] == [{"category": "A7", "code": "562", "entity": "82"}]


def test_a_fault_outside_every_claim_returns_the_set_unprocessable(tmp_path: Path) -> None:
    submitter = ("NM1*41*2*RIVERSIDE FAMILY PRACTICE*****46*TIN123456", "NM1*41*2")
    _, data = _ack(seeded_batch(tmp_path, submitter), tmp_path)
    assert {c["category"] for c in data["claims"]} == {"A3"}
    assert not any(c["accepted"] for c in data["claims"])
    assert data["batches"][0]["statuses"] == [{"category": "A3", "code": "21"}]


def test_institutional_claims_carry_bill_type_and_statement_dates(tmp_path: Path) -> None:
    path = SAMPLES / "claims-837i.x12"
    _, issues = validate_file(path)
    text = build_277ca(read_document(path), issues, FIXED)
    assert text is not None
    out = tmp_path / "i.277"
    out.write_text(text, encoding="utf-8")
    (claim, *_) = read_claim_acks(read_document(out))["claims"]
    clm = next(s for s in path.read_text(encoding="utf-8").split("~") if s.strip().startswith("CLM*"))
    facility = clm.split("*")[5].split(":")
    assert claim["bill_type"] == facility[0] + facility[2]
    assert "service_from" in claim


def test_no_277ca_for_a_file_without_claims() -> None:
    path = SAMPLES / "835-office-visits.x12"
    assert build_277ca(read_document(path), [], FIXED) is None


def test_cli_writes_the_277ca_and_reads_it_as_documented_json(tmp_path: Path) -> None:
    source = seeded_batch(tmp_path, *TWO_FAULTS)
    out = tmp_path / "answer.277"
    result = CliRunner().invoke(app, ["validate", str(source), "--ack277", str(out)])
    assert result.exit_code == 1, result.output
    assert out.read_text(encoding="utf-8").startswith("ISA*")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    read = CliRunner().invoke(app, ["read", str(out)])
    assert read.exit_code == 0, read.output
    data = json.loads(read.stdout)
    assert list(Draft202012Validator(load_schema("claim-acks")).iter_errors(data)) == []
    assert {c["patient_control_number"]: c["accepted"] for c in data["claims"]} == {
        "PCN-1001": True,
        "PCN-1002": False,
        "PCN-1003": False,
    }


def test_cli_refuses_csv_of_a_277ca(tmp_path: Path) -> None:
    out, _ = _ack(seeded_batch(tmp_path, *TWO_FAULTS), tmp_path)
    result = CliRunner().invoke(app, ["read", str(out), "--csv"])
    assert result.exit_code == 2
    assert "no CSV for a 277CA" in result.output


REJECTED = CORPUS / "other" / "imsweb__x12_277CA_rejected.txt"


@pytest.mark.skipif(not REJECTED.is_file(), reason=f"corpus file not found: {REJECTED}")
def test_reads_a_payer_277ca_with_a_rejected_claim() -> None:
    data = read_claim_acks(read_document(REJECTED))
    assert list(Draft202012Validator(load_schema("claim-acks")).iter_errors(data)) == []
    (claim,) = data["claims"]
    assert claim["accepted"] is False
    assert claim["statuses"] == [{"category": "A7", "code": "562", "entity": "85"}]
    assert claim["payer_claim_control_number"]
    assert data["batches"][0]["statuses"][0]["category"] == "A1"


def test_a_line_fault_gives_the_line_its_own_status(tmp_path: Path) -> None:
    out, data = _ack(seeded_batch(tmp_path, ("SV1*HC:87880*130", "SV1*HC:8788*130")), tmp_path)
    claims = _by_pcn(data)
    assert claims["PCN-1003"]["status_codes"] == ["454"]  # procedure code
    (line,) = claims["PCN-1003"]["lines"]
    assert line["procedure"] == ["HC", "8788"] and line["charge"] == "130"
    assert line["line_control_number"] == "L1003-2"
    assert line["statuses"] == [{"category": "A7", "code": "454"}]
    assert "lines" not in claims["PCN-1001"]
    _, issues = validate_file(out)
    assert [i for i in issues if i.severity == "error"] == []


@pytest.mark.parametrize(
    ("sample", "good", "bad", "procedure", "charge", "units"),
    [
        ("claims-837i.x12", "SV2*0300*HC:80053*400", "SV2*0300*HC:8005*400", ["HC", "8005"], "400", "2"),
        ("claims-837d.x12", "SV3*AD:D0120*65", "SV3*AD:D012*65", ["AD", "D012"], "65", "1"),
    ],
)
def test_a_line_fault_is_answered_from_the_guides_service_segment(
    sample: str, good: str, bad: str, procedure: list[str], charge: str, units: str, tmp_path: Path
) -> None:
    """SV2 and SV3 keep procedure, charge and units at other places than SV1: the guide says where."""
    path = tmp_path / sample
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    assert good in text
    path.write_text(text.replace(good, bad), encoding="utf-8")
    _, data = _ack(path, tmp_path)
    (answered,) = [claim for claim in data["claims"] if "lines" in claim]
    (found,) = answered["lines"]
    assert (found["procedure"], found["charge"], found["units"]) == (procedure, charge, units)
    assert found["statuses"] == [{"category": "A7", "code": "454"}]


def test_edi_parse_names_the_277ca_loops(tmp_path: Path) -> None:
    out, _ = _ack(seeded_batch(tmp_path, *TWO_FAULTS), tmp_path)
    result = CliRunner().invoke(app, ["parse", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert '"guide":"277CA"' in result.stdout.replace(" ", "")
    assert "Claim Status Tracking Number" in result.stdout


@pytest.mark.parametrize("row", corpus_params("837p", "837i", "837d"))
def test_the_277ca_of_every_corpus_claim_file_validates_clean(row: CorpusFile, tmp_path: Path) -> None:
    try:
        document = read_document(row.path)
    except ReadError:
        pytest.skip("the reader rejects this file")
    _, issues = validate_file(row.path)
    text = build_277ca(document, issues, FIXED)
    if text is None:
        assert not [loop for _, loop in _walk(document) if loop.id == "2300"]
        return
    out = tmp_path / "answer.277"
    out.write_text(text, encoding="utf-8")
    _, found = validate_file(out)
    assert [f"{i.rule}: {i.message}" for i in found if i.severity == "error"] == []
    claims = read_claim_acks(read_document(out))["claims"]
    rejected = {i.claim for i in issues if i.severity == "error" and i.claim}
    for claim in claims:
        if claim["patient_control_number"] in rejected:
            assert not claim["accepted"], claim["patient_control_number"]


def _walk(document: Document) -> list[tuple[Segment, Loop]]:
    return [pair for _, _, t in document.transactions() for pair in t.root.walk()]
