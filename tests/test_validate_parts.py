"""`validate -j N` cuts a file at claims, inside a transaction set too, and finds what one process finds.

The faults are seeded in the later parts, so that what spans parts is checked there: HL
numbers and parents, loop repeats, SE01, a duplicate ST02, GE01, BPR02 against the claim
payments; a read error in a later part sends the whole file back to one process.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from edi.ack.ack999 import build_999
from edi.cli import app
from edi.errors import ReadError
from edi.validate import parts, runner
from edi.validate.runner import validate_file
from edi.x12.cuts import plan
from tests.test_claim_stream import _one_check_835, _one_st_837
from tests.test_validate_stream import OPTIONS, _answer_277

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="parts are validated by forked processes")
CLAIMS = 600


@pytest.fixture(autouse=True)
def every_file_is_cut(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Cut files of any size, and note whether each validation in parts gave its findings (not one process)."""
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    used: list[bool] = []
    real = parts.validate_parts

    def noted(*args: Any) -> Any:
        done = real(*args)
        used.append(done is not None)
        return done

    monkeypatch.setattr(parts, "validate_parts", noted)
    return used


def _later(text: str, old: str, new: str, after: float = 0.6) -> str:
    """``text`` with the first ``old`` past ``after`` of its length made ``new``."""
    at = text.index(old, int(len(text) * after))
    return text[:at] + new + text[at + len(old) :]


def _service_lines(text: str, claim: str, count: int) -> str:
    """The claim ``claim`` with its one service line repeated to ``count`` lines, SE01 counting them."""
    at = text.index(f"CLM*{claim}*")
    start = text.index("LX*1~", at)
    end = text.index("~HL*", start) + 1
    line = text[start + len("LX*1~") : end]
    lines = "".join(f"LX*{n}~{line}" for n in range(1, count + 1))
    segments = text[start:end].count("~")
    head, _, tail = (text[:start] + lines + text[end:]).rpartition("~SE*")
    number, _, rest = tail.partition("*")
    return f"{head}~SE*{int(number) + count * segments - segments}*{rest}"


def _two_sets(text: str) -> str:
    """The one-set file with its transaction set twice, both with ST02 0001 (GE01 says 1)."""
    start, end = text.index("ST*"), text.index("~GE*") + 1
    return text[:end] + text[start:end] + text[end:]


def _faulty_837() -> str:
    text = _one_st_837(CLAIMS).replace("CLM*PCN10*", "CLM*PCN10*1", 1)  # in the first part
    text = _later(text, "HL*450*1*22*0", "HL*451*1*22*0")  # HL01 out of count
    text = _later(text, "HL*500*1*22*0", "HL*500*3*22*0")  # HL02 names another parent
    text = _later(text, "HL*520*1*22*0", "HL*520*1*22*1")  # says it has children
    text = _later(text, "CLM*PCN580*", "CLM*PCN580*1")
    return _service_lines(text, "PCN560", 51)  # loop 2400 repeats more than 50 times


def _faulty_835() -> str:
    text = _one_check_835(CLAIMS * 2).replace("BPR*I*0*", "BPR*I*12*", 1)  # BPR02 is checked against every CLP04
    text = _later(text, "CLP*PCN900*1*", "CLP*PCN900*1*1")  # a claim that does not balance
    return _later(text, "CAS*PR*2*10", "CAS*PR*2*10*X")


def _wrong_se01(text: str) -> str:
    head, _, tail = text.rpartition("~SE*")
    number, _, rest = tail.partition("*")
    return f"{head}~SE*{int(number) + 2}*{rest}"


FILES = {
    "837": _faulty_837,
    "837-se01": lambda: _wrong_se01(_faulty_837()),
    "837-two-sets": lambda: _two_sets(_faulty_837()),
    "835": _faulty_835,
    "835-se01": lambda: _wrong_se01(_faulty_835()),
}
EXPECTED = {
    "837": {"snip4.hl_number", "snip4.hl_parent", "snip4.hl_child_flag", "snip2.loop_repeat", "snip3.claim_charge"},
    "837-se01": {"snip1.segment_count", "snip4.hl_number"},
    "837-two-sets": {"snip1.duplicate_transaction_control_number", "snip1.transaction_count", "snip4.hl_parent"},
    "835": {"snip3.transaction_payment", "snip3.claim_payment", "snip1.element_syntax"},
    "835-se01": {"snip1.segment_count", "snip3.transaction_payment"},
}


