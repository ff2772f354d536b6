"""`edi build` and `edi read`: exit codes, refusals with JSON paths, options, dispatch by format."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from edi.claims.build import build_837
from tests.conftest import ROOT, SAMPLES

HAS_REMIT = importlib.util.find_spec("edi.remit.build") is not None


def _edi(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "edi.cli", *args], capture_output=True, text=True, check=False, cwd=ROOT, env=env
    )


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "claims-837p.json").read_text(encoding="utf-8"))
    return data


def _first_claim(data: dict[str, Any]) -> dict[str, Any]:
    claim: dict[str, Any] = data["billing_providers"][0]["subscribers"][0]["claims"][0]
    return claim


def _refused(data: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "claims.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out.x12"
    result = _edi("build", str(source), "-o", str(out))
    assert result.returncode == 2
    assert not out.exists()
    assert "Traceback" not in result.stderr
    return result


def test_wrong_type_is_refused_with_its_json_path(tmp_path: Path) -> None:
    data = _sample()
    _first_claim(data)["charge"] = 240
    result = _refused(data, tmp_path)
    assert "$.billing_providers[0].subscribers[0].claims[0].charge" in result.stderr
    assert "is not of type 'string'" in result.stderr


def test_missing_required_field_is_refused_with_its_json_path(tmp_path: Path) -> None:
    data = _sample()
    del _first_claim(data)["patient_control_number"]
    result = _refused(data, tmp_path)
    assert "$.billing_providers[0].subscribers[0].claims[0]" in result.stderr
    assert "'patient_control_number' is a required property" in result.stderr


def test_unknown_key_is_refused_with_its_json_path(tmp_path: Path) -> None:
    data = _sample()
    _first_claim(data)["lines"][1]["colour"] = "blue"
    result = _refused(data, tmp_path)
    assert "$.billing_providers[0].subscribers[0].claims[0].lines[1]" in result.stderr
    assert "'colour' was unexpected" in result.stderr


def test_unknown_format_names_the_accepted_ones(tmp_path: Path) -> None:
    result = _refused({"format": "edi.something/9"}, tmp_path)
    assert "edi.claims/1" in result.stderr and "edi.remittance/1" in result.stderr


def test_a_value_holding_a_separator_is_refused(tmp_path: Path) -> None:
    data = _sample()
    data["billing_providers"][0]["billing_provider"]["name"] = "SMITH*JONES CLINIC"
    result = _refused(data, tmp_path)
    path = "$.billing_providers[0].billing_provider.name"
    assert f"{path}: 'SMITH*JONES CLINIC' holds the element separator" in result.stderr


def test_build_writes_the_sample_837(tmp_path: Path) -> None:
    out = tmp_path / "out.x12"
    result = _edi("build", str(SAMPLES / "claims-837p.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == (SAMPLES / "claims-837p.x12").read_text(encoding="utf-8")


def test_build_warns_about_segments_kept_where_the_guide_does_not_place_them(tmp_path: Path) -> None:
    data = _sample()
    _first_claim(data)["extra_segments"] = [
        {"id": "DMG", "elements": {"DMG01": "D8", "DMG02": "19800101", "DMG03": "F"}, "unplaced": True}
    ]
    source = tmp_path / "claims.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out.x12"
    result = _edi("build", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "DMG*D8*19800101*F~" in out.read_text(encoding="utf-8")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1
    assert "'DMG*D8*19800101*F' in loop 2300 is not placed by the 837P guide" in warnings[0]


def test_envelope_options_win_over_the_json(tmp_path: Path) -> None:
    out = tmp_path / "out.x12"
    args = ["--control-number", "42", "--sender", "CLEARHOUSE", "--receiver", "PAYERX", "--production"]
    result = _edi("build", str(SAMPLES / "claims-837p.json"), "-o", str(out), *args)
    assert result.returncode == 0, result.stderr
    isa, gs = out.read_text(encoding="utf-8").splitlines()[:2]
    fields = isa.split("*")
    assert fields[6] == "CLEARHOUSE".ljust(15) and fields[8] == "PAYERX".ljust(15)
    assert fields[13] == "000000042" and fields[15] == "P"
    assert gs.split("*")[2:4] == ["CLEARHOUSE", "PAYERX"]
    assert out.read_text(encoding="utf-8").rstrip().endswith("IEA*1*000000042~")


def test_delimiters_option_is_used_throughout() -> None:
    result = _edi("build", str(SAMPLES / "claims-837d.json"), "--delimiters", "|>^!")
    assert result.returncode == 0, result.stderr
    assert "SV3|AD>D2392|210||||1|||||1!" in result.stdout
    assert "TOO|JP|30|M>O!" in result.stdout
    assert "*" not in result.stdout.replace("~", "")


def test_read_prints_claims_json_and_writes_csv(tmp_path: Path) -> None:
    result = _edi("read", str(SAMPLES / "claims-837i.x12"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads((SAMPLES / "claims-837i.json").read_text(encoding="utf-8"))
    out = tmp_path / "lines.csv"
    result = _edi("read", "--csv", str(SAMPLES / "claims-837i.x12"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("patient_control_number,")
    assert len(rows) == 1 + 4
    assert rows[1].split(",")[:2] == ["PCN-3001", "6050.00"]


def test_read_warns_about_numbers_the_build_will_correct(tmp_path: Path) -> None:
    text = (SAMPLES / "claims-837p.x12").read_text(encoding="utf-8").replace("SE*52*0001~", "SE*50*0001~")
    source = tmp_path / "wrong-count.x12"
    source.write_text(text, encoding="utf-8")
    result = _edi("read", str(source))
    assert result.returncode == 0, result.stderr
    assert "SE01 is '50' but the transaction set has 52 segments" in result.stderr


def test_read_refuses_a_file_that_is_not_x12(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("hello", encoding="utf-8")
    result = _edi("read", str(source))
    assert result.returncode == 2
    assert "notes.txt" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not HAS_REMIT, reason="edi.remit (the 835 side) is not installed")
def test_read_and_build_dispatch_835_to_the_remittance_side(tmp_path: Path) -> None:
    result = _edi("read", str(SAMPLES / "835-office-visits.x12"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "edi.remittance/1"
    source = tmp_path / "remit.json"
    source.write_text(result.stdout, encoding="utf-8")
    built = _edi("build", str(source))
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines()[2].startswith("ST*835*")


def test_read_keeps_renumbering_warnings_short(tmp_path: Path) -> None:
    data = _sample()
    subscribers = data["billing_providers"][0]["subscribers"]
    subscribers *= 4
    text = re.sub(r"HL\*(\d+)\*", lambda m: f"HL*{int(m.group(1)) + 10}*", build_837(data))
    source = tmp_path / "renumbered.x12"
    source.write_text(text, encoding="utf-8")
    result = _edi("read", str(source))
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 6
    assert "segment 6 'HL*11**20*1' is built as HL*1**20*1" in warnings[0]
    assert warnings[-1].endswith("8 more HL or SE numbers will be corrected by edi build")
