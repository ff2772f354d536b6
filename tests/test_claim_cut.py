"""A file cut at claims, inside a transaction set or between two, reads the same in parts as in one process."""

from __future__ import annotations

import io
from itertools import islice
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.varied import Batch, write_835, write_837
from edi import parallel
from edi.claims.rows import csv_writer
from edi.claims.stream import stream_claims
from edi.cli import app
from edi.convert.parallel import parse_to_json
from edi.errors import EXIT_OK, EdiError
from edi.readparts import read_in_parts
from edi.remit.stream import CsvWriter, JsonWriter, stream_remittance
from edi.x12 import cuts
from edi.x12.cuts import Slice, plan
from edi.x12.reader import transaction_kinds
from tests.conftest import SAMPLES, CorpusFile, corpus_params

runner = CliRunner()
SIZE = 120_000  # bytes: a few hundred claims, so that every part holds several


SETS = {"": None, "-sets": 20}  # claims per transaction set: all in one, or at most 20 (an 835: one check each)
KINDS = [f"{kind}{sets}" for sets in SETS for kind in ("837", "835")]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A one-transaction 837P and the one-check 835 that pays it; the same in sets of 20 claims (checks of 20)."""
    folder = tmp_path_factory.mktemp("one-st")
    found = {}
    for suffix, per_set in SETS.items():
        claims, remit = folder / f"daily{suffix}.837", folder / f"check{suffix}.835"
        with claims.open("w", encoding="ascii") as handle:
            count = write_837(handle, Batch(4).claims(), per_set, SIZE)
        with remit.open("w", encoding="ascii") as handle:
            write_835(handle, islice(Batch(4).claims(), count), 4, per_set, None)
        found |= {f"837{suffix}": claims, f"835{suffix}": remit}
    return found


def _parse(path: Path, jobs: int) -> tuple[str, list[str]]:
    out = io.StringIO()
    try:
        warnings = parse_to_json(path, out, jobs, minimum=1)
    except EdiError as error:
        return out.getvalue(), [f"error: {error}"]
    return out.getvalue(), [str(w) for w in warnings]


def _one_read(path: Path, kind: str, as_csv: bool, notes: list[tuple[str, list[str], int]]) -> str:
    """What `edi read` writes reading the file in one process."""
    out = io.StringIO()
    if kind == "835":
        writer = CsvWriter(out) if as_csv else JsonWriter(out, str(path))
        stream_remittance(path, writer, str(path))
        if isinstance(writer, JsonWriter):
            writer.close()
    elif as_csv:
        stream_claims(path, None, None, lambda *note: notes.append(note), str(path), on_claim=csv_writer(out))
    else:
        stream_claims(path, out, None, lambda *note: notes.append(note), str(path))
    return out.getvalue()


def _read(path: Path, as_csv: bool, jobs: int) -> tuple[str, list[tuple[str, list[str], int]], bool]:
    """The output and notes of `edi read`, and whether the file was read in parts."""
    kind = next(iter(transaction_kinds(path)))
    out, notes = io.StringIO(), list[tuple[str, list[str], int]]()
    try:
        if jobs > 1 and read_in_parts(path, str(path), kind, out, as_csv, jobs, lambda *n: notes.append(n), 1):
            return out.getvalue(), notes, True
        return _one_read(path, kind, as_csv, notes), notes, False
    except EdiError as error:
        return f"error: {error}", notes, False


@pytest.mark.parametrize("kind", ["837", "835"])
def test_the_cuts_fall_at_claims_inside_the_transaction_set(files: dict[str, Path], kind: str) -> None:
    path = files[kind]
    slices = plan(path, 3, minimum=1)
    assert slices is not None and len(slices) == 3
    data = path.read_bytes()
    for part in slices[1:]:
        assert part.resume is not None and part.resume.inside
        at = part.resume.offset
        segment = data[at : data.index(b"~", at)].split(b"*")
        assert segment[0] == b"CLP" if kind == "835" else segment[0] == b"HL" and segment[3] == b"22"
        assert part.resume.line == data[:at].count(b"\n") + 1
        st = data.index(b"ST*")
        assert part.resume.position == data[st:at].count(b"~") + 1
        assert data[part.resume.context[0].start :].startswith(b"ISA*")
    assert [s.stop for s in slices[:-1]] == [s.resume.offset for s in slices[1:] if s.resume]


@pytest.mark.parametrize("kind", ["837-sets", "835-sets"])
def test_a_file_of_several_transaction_sets_is_cut_inside_them_and_between_them(
    files: dict[str, Path], kind: str
) -> None:
    path = files[kind]
    data = path.read_bytes()
    sets = data.count(b"\nST*")
    assert sets > 5
    starts = set()
    for jobs in range(2, 9):
        slices = plan(path, jobs, minimum=1)
        assert slices is not None and len(slices) == jobs
        for part in slices:
            assert part.transactions == sets
            if part.resume is None:
                continue
            at = part.resume.offset
            starts.add(data[at : at + 3])
            assert part.resume.ended == data[:at].count(b"\nSE*")
            assert part.resume.inside == (data[at : at + 3] != b"ST*")
    assert b"ST*" in starts and starts - {b"ST*"}


@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_parse_json_in_parts_is_the_same(files: dict[str, Path], kind: str, jobs: int) -> None:
    single = _parse(files[kind], 1)
    assert _parse(files[kind], jobs) == single
    assert single[0].count('"id":"CLM"' if kind.startswith("837") else '"id":"CLP"') > 100


@pytest.mark.parametrize("jobs", [2, 3, 8])
@pytest.mark.parametrize("as_csv", [False, True], ids=["json", "csv"])
@pytest.mark.parametrize("kind", KINDS)
def test_read_in_parts_is_the_same(files: dict[str, Path], kind: str, as_csv: bool, jobs: int) -> None:
    text, notes, parts = _read(files[kind], as_csv, jobs)
    assert parts
    assert (text, notes) == _read(files[kind], as_csv, 1)[:2]
    assert text.count("\n") > 100 if as_csv else text.count('"patient_control_number"') > 100
    assert not kind.startswith("837") or [note[0] for note in notes] == [
        f"{n:04d}" for n in range(1, files[kind].read_bytes().count(b"\nST*") + 1)
    ]


def _changed(source: Path, target: Path, old: str, new: str, after: float = 0.7) -> Path:
    """``source`` with the first ``old`` past ``after`` of its length made ``new``."""
    text = source.read_text(encoding="ascii")
    at = text.index(old, int(len(text) * after))
    target.write_text(text[:at] + new + text[at + len(old) :], encoding="ascii")
    return target


def test_an_error_in_a_later_part_is_the_error_of_one_read(files: dict[str, Path], tmp_path: Path) -> None:
    path = _changed(files["837"], tmp_path / "broken.837", "\nCLM*", "\nGE*1*1~\nCLM*")
    single = _parse(path, 1)
    assert single[1][0].startswith("error:") and "no SE" in single[1][0] and "line" in single[1][0]
    assert _parse(path, 2) == single
    read = _read(path, False, 2)
    assert read[0] == _read(path, False, 1)[0] and read[0].startswith("error:")


def test_an_unplaced_segment_in_a_later_part_warns_as_in_one_read(files: dict[str, Path], tmp_path: Path) -> None:
    path = _changed(files["835"], tmp_path / "odd.835", "\nCLP*", "\nZZZ*ODD~\nCLP*")
    single = _parse(path, 1)
    assert any("ZZZ" in warning for warning in single[1])
    assert _parse(path, 2) == single
    assert _read(path, False, 2)[0] == _read(path, False, 1)[0]


@pytest.mark.parametrize("kind", ["837", "837-sets"])
def test_hl_numbers_of_a_later_part_are_noted_as_in_one_read(files: dict[str, Path], tmp_path: Path, kind: str) -> None:
    path = _changed(files[kind], tmp_path / "numbers.837", "\nHL*", "\nHL*9", after=0.5)
    path = _changed(path, tmp_path / "numbers2.837", "\nHL*", "\nHL*9", after=0.9)
    path = _changed(path, tmp_path / "numbers3.837", "\nSE*", "\nSE*1", after=0.3)
    for jobs in (2, 3, 5):
        text, notes, parts = _read(path, False, jobs)
        assert parts and sum(note[2] for note in notes) >= 3
        assert (text, notes) == _read(path, False, 1)[:2]


def test_a_set_of_another_kind_is_read_in_one_process(files: dict[str, Path], tmp_path: Path) -> None:
    remit = files["835-sets"].read_text(encoding="ascii")
    other = remit[remit.index("ST*", len(remit) // 2) : remit.index("\nSE*", len(remit) // 2) + 1]
    path = _changed(files["837-sets"], tmp_path / "mixed.837", "\nST*", "\n" + other + "SE*1*9999~\nST*", 0.6)
    for kind in ("837", "835"):
        for as_csv in (False, True):
            assert not read_in_parts(path, str(path), kind, io.StringIO(), as_csv, 3, lambda *n: None, 1)


def test_several_interchanges_are_read_in_one_process(files: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "twice.837"
    path.write_bytes(files["837-sets"].read_bytes() * 2)
    assert plan(path, 3, minimum=1) is None
    assert _read(path, False, 3)[2] is False


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in sorted(SAMPLES.glob("*.x12"))])
def test_every_sample_reads_the_same_in_parts(path: Path) -> None:
    _same_in_parts(path)


@pytest.mark.parametrize("row", corpus_params("835", "837p", "837i", "837d", "999", "other", "invalid"))
def test_every_corpus_file_reads_the_same_in_parts(row: CorpusFile) -> None:
    _same_in_parts(row.path)


def _same_in_parts(path: Path) -> None:
    """Parse and (for 837 or 835 transaction sets) read give the same in two and three parts as in one."""
    assert _parse(path, 2) == _parse(path, 1)
    try:
        kinds = transaction_kinds(path)
    except EdiError:
        return
    if len(kinds) == 1 and set(kinds) <= {"835", "837"}:
        for as_csv in (False, True):
            single = _read(path, as_csv, 1)[:2]
            assert _read(path, as_csv, 2)[:2] == single
            assert _read(path, as_csv, 3)[:2] == single


@pytest.mark.parametrize(
    "command",
    [["parse", "--json"], ["read", "--json"], ["read", "--csv"]],
    ids=["parse", "read-json", "read-csv"],
)
@pytest.mark.parametrize("kind", KINDS)
def test_the_command_line_reads_in_parts_as_in_one(
    files: dict[str, Path], tmp_path: Path, kind: str, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _changed(files[kind], tmp_path / f"renumbered.{kind}", "\nHL*", "\nHL*9") if "837" in kind else files[kind]
    monkeypatch.setattr(cuts, "MINIMUM_SIZE", 1)
    started: list[int] = []
    real = parallel.run_parts

    def counted(slices: list[Slice], work: parallel.Work) -> list[parallel.Done] | None:
        started.append(len(slices))
        return real(slices, work)

    monkeypatch.setattr("edi.convert.parallel.run_parts", counted)
    monkeypatch.setattr("edi.readparts.run_parts", counted)
    results = [runner.invoke(app, [*command, str(path), "-j", str(jobs)]) for jobs in (1, 2)]
    assert started == [2]
    assert [r.exit_code for r in results] == [EXIT_OK, EXIT_OK]
    assert results[1].stdout == results[0].stdout and results[1].stderr == results[0].stderr
    assert "835" in kind or command[0] == "parse" or "HL*" in results[0].stderr


LAYOUTS = {
    "crlf": lambda data: data.replace(b"~\n", b"~\r\n"),
    "one-line": lambda data: data.replace(b"~\n", b"~"),
    "utf-8-later": lambda data: (
        data[: len(data) * 3 // 4] + data[len(data) * 3 // 4 :].replace(b"*1*", b"*\xc3\xbc*", 5)
    ),
    "no-last-terminator": lambda data: data.rstrip(b"~\n"),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("kind", KINDS)
def test_other_layouts_read_the_same_in_parts(files: dict[str, Path], tmp_path: Path, kind: str, layout: str) -> None:
    path = tmp_path / f"{layout}.{kind}"
    path.write_bytes(LAYOUTS[layout](files[kind].read_bytes()))
    assert plan(path, 3, minimum=1) is not None
    single = _parse(path, 1)
    assert _parse(path, 3) == single
    assert layout != "no-last-terminator" or any("no terminator" in warning for warning in single[1])
    for as_csv in (False, True):
        text, notes, parts = _read(path, as_csv, 3)
        assert parts and (text, notes) == _read(path, as_csv, 1)[:2]
