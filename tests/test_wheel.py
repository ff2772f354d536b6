"""The wheel carries the grammars and schemas: built, installed in a fresh environment, used."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES


@pytest.mark.slow
def test_wheel_installs_and_parses_a_sample(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("edi_x12-*.whl"))
    environment = tmp_path / "env"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True)
    with zipfile.ZipFile(wheel) as archive:
        listing = archive.namelist()
    assert "edi/grammars/837P.lark" in listing and "edi/schemas/structure.schema.json" in listing
    assert "edi/py.typed" in listing and "edi/schemas/findings.schema.json" in listing
    assert "edi/ledger/migrations/env.py" in listing and "edi/ledger/migrations/versions/0001_initial.py" in listing
    result = subprocess.run(
        [str(environment / "bin" / "edi"), "parse", "--json", str(SAMPLES / "835-office-visits.x12")],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert '"guide":"835"' in result.stdout and '"CLP01":"PCN-1003"' in result.stdout
    version = subprocess.run(
        [str(python), "-m", "edi", "--version"], check=True, capture_output=True, text=True, cwd=tmp_path
    )
    assert version.stdout.startswith("edi ")
