"""Large files read by two processes give exactly what one process gives."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from edi.convert.parallel import parse_to_json
from edi.errors import ReadError
from edi.x12 import cuts
from edi.x12.cuts import plan
from tests.conftest import SAMPLES


def _batch(path: Path, copies: int, change: tuple[int, str, str] | None = None) -> Path:
    """The sample 837's transaction set repeated ``copies`` times in one interchange and group."""
    segments = (SAMPLES / "837p-office-visits.x12").read_text().split("~\n")
    head, body = segments[:2], segments[2:-4]
    sets = []
    for number in range(1, copies + 1):
        text = "~\n".join(body).replace("ST*837*0001", f"ST*837*{number:04d}").replace("*0001~", f"*{number:04d}~")
        text += f"~\nSE*{len(body) + 1}*{number:04d}"
        if change and change[0] == number:
            text = text.replace(change[1], change[2])
        sets.append(text)
    path.write_text("~\n".join([*head, *sets, f"GE*{copies}*101", "IEA*1*000000101"]) + "~\n")
    return path


def _json(path: Path, jobs: int) -> tuple[str, list[str]]:
    out = io.StringIO()
    warnings = parse_to_json(path, out, jobs, minimum=1)
    return out.getvalue(), [str(w) for w in warnings]


def test_two_halves_write_the_same_json_as_one(tmp_path: Path) -> None:
    path = _batch(tmp_path / "batch.x12", 40, (30, "ZZZ", "ZZZ"))
    slices = plan(path, 2, minimum=1)
    assert slices is not None and slices[1].resume is not None
    assert path.read_bytes()[slices[1].resume.offset : slices[1].resume.offset + 3] == b"ST*"
    single, parallel = _json(path, 1), _json(path, 2)
    assert parallel == single
    assert len(json.loads(parallel[0])["interchanges"][0]["groups"][0]["transactions"]) == 40


def test_warnings_of_the_second_half_keep_their_lines(tmp_path: Path) -> None:
    path = _batch(tmp_path / "odd.x12", 40, (35, "LX*2~", "LX*2~\nZZZ*ODD~"))
    single, parallel = _json(path, 1), _json(path, 2)
    assert parallel == single
    assert any("ZZZ" in warning for warning in parallel[1])


def test_an_error_in_the_second_half_is_the_same_error(tmp_path: Path) -> None:
    path = _batch(tmp_path / "broken.x12", 40, (36, "SE*60*0036", "XX*1"))
    messages = []
    for jobs in (1, 2):
        with pytest.raises(ReadError) as caught:
            _json(path, jobs)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "no SE" in messages[0] and "line" in messages[0]


def test_no_cut_in_a_small_file_or_one_with_several_interchanges(tmp_path: Path) -> None:
    assert plan(SAMPLES / "837p-office-visits.x12", 2) is None
    two = tmp_path / "two.x12"
    text = _batch(tmp_path / "one.x12", 20).read_text()
    two.write_text(text + text)
    assert plan(two, 2, minimum=1) is None


@pytest.mark.parametrize("chunk", [16, 50, 1 << 20])
def test_an_interchange_after_the_cuts_is_found_whatever_the_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(cuts, "CHUNK", chunk)
    text = _batch(tmp_path / "one.x12", 20).read_text()
    one = tmp_path / "one-more.x12"
    one.write_text(text)
    for parts in (2, 3):
        slices = plan(one, parts, minimum=1)
        assert slices is not None and {part.transactions for part in slices} == {20}
    two = tmp_path / "two.x12"
    two.write_text(text + "\n\n  " + _batch(tmp_path / "small.x12", 1).read_text())
    assert plan(two, 2, minimum=1) is None
