"""`reconcile -j N` reads a large 837 or 835 in parts, cut at claims inside its transaction set, and
writes what one process writes; a fault in a later part gives the error or warning of one process."""

from __future__ import annotations

import os
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.varied import Batch, write_835, write_837
from edi.cli import app
from edi.ledger import store
from edi.x12 import cuts
from edi.x12.plain import transaction_kinds
from tests.conftest import SAMPLES, corpus_files
from tests.test_claim_stream import _one_check_835, _one_st_837

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="parts are read by forked processes")
CLAIMS = 600
runner = CliRunner()


@pytest.fixture(autouse=True)
def parted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Cut files of any size, and note the kind of each file read in parts."""
    monkeypatch.setattr(cuts, "MINIMUM_SIZE", 1)
    kinds: list[str] = []
    real = store.read_in_parts

    def noted(*args: Any) -> Any:
        done = real(*args)
        if done is not None:
            kinds.append(done.kind)
        return done

    monkeypatch.setattr(store, "read_in_parts", noted)
    return kinds


def _pair(tmp_path: Path, lines: bool = False, claims: str | None = None, remit: str | None = None) -> list[str]:
    """The 837 and 835 files written, as reconcile's arguments; ``lines``: a segment per line."""
    texts = {"claims.837": claims or _one_st_837(CLAIMS), "remit.835": remit or _one_check_835(CLAIMS - 50)}
    for name, text in texts.items():
        text = text.replace("~\n", "~")
        (tmp_path / name).write_text(text.replace("~", "~\n") if lines else text)
    return ["--claims", str(tmp_path / "claims.837"), "--remit", str(tmp_path / "remit.835")]


def _run(args: list[str], *options: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["reconcile", *args, *options])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("lines", [False, True])
@pytest.mark.parametrize("output", [(), ("--json",), ("--csv",)])
def test_two_and_three_parts_write_what_one_process_writes(
    tmp_path: Path, parted: list[str], lines: bool, output: tuple[str, ...]
) -> None:
    args = _pair(tmp_path, lines)
    one = _run(args, *output, "-j", "1")
    assert one[0] == 0 and "PCN599" in one[1]
    assert parted == []
    for jobs in ("2", "3"):
        assert _run(args, *output, "-j", jobs) == one
    assert parted == ["837", "835", "837", "835"]


def test_several_transaction_sets_are_read_in_parts_with_the_same_output(tmp_path: Path, parted: list[str]) -> None:
    claims = _one_st_837(CLAIMS)
    start, end = claims.index("ST*"), claims.index("~GE*") + 1
    twice = claims[:end] + claims[start:end].replace("ST*837*0001", "ST*837*0002") + claims[end:]
    args = _pair(tmp_path, claims=twice)
    one = _run(args, "--json", "-j", "1")
    assert one[0] == 0 and "already" not in one[1]
    assert _run(args, "--json", "-j", "2") == one
    assert parted == ["837", "835"]


@pytest.mark.parametrize("output", [(), ("--json",), ("--csv",)])
def test_files_of_many_transaction_sets_write_what_one_process_writes(
    tmp_path: Path, parted: list[str], output: tuple[str, ...]
) -> None:
    """An 837 of many transaction sets and an 835 of many checks (one each), cut inside sets and between them."""
    claims, remit = tmp_path / "sets.837", tmp_path / "checks.835"
    with claims.open("w", encoding="ascii") as handle:
        count = write_837(handle, Batch(7).claims(), 15, 100_000)
    with remit.open("w", encoding="ascii") as handle:
        write_835(handle, islice(Batch(7).claims(), count - 30), 7, 15, None)
    for path in (claims, remit):
        assert path.read_text(encoding="ascii").count("\nST*") > 5
    args = ["--claims", str(claims), "--remit", str(remit)]
    one = _run(args, *output, "-j", "1")
    assert one[0] == 0 and one[1].count("\n") > 100
    for jobs in ("2", "3"):
        assert _run(args, *output, "-j", jobs) == one
    assert parted == ["837", "835", "837", "835"]


