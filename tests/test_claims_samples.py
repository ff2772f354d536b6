"""The claims samples: golden in both directions, balanced, and accepted by an independent validator."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from edi.claims.build import build_837
from edi.claims.read import read_claims, renumbered
from edi.x12.reader import read_document
from tests.conftest import ROOT, SAMPLES

KINDS = ("837p", "837i", "837d", "837i-inpatient", "837p-ambulance")


def _json(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"claims-{kind}.json").read_text(encoding="utf-8"))
    return data


def _claims(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for provider in data["billing_providers"]:
        for subscriber in provider["subscribers"]:
            out += subscriber.get("claims", [])
            for patient in subscriber.get("patients", []):
                out += patient["claims"]
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_json_builds_the_committed_837(kind: str) -> None:
    path = SAMPLES / f"claims-{kind}.x12"
    assert build_837(_json(kind), str(path)) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", KINDS)
def test_837_reads_as_the_committed_json(kind: str) -> None:
    document = read_document(SAMPLES / f"claims-{kind}.x12")
    assert read_claims(document) == _json(kind)
    assert all(renumbered(t) == [] for _, _, t in document.transactions())


@pytest.mark.parametrize("kind", KINDS)
def test_claim_charge_is_the_sum_of_its_lines(kind: str) -> None:
    claims = _claims(_json(kind))
    assert claims
    for claim in claims:
        assert Decimal(claim["charge"]) == sum(Decimal(line["charge"]) for line in claim["lines"])


@pytest.mark.parametrize("kind", KINDS)
def test_npis_pass_the_luhn_check(kind: str) -> None:
    npis = re.findall(r'"npi": "(\d+)"', (SAMPLES / f"claims-{kind}.json").read_text(encoding="utf-8"))
    assert npis
    for npi in npis:
        digits = [int(c) for c in "80840" + npi[:-1]]
        total = sum(d if i % 2 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(reversed(digits)))
        assert (10 - total % 10) % 10 == int(npi[-1]), npi


def test_837p_sample_has_a_dependent_patient_and_two_claims() -> None:
    data = _json("837p")
    subscribers = data["billing_providers"][0]["subscribers"]
    assert len(_claims(data)) == 2
    assert [p["relationship"] for s in subscribers for p in s.get("patients", [])] == ["19"]
    text = (SAMPLES / "claims-837p.x12").read_text(encoding="utf-8")
    assert "HL*3*1*22*1~" in text and "HL*4*3*23*0~" in text and "PAT*19~" in text


def test_837i_sample_has_the_inpatient_segments() -> None:
    text = (SAMPLES / "claims-837i.x12").read_text(encoding="utf-8")
    for piece in ("CL1*", "DTP*434*RD8*", "DTP*435*", "HI*ABK:", "HI*ABJ:", "HI*ABF:", "SV2*0120"):
        assert piece in text
    assert re.search(r"HI\*ABK:\w+:::::::Y~", text)


def test_837d_sample_has_the_dental_segments() -> None:
    text = (SAMPLES / "claims-837d.x12").read_text(encoding="utf-8")
    for piece in ("SV3*AD:D2392", "TOO*JP*30*M:O~", "DN2*"):
        assert piece in text


def test_inpatient_sample_names_its_institutional_codes() -> None:
    claim = _claims(_json("837i-inpatient"))[0]
    for key in ("drg", "principal_procedure", "other_procedures", "occurrences", "occurrence_spans", "values"):
        assert claim[key]
    assert claim["condition_codes"] and claim["dates"]["discharge_hour"] and "T" in claim["dates"]["admission"]
    assert "extra_segments" not in claim
    text = (SAMPLES / "claims-837i-inpatient.x12").read_text(encoding="utf-8")
    for piece in ("DTP*096*TM*", "DTP*435*DT*", "HI*DR:", "HI*BBR:", "HI*BBQ:", "HI*BI:", "HI*BH:", "HI*BE:", "HI*BG:"):
        assert piece in text


def test_ambulance_sample_names_its_transport_and_locations() -> None:
    claim = _claims(_json("837p-ambulance"))[0]
    assert claim["place_of_service"] == "41"
    assert claim["ambulance_transport"]["distance"] and claim["ambulance_certifications"]
    assert set(claim["providers"]) == {"ambulance_pickup", "ambulance_dropoff"}
    assert "extra_segments" not in claim
    text = (SAMPLES / "claims-837p-ambulance.x12").read_text(encoding="utf-8").replace("\n", "")
    assert re.search(r"~CR1\*LB\*\d+\*\*A\*DH\*\d+", text) and "~CRC*07*Y*" in text
    assert "~NM1*PW*2~N3*" in text and "~NM1*45*2*" in text


def _x12valid() -> str | None:
    beside = Path(sys.executable).with_name("x12valid")
    return str(beside) if beside.is_file() else shutil.which("x12valid")


@pytest.mark.parametrize("kind", ["837p", "837i", "837i-inpatient", "837p-ambulance"])
def test_pyx12_accepts_the_built_837(kind: str, tmp_path: Path) -> None:
    tool = _x12valid()
    if tool is None:
        pytest.skip("pyx12 (x12valid) is not installed")
    built = tmp_path / f"{kind}.x12"
    built.write_text(build_837(_json(kind), kind), encoding="utf-8")
    result = subprocess.run([tool, str(built)], capture_output=True, text=True, check=False, cwd=ROOT)
    assert f"{built}: OK" in result.stdout + result.stderr, result.stdout + result.stderr


def test_documented_example_is_the_sample() -> None:
    text = (ROOT / "docs" / "claims-json.md").read_text(encoding="utf-8")
    block = text.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(block) == _json("837p")
    assert (SAMPLES / "claims-837p.x12").read_text(encoding="utf-8").strip() in text
