"""Shared fixtures: the corpus of real X12 files beside the project, and the samples."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from edi.x12.document import Transaction

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


BATCH = SAMPLES / "837p-office-visits.x12"
# Two seeded faults in two claims of BATCH: a wrong total on PCN-1002, a manifestation code first on PCN-1003.
TWO_FAULTS = (("CLM*PCN-1002*120", "CLM*PCN-1002*130"), ("HI*ABK:J0390", "HI*ABK:G01*ABF:J0390"))


def seeded_batch(tmp_path: Path, *changes: tuple[str, str], name: str = "batch.837") -> Path:
    """BATCH with ``changes`` made (each must apply), written under ``tmp_path``."""
    text = BATCH.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def without_numbers(transaction: Transaction) -> list[str]:
    """Segment texts with the HL and SE numbers blanked: the numbers every build computes."""
    out = []
    for segment in transaction.segments():
        if segment.id == "HL":
            out.append(f"HL level {segment.get(3)}")
        elif segment.id == "SE":
            out.append(f"SE {segment.get(2)}")
        else:
            out.append(segment.text())
    return out


def service_missing(reason: str) -> None:
    """Skip a test whose service (database, browser, Java) is missing; under CI, fail instead.

    `.ci/run` installs and starts every service the suite needs, so a missing one there is
    a broken CI script, not a reason to pass quietly.
    """
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this service: {reason}")
    pytest.skip(reason)