def test_several_interchanges_are_read_in_one_process_with_the_same_output(tmp_path: Path, parted: list[str]) -> None:
    claims = _one_st_837(CLAIMS).replace("~\n", "~")
    start = claims.index("ISA*")
    end = claims.index("~", claims.index("IEA*")) + 1
    again = claims[start:end].replace("ST*837*0001", "ST*837*0002").replace("PCN", "QCN")
    args = _pair(tmp_path, claims=claims[:end] + again + claims[end:])
    one = _run(args, "--json", "-j", "1")
    assert one[0] == 0 and "QCN" in one[1]
    assert _run(args, "--json", "-j", "2") == one
    assert parted == ["835"]


def test_a_bad_amount_in_a_later_part_skips_the_file_as_one_process_does(tmp_path: Path, parted: list[str]) -> None:
    claims = _one_st_837(CLAIMS)
    at = claims.index("*", claims.index("CLM*", len(claims) * 4 // 5) + 4)  # CLM02, the charge
    args = _pair(tmp_path, claims=claims[: at + 1] + "12X" + claims[at + 1 :])
    one = _run(args, "--json", "-j", "1")
    assert one[0] == 0 and "is not a number: '12X" in one[1]
    assert _run(args, "--json", "-j", "2") == one
    assert parted == ["835"]


def test_a_file_cut_short_in_a_later_part_gives_the_error_of_one_process(tmp_path: Path, parted: list[str]) -> None:
    remit = _one_check_835(CLAIMS)
    args = _pair(tmp_path, remit=remit[: remit.index("CLP*", len(remit) * 9 // 10)])
    one = _run(args, "-j", "1")
    assert one[0] == 2 and "no SE" in one[2]
    assert _run(args, "-j", "3") == one
    assert parted == ["837"]


def test_a_bad_paid_amount_in_a_later_part_skips_the_835_as_one_process_does(tmp_path: Path, parted: list[str]) -> None:
    remit = _one_check_835(CLAIMS)
    at = remit.index("CLP*", len(remit) * 9 // 10)
    fields = remit[at:].split("*", 5)
    remit = remit[:at] + "*".join([*fields[:4], "ABC", fields[5]])
    args = _pair(tmp_path, remit=remit)
    one = _run(args, "--csv", "-j", "1")
    assert one[0] == 0
    assert _run(args, "--csv", "-j", "2") == one
    assert parted == ["837"]


def _several_sets() -> list[object]:
    """The samples and corpus files whose transaction sets, several, are all 837s or all 835s."""
    paths = sorted(SAMPLES.glob("*.x12")) + [row.path for row in corpus_files("835", "837p", "837i", "837d")]
    found = []
    for path in paths:
        kinds = transaction_kinds(path)
        if kinds and len(kinds) == 1 and sum(kinds.values()) > 1:
            found.append(pytest.param(path, next(iter(kinds)), id=path.name))
    return found or [pytest.param(None, "", marks=pytest.mark.skip(reason="no file of several sets"))]


@pytest.mark.parametrize(("path", "kind"), _several_sets())
def test_sample_and_corpus_files_of_several_sets_reconcile_as_in_one_process(
    path: Path, kind: str, parted: list[str]
) -> None:
    other = SAMPLES / ("835-office-visits.x12" if kind == "837" else "837p-office-visits.x12")
    claims, remit = (path, other) if kind == "837" else (other, path)
    args = ["--claims", str(claims), "--remit", str(remit)]
    skipped = False
    for output in ((), ("--json",), ("--csv",)):
        one = _run(args, *output, "-j", "1")
        assert _run(args, *output, "-j", "2") == one
        assert _run(args, *output, "-j", "3") == one
        skipped = skipped if output else f"Skipped {path}" in one[1]
    assert (kind in parted) != skipped  # a file that one process skips is read by one
