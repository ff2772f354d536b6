"""`edi build` and `edi read` on remittances: the library behind them, seen from the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from edi.cli import app
from edi.errors import EXIT_UNREADABLE
from tests.conftest import SAMPLES

runner = CliRunner()
GOLDEN_JSON = SAMPLES / "835-office-visits.json"
GOLDEN_X12 = SAMPLES / "835-office-visits.x12"


def test_build_writes_the_golden_835(tmp_path: Path) -> None:
    out = tmp_path / "out.x12"
    result = runner.invoke(app, ["build", str(GOLDEN_JSON), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == GOLDEN_X12.read_text(encoding="utf-8")


def test_unbalanced_remittance_writes_nothing_and_names_the_claim(tmp_path: Path) -> None:
    data = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))
    data["transactions"][0]["groups"][0]["claims"][2]["paid"] = "200"
    source = tmp_path / "unbalanced.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out.x12"
    result = runner.invoke(app, ["build", str(source), "-o", str(out)])
    assert result.exit_code == EXIT_UNREADABLE
    assert "claim PCN-1003: charge 310 - adjustments 118.75 = 191.25, but paid (CLP04) is 200" in result.output
    assert not out.exists()
    allowed = runner.invoke(app, ["build", str(source), "-o", str(out), "--allow-unbalanced"])
    assert allowed.exit_code == 0, allowed.output
    assert "CLP*PCN-1003*1*310*200*" in out.read_text(encoding="utf-8")


def test_read_csv_gives_one_row_per_line() -> None:
    result = runner.invoke(app, ["read", "--csv", str(GOLDEN_X12)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["patient_control_number"], r["procedure"], r["paid"]) for r in rows] == [
        ("PCN-1001", "99214", "110.00"),
        ("PCN-1001", "82947", "40.00"),
        ("PCN-1002", "99213", "65.00"),
        ("PCN-1003", "99214", "120.00"),
        ("PCN-1003", "87880", "71.25"),
    ]


def test_read_refuses_an_835_followed_by_an_837_before_any_output(tmp_path: Path) -> None:
    remit, claims = (SAMPLES / "835-office-visits.x12").read_bytes(), (SAMPLES / "claims-837p.x12").read_bytes()
    for name, text in (("remit-first.x12", remit + claims), ("claims-first.x12", claims + remit)):
        path = tmp_path / name
        path.write_bytes(text)
        result = runner.invoke(app, ["read", "--json", str(path)])
        assert result.exit_code == EXIT_UNREADABLE
        assert result.stdout == ""
        assert "found: 835, 837" in result.stderr


def test_read_of_two_837_interchanges_is_one_batch(tmp_path: Path) -> None:
    claims = (SAMPLES / "claims-837p.x12").read_bytes()
    path = tmp_path / "two.x12"
    path.write_bytes(claims + claims)
    result = runner.invoke(app, ["read", "--json", str(path)])
    assert result.exit_code == 0
    one = json.loads(runner.invoke(app, ["read", "--json", str(SAMPLES / "claims-837p.x12")]).stdout)
    del one["format"]
    assert json.loads(result.stdout)["batch"] == [one, one]