@pytest.mark.parametrize("name", list(FILES))
def test_faults_in_later_parts_are_found_as_by_one_process(
    tmp_path: Path, name: str, every_file_is_cut: list[bool]
) -> None:
    path = tmp_path / f"{name}.x12"
    path.write_text(FILES[name](), encoding="ascii")
    single = validate_file(path, jobs=1)
    assert EXPECTED[name] <= {issue.rule for issue in single[1]}
    inside = []
    for jobs in (2, 3):
        slices = plan(path, jobs, 1)
        assert slices is not None and len(slices) == jobs
        inside += [s.resume.inside for s in slices if s.resume is not None]
        shared = validate_file(path, jobs=jobs)
        assert shared[1] == single[1]
        assert build_999(shared[0], shared[1], OPTIONS) == build_999(single[0], single[1], OPTIONS)
        if name.startswith("837"):
            assert _answer_277(path, shared[1]) == _answer_277(path, single[1])
    assert every_file_is_cut == [True, True]
    assert any(inside)


@pytest.mark.parametrize("snip", [2, 3])
def test_lower_snip_levels_are_validated_in_parts(tmp_path: Path, snip: int, every_file_is_cut: list[bool]) -> None:
    path = tmp_path / "claims.837"
    path.write_text(_faulty_837(), encoding="ascii")
    single = validate_file(path, snip, jobs=1)
    shared = validate_file(path, snip, jobs=3)
    assert shared[1] == single[1] and single[1]
    assert build_999(shared[0], shared[1], OPTIONS) == build_999(single[0], single[1], OPTIONS)
    assert every_file_is_cut == [True]


def test_a_syntax_error_in_a_later_part_is_the_error_of_one_process(
    tmp_path: Path, every_file_is_cut: list[bool]
) -> None:
    path = tmp_path / "broken.x12"
    path.write_text(_later(_faulty_837(), "~CLM*", "~GE*1*1~CLM*", after=0.8), encoding="ascii")
    with pytest.raises(ReadError) as single:
        validate_file(path, jobs=1)
    for jobs in (2, 3):
        with pytest.raises(ReadError) as shared:
            validate_file(path, jobs=jobs)
        assert str(shared.value) == str(single.value)
    assert every_file_is_cut == [False, False]


def test_a_segment_the_guide_does_not_place_in_a_later_part_goes_back_to_one_process(
    tmp_path: Path, every_file_is_cut: list[bool]
) -> None:
    path = tmp_path / "odd.x12"
    path.write_text(_later(_faulty_835(), "~CLP*", "~ZZZ*ODD~CLP*"), encoding="ascii")
    single = validate_file(path, jobs=1)
    assert "snip2.unknown_segment" in {issue.rule for issue in single[1]}
    assert validate_file(path, jobs=2)[1] == single[1]
    assert every_file_is_cut == [False]


def test_the_loops_open_at_a_cut_repeat_without_limit() -> None:
    """Loop repeat counts are not carried across a cut: no limit on the loops that can be open at one."""
    from edi.validate.structure import guide_spec

    for guide, path in (("837P", ("2000A", "2000B")), ("837I", ("2000A", "2000B")), ("835", ("2000", "2100"))):
        spec = guide_spec(guide).root
        for loop in path:
            spec = spec.loops[loop]
            assert spec.repeat is None, (guide, loop)


def test_the_command_line_writes_the_same_findings_and_acknowledgments(tmp_path: Path) -> None:
    path = tmp_path / "claims.837"
    path.write_text(_faulty_837(), encoding="ascii")
    outputs = []
    for jobs in (1, 2):
        ack, ack277 = tmp_path / f"{jobs}.999", tmp_path / f"{jobs}.277"
        result = CliRunner().invoke(
            app, ["validate", str(path), "--json", "--ack", str(ack), "--ack277", str(ack277), "-j", str(jobs)]
        )
        assert result.exit_code == 1, result.output
        outputs.append((result.stdout, ack.read_bytes(), ack277.read_bytes()))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][0])["summary"]["errors"] >= 5
