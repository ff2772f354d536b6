"""Shared fixtures: the corpus of real X12 files beside the project, and the samples."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"
REFERENCE = ROOT.parent / "shared" / "reference-data"


@dataclass(frozen=True)
class CorpusFile:
    """One row of the corpus MANIFEST."""

    path: Path
    folder: str
    type: str
    version: str
    valid: str
    notes: str

    def __str__(self) -> str:
        return f"{self.folder}/{self.path.name}"


def corpus_files(*folders: str, valid: tuple[str, ...] = ("yes", "no", "unknown")) -> list[CorpusFile]:
    """Rows of the corpus MANIFEST in ``folders`` whose ``valid`` column is in ``valid``."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    rows = []
    with manifest.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            folder = row["file"].split("/")[0]
            if folder in folders and row["valid"] in valid:
                rows.append(
                    CorpusFile(CORPUS / row["file"], folder, row["type"], row["version"], row["valid"], row["notes"])
                )
    return rows


def corpus_params(*folders: str, valid: tuple[str, ...] = ("yes", "no", "unknown")) -> list[object]:
    """Parameters for a test over corpus files; one skipped parameter when the corpus is absent."""
    rows = corpus_files(*folders, valid=valid)
    if not rows:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"), id="no-corpus")]
    return [pytest.param(row, id=str(row)) for row in rows]


def service_missing(reason: str) -> None:
    """Skip a test whose service (database, browser, Java) is missing; under CI, fail instead.

    `.ci/run` installs and starts every service the suite needs, so a missing one there is
    a broken CI script, not a reason to pass quietly.
    """
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this service: {reason}")
    pytest.skip(reason)
