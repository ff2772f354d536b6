"""bench/varied.py: generated batches are valid X12, balance, differ claim by claim and repeat by seed."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from itertools import islice
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.varied import Batch, write_835, write_837
from edi.cli import app
from edi.errors import EXIT_OK
from edi.x12.reader import read_document

runner = CliRunner()
PER_SET = 7  # small transaction sets, so a small file holds several


def segments(path: Path) -> list[list[str]]:
    """The file's segments, each split into elements."""
    return [s.strip().split("*") for s in path.read_text(encoding="ascii").split("~") if s.strip()]


def transaction_sets(path: Path) -> list[list[list[str]]]:
    """The segments from ST to SE of each transaction set."""
    sets: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for segment in segments(path):
        if segment[0] == "ST":
            current = []
            sets.append(current)
        if current is not None:
            current.append(segment)
        if segment[0] == "SE":
            current = None
    return sets


@pytest.fixture(scope="module")
def claims_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("varied") / "claims.x12"
    with path.open("w", encoding="ascii", newline="") as handle:
        write_837(handle, Batch(3).claims(), PER_SET, 40_000)
    return path


@pytest.fixture(scope="module")
def remit_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("varied") / "remit.x12"
    with path.open("w", encoding="ascii", newline="") as handle:
        write_835(handle, Batch(3).claims(), 3, PER_SET, 40_000)
    return path


@pytest.mark.parametrize("which", ["claims_file", "remit_file"])
def test_files_read_without_warnings_and_validate_clean(which: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(which)
    assert not read_document(path).warnings
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == EXIT_OK, result.output
    findings = [f for file in json.loads(result.output)["files"] for f in file["findings"]]
    assert findings == []


def test_837_counts_numbering_and_charges(claims_file: Path) -> None:
    sets = transaction_sets(claims_file)
    assert len(sets) > 2
    ge = next(s for s in segments(claims_file) if s[0] == "GE")
    assert int(ge[1]) == len(sets)
    for st in sets:
        assert int(st[-1][1]) == len(st)
        assert sum(1 for s in st if s[0] == "CLM") <= PER_SET
        levels: dict[str, list[str]] = {}
        for s in (s for s in st if s[0] == "HL"):
            assert int(s[1]) == len(levels) + 1
            assert s[2] == "" or s[2] in levels
            levels[s[1]] = s
        for number, level in levels.items():
            has_child = any(other[2] == number for other in levels.values())
            assert level[4] == ("1" if has_child else "0")
    claims: list[tuple[Decimal, Decimal]] = []
    for s in segments(claims_file):
        if s[0] == "CLM":
            claims.append((Decimal(s[2]), Decimal(0)))
        elif s[0] == "SV1":
            charge, lines = claims[-1]
            claims[-1] = (charge, lines + Decimal(s[2]))
    assert claims and all(charge == lines for charge, lines in claims)


def test_835_balances_at_line_claim_and_check(remit_file: Path) -> None:
    for st in transaction_sets(remit_file):
        assert int(st[-1][1]) == len(st)
        bpr = Decimal(st[1][2])
        paid = sum((Decimal(s[4]) for s in st if s[0] == "CLP"), Decimal(0))
        plb = sum((Decimal(s[4]) for s in st if s[0] == "PLB"), Decimal(0))
        assert bpr == paid - plb
        claim: list[str] | None = None
        line: list[str] | None = None
        adjustments = line_adjustments = Decimal(0)
        line_checks = 0
        for s in [*st[1:], ["SE"]]:
            if s[0] in ("SVC", "CLP", "PLB", "LX", "SE") and line is not None:
                assert Decimal(line[2]) - line_adjustments == Decimal(line[3])
                line_checks += 1
                line = None
            if s[0] in ("CLP", "PLB", "LX", "SE") and claim is not None:
                assert Decimal(claim[3]) - adjustments == Decimal(claim[4])
                claim = None
            if s[0] == "CLP":
                claim, adjustments = s, Decimal(0)
            elif s[0] == "SVC":
                line, line_adjustments = s, Decimal(0)
            elif s[0] == "CAS":
                amounts = sum((Decimal(a) for a in s[3::3] if a), Decimal(0))
                adjustments += amounts
                line_adjustments += amounts
        assert line_checks > 0


def test_every_claim_differs(claims_file: Path) -> None:
    found = segments(claims_file)
    numbers = [s[1] for s in found if s[0] == "CLM"]
    members = [s[9] for s in found if s[0] == "NM1" and s[1] == "IL"]
    assert len(set(numbers)) == len(numbers)
    assert len(set(members)) == len(members)
    assert len({claim.provider.npi for claim in islice(Batch(3).claims(), 2000)}) > 2
    codes = Counter(part.split(":")[1] for s in found if s[0] == "HI" for part in s[1:])
    assert len(codes) > 0.9 * sum(codes.values())
    assert all("." not in code for code in codes)
    hi = [s for s in found if s[0] == "HI"]
    assert all(s[1].startswith("ABK:") and all(p.startswith("ABF:") for p in s[2:]) for s in hi)


def test_the_835_pays_the_claims_of_the_837(tmp_path: Path) -> None:
    claims, remit = tmp_path / "c.x12", tmp_path / "r.x12"
    with claims.open("w", encoding="ascii", newline="") as handle:
        count = write_837(handle, Batch(5).claims(), None, 20_000)
    with remit.open("w", encoding="ascii", newline="") as handle:
        write_835(handle, islice(Batch(5).claims(), count), 5, None, None)
    billed = [s[1] for s in segments(claims) if s[0] == "CLM"]
    paid = [s[1] for s in segments(remit) if s[0] == "CLP"]
    assert paid == billed
    assert sum(1 for s in segments(remit) if s[0] == "ST") == 1


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    texts: list[bytes] = []
    for seed in (7, 7, 8):
        path = tmp_path / f"{len(texts)}.x12"
        with path.open("w", encoding="ascii", newline="") as handle:
            write_837(handle, Batch(seed).claims(), None, 5_000)
        texts.append(path.read_bytes())
    assert texts[0] == texts[1]
    assert texts[0] != texts[2]
