"""`edi parse` and `edi write`: the loop tree, the structural JSON, exit codes and messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from edi.cli import app
from edi.convert.structure import segment_json
from edi.schemas import schema_problems
from edi.x12.reader import read_document
from tests.conftest import SAMPLES

runner = CliRunner()
SAMPLE_837 = SAMPLES / "837p-office-visits.x12"


def _loop_ids(loop: dict[str, object], depth: int = 0) -> list[tuple[int, str]]:
    found = [(depth, str(loop["loop"]))]
    for item in loop["items"]:  # type: ignore[attr-defined]
        if "loop" in item:
            found += _loop_ids(item, depth + 1)
    return found


def _segments(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every segment of a structural JSON document's transaction sets."""

    def walk(loop: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for item in loop["items"]:
            yield from walk(item) if "loop" in item else (item,)

    for interchange in document["interchanges"]:
        for group in interchange["groups"]:
            for transaction in group["transactions"]:
                yield from walk(transaction["loops"])


def test_parse_json_names_the_guide_loops() -> None:
    result = runner.invoke(app, ["parse", "--json", str(SAMPLE_837)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert schema_problems("structure", data) == []
    transaction = data["interchanges"][0]["groups"][0]["transactions"][0]
    assert transaction["guide"] == "837P"
    loops = _loop_ids(transaction["loops"])
    assert loops[:4] == [(0, "ST"), (1, "1000A"), (1, "1000B"), (1, "2000A")]
    assert (3, "2300") in loops and (4, "2000C") not in loops and (3, "2000C") in loops
    assert (5, "2310B") in loops and (5, "2400") in loops


def test_parse_then_write_round_trips_the_sample(tmp_path: Path) -> None:
    tree = tmp_path / "tree.json"
    out = tmp_path / "out.x12"
    assert runner.invoke(app, ["parse", "--json", str(SAMPLE_837), "-o", str(tree)]).exit_code == 0
    result = runner.invoke(app, ["write", str(tree), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == SAMPLE_837.read_text()


def test_write_with_other_delimiters(tmp_path: Path) -> None:
    tree = tmp_path / "tree.json"
    runner.invoke(app, ["parse", "--json", str(SAMPLE_837), "-o", str(tree)])
    result = runner.invoke(app, ["write", str(tree), "--delimiters", "|>!'"])
    assert result.exit_code == 0, result.output
    assert "SV1|HC>99214>25|180" in result.stdout
    assert result.stdout.startswith("ISA|00|") and "|!|00501|" in result.stdout
    reread = read_document(result.stdout.encode())
    original = read_document(SAMPLE_837)
    assert [segment_json(s) for s in reread.segments()][1:] == [segment_json(s) for s in original.segments()][1:]


def test_unplaced_segment_is_kept_flagged_and_written_back(tmp_path: Path) -> None:
    source = tmp_path / "odd.x12"
    source.write_text(SAMPLE_837.read_text().replace("DTP*472*D8*20260110~", "DTP*472*D8*20260110~\nZZZ*ODD~", 1))
    tree = tmp_path / "tree.json"
    result = runner.invoke(app, ["parse", "--json", str(source), "-o", str(tree)])
    assert result.exit_code == 0
    assert "ZZZ (segment 24)" in result.stderr
    segments = [s for s in _segments(json.loads(tree.read_text())) if s["id"] == "ZZZ"]
    assert segments == [{"id": "ZZZ", "elements": {"ZZZ01": "ODD"}, "unplaced": True}]
    written = runner.invoke(app, ["write", str(tree)])
    assert "ZZZ*ODD~" in written.stdout


def test_unreadable_file_exits_2_with_location(tmp_path: Path) -> None:
    broken = tmp_path / "broken.x12"
    broken.write_text(SAMPLE_837.read_text().replace("SE*60*0001~", ""))
    result = runner.invoke(app, ["parse", str(broken)])
    assert result.exit_code == 2
    assert "broken.x12" in result.stderr and "no SE" in result.stderr and "GE*1*101" in result.stderr
    assert "Traceback" not in result.output


def test_write_refuses_json_that_breaks_the_schema(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "edi.structure/1", "interchanges": [{"groups": []}]}))
    result = runner.invoke(app, ["write", str(bad)])
    assert result.exit_code == 2
    assert "$.interchanges[0]" in result.stderr and "delimiters" in result.stderr


def test_an_unreadable_file_writes_no_json(tmp_path: Path) -> None:
    junk = tmp_path / "junk.x12"
    junk.write_bytes(b"\x00\xf1 not X12 at all")
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["parse", "--json", str(junk), "-o", str(out)])
    assert result.exit_code == 2 and "no ISA segment" in result.stderr
    assert not out.exists() and not (tmp_path / "out.json.part").exists()
    piped = runner.invoke(app, ["parse", "--json", str(junk)])
    assert piped.exit_code == 2 and piped.stdout == ""


def test_a_file_that_fails_half_way_leaves_no_output_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.x12"
    broken.write_text(SAMPLE_837.read_text().replace("IEA*1*000000101~", ""))
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["parse", "--json", str(broken), "-o", str(out)])
    assert result.exit_code == 2 and "ends inside an envelope" in result.stderr
    assert not out.exists() and not (tmp_path / "out.json.part").exists()
