"""What `edi build` writes passes SNIP 1-2 of `edi validate` first; the envelope is complete and kept."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from edi.claims.build import build_837
from edi.claims.envelope import EnvelopeOptions
from edi.claims.read import read_claims
from edi.cli import app
from edi.errors import InputError
from edi.validate.runner import validate_document
from edi.x12.reader import read_document
from tests.conftest import SAMPLES

MINIMAL = {
    "format": "edi.claims/1",
    "transaction": {"type": "837P"},
    "billing_providers": [
        {
            "billing_provider": {"name": "CLINIC", "npi": "1234567893"},
            "subscribers": [
                {
                    "subscriber": {"last_name": "DOE"},
                    "payer": {"name": "ACME"},
                    "claims": [
                        {
                            "patient_control_number": "A1",
                            "charge": "10",
                            "lines": [{"procedure": {"qualifier": "HC", "code": "99213"}, "charge": "10"}],
                        }
                    ],
                }
            ],
        }
    ],
}


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "claims-837p.json").read_text(encoding="utf-8"))
    return data


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def test_the_minimal_claims_json_is_refused_naming_json_paths() -> None:
    with pytest.raises(InputError) as caught:
        build_837(json.loads(json.dumps(MINIMAL)), "minimal.json")
    problems = caught.value.problems
    assert str(caught.value).startswith("minimal.json: the built 837 does not pass SNIP 1-2 validation")
    assert any(p.startswith("$.transaction: required segment BHT") for p in problems)
    assert any(p.startswith("$.billing_providers[0].subscribers[0].claims[0]: required segment HI") for p in problems)
    assert any(
        p.startswith("$.billing_providers[0].subscribers[0].subscriber: required element NM109") for p in problems
    )


def test_an_ambulance_pickup_location_without_a_name_is_not_written_without_nm102() -> None:
    data = _sample()
    claim = data["billing_providers"][0]["subscribers"][0]["claims"][0]
    claim["providers"]["ambulance_pickup"] = {
        "address": {"line1": "1 MAIN ST", "city": "SPRINGFIELD", "state": "IL", "postal_code": "62701"}
    }
    try:
        text = build_837(data, "ambulance.json")
    except InputError as error:
        assert any("providers.ambulance_pickup" in p and "NM102" in p for p in error.problems), error.problems
    else:
        assert not [s for s in _segments(text) if s.startswith("NM1*PW") and s.split("*")[2:3] in ([], [""])]


def test_every_sample_build_passes_snip_1_and_2() -> None:
    for path in sorted(SAMPLES.glob("claims-*.json")):
        text = build_837(json.loads(path.read_text(encoding="utf-8")), str(path))
        issues = validate_document(read_document(text.encode()), max_snip=2, ordering=False)
        assert [i for i in issues if i.severity == "error"] == []


def test_usage_defaults_to_test_and_follows_the_json_or_the_option() -> None:
    data = _sample()
    data["interchange"].pop("usage", None)
    assert _segments(build_837(data))[0].split("*")[15] == "T"
    data["interchange"]["usage"] = "P"
    assert _segments(build_837(data))[0].split("*")[15] == "P"
    assert _segments(build_837(data, options=EnvelopeOptions(usage="T")))[0].split("*")[15] == "T"


def test_the_control_number_option_sets_the_interchange_and_the_group(tmp_path: Path) -> None:
    source = tmp_path / "claims.json"
    source.write_text(json.dumps(_sample()), encoding="utf-8")
    out = tmp_path / "out.x12"
    result = CliRunner().invoke(app, ["build", str(source), "--control-number", "4242", "-o", str(out)])
    assert result.exit_code == 0, result.output
    segments = {s.split("*")[0]: s.split("*") for s in _segments(out.read_text(encoding="utf-8"))}
    assert segments["ISA"][13] == "000004242" and segments["IEA"][2] == "000004242"
    assert segments["GS"][6] == "4242" and segments["GE"][2] == "4242"


def test_the_envelope_read_from_a_file_is_built_back() -> None:
    text = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")
    text = text.replace("ISA*00*          *00*          *", "ISA*03*PASSWORD01*01*SECRET    *")
    text = text.replace("*20260115*1030*101*X*", "*20260114*091545*101*X*")
    data = json.loads(json.dumps(read_claims(read_document(text.encode(), file="in.x12"))))
    built = _segments(build_837(data, "in.json", now=datetime(2030, 1, 1)))
    assert built[0].startswith("ISA*03*PASSWORD01*01*SECRET    *ZZ*SUBMITTER01    *")
    assert built[1] == "GS*HC*SUBMITTER01*RECEIVER01*20260114*091545*101*X*005010X222A1"


def test_several_interchanges_keep_their_control_numbers() -> None:
    one = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")
    two = one.replace("000000101", "000000102").replace("*101*X*", "*102*X*").replace("GE*1*101", "GE*1*102")
    data = json.loads(json.dumps(read_claims(read_document((one + two).encode(), file="in.x12"))))
    built = _segments(build_837(data, "in.json"))
    assert [s.split("*")[13] for s in built if s.startswith("ISA*")] == ["000000101", "000000102"]
    assert [s.split("*")[6] for s in built if s.startswith("GS*")] == ["101", "102"]


def test_the_835_takes_the_envelope_options_too(tmp_path: Path) -> None:
    source = tmp_path / "remit.json"
    source.write_text((SAMPLES / "835-office-visits.json").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out.835"
    options = ["--control-number", "77", "--sender", "PAYER9", "--production"]
    result = CliRunner().invoke(app, ["build", str(source), *options, "-o", str(out)])
    assert result.exit_code == 0, result.output
    segments = {s.split("*")[0]: s.split("*") for s in _segments(out.read_text(encoding="utf-8"))}
    assert segments["ISA"][6].strip() == "PAYER9" and segments["ISA"][15] == "P"
    assert segments["ISA"][13] == "000000077" and segments["GS"][6] == "77" and segments["GE"][2] == "77"
