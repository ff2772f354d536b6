"""`validate_file` streams: same findings and acknowledgments as validating the whole document, little kept."""

from __future__ import annotations

import gc
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edi.ack.ack277 import answer_file, build_277ca
from edi.ack.ack999 import AckOptions, build_999, build_ta1
from edi.errors import ReadError
from edi.validate import runner
from edi.validate.issue import Issue
from edi.validate.runner import validate_document, validate_file
from edi.x12.reader import read_document
from tests.conftest import SAMPLES, corpus_files
from tests.test_claim_stream import HEAP_BOUND, _one_check_835, _one_st_837, _peak_heap

OPTIONS = AckOptions(control_number=7, now=datetime(2024, 5, 6, 7, 8, tzinfo=UTC))
SAMPLE = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")


def _readable() -> list[Path]:
    paths = sorted(SAMPLES.glob("*.x12")) + [row.path for row in corpus_files("835", "837d", "837i", "837p", "999")]
    paths += [row.path for row in corpus_files("invalid", "other")]
    out = []
    for path in paths:
        try:
            read_document(path)
        except ReadError:
            continue
        out.append(path)
    return out


def test_streamed_findings_and_acknowledgments_match_the_whole_document() -> None:
    paths = _readable()
    assert paths
    with_findings = 0
    for path in paths:
        document = read_document(path)
        expected = validate_document(document)
        skeleton, issues = validate_file(path)
        assert issues == expected, path.name
        assert build_999(skeleton, issues, OPTIONS) == build_999(document, expected, OPTIONS), path.name
        assert build_ta1(skeleton, issues, OPTIONS) == build_ta1(document, expected, OPTIONS), path.name
        assert _answer_277(path, issues) == build_277ca(document, expected, OPTIONS), path.name
        with_findings += bool(issues)
    assert with_findings


def test_the_streamed_document_keeps_only_the_envelope_and_each_st_and_se(tmp_path: Path) -> None:
    path = tmp_path / "claims.x12"
    path.write_text(SAMPLE, encoding="utf-8")
    skeleton, _ = validate_file(path)
    transactions = [t for _, _, t in skeleton.transactions()]
    assert transactions
    for transaction in transactions:
        assert [s.id for s in transaction.segments()] == ["ST", "SE"]
        assert transaction.se.get(1) == str(transaction.se.position)


@pytest.mark.parametrize("snip", [1, 2, 5])
def test_findings_of_a_faulty_file_match_at_every_snip_level(tmp_path: Path, snip: int) -> None:
    text = SAMPLE.replace("CLM*PCN-1001*", "CLM*PCN-1001**", 1).replace("SE*", "SE*9", 1)
    path = tmp_path / "faulty.x12"
    path.write_text(text, encoding="utf-8")
    _, issues = validate_file(path, snip)
    assert issues == validate_document(read_document(path), snip)
    assert {i.rule for i in issues} >= {"snip1.segment_count"}


@pytest.mark.parametrize("jobs", [2, 3])
def test_parts_give_the_same_findings_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("this system cannot fork processes")
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    sets = _repeated_sets(SAMPLE, 9)
    faults = (("CLM*PCN-1001*", "CLM*PCN-1001**"), ("SE*", "SE*9"), ("HI*ABK:", "HI*ABF:"), ("D8*2026", "D8*22026"))
    for number in (1, 4, 8):  # faults before and after the cuts
        for old, new in faults:
            sets[number] = sets[number].replace(old, new, 1)
    sets[7] = sets[7].replace("ST*837*0007", "ST*837*0002").replace("*0007~", "*0002~")  # ST02 used twice
    (tmp_path / "many.x12").write_text("".join(sets).replace("GE*9*", "GE*8*"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    path = "./many.x12"  # findings name the file as it was given
    single = validate_file(path, jobs=1)
    shared = validate_file(path, jobs=jobs)
    assert shared[1] == single[1]
    assert {i.file for i in shared[1]} == {path}
    rules = {i.rule for i in single[1]}
    assert {"snip1.duplicate_transaction_control_number", "snip1.transaction_count", "snip1.segment_count"} <= rules
    assert {"0001", "0004", "0008"} <= {i.transaction for i in single[1]}
    assert build_999(shared[0], shared[1], OPTIONS) == build_999(single[0], single[1], OPTIONS)


def test_every_readable_file_gives_the_same_findings_and_999_with_two_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("this system cannot fork processes")
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)  # every file is shared where it can be
    paths = _readable()
    assert paths
    for path in paths:
        single = validate_file(path, jobs=1)
        shared = validate_file(path, jobs=2)
        assert shared[1] == single[1], path
        assert build_999(shared[0], shared[1], OPTIONS) == build_999(single[0], single[1], OPTIONS), path


def _repeated_sets(text: str, copies: int) -> list[str]:
    """The sample with its transaction sets repeated ``copies`` times (fresh ST02/SE02), GE01 counting them."""
    head, _, rest = text.partition("ST*")
    body, _, tail = ("ST*" + rest).rpartition("SE*")
    trailer, _, after = tail.partition("~")
    count = trailer.split("*")[0]
    sets = [f"{body.replace('ST*837*0001', f'ST*837*{n:04d}')}SE*{count}*{n:04d}~\n" for n in range(1, copies + 1)]
    return [head, *sets, after.lstrip("\n").replace("GE*1*", f"GE*{copies}*", 1)]


def test_an_unreadable_file_gives_the_same_error_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("this system cannot fork processes")
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    text = "".join(_repeated_sets(SAMPLE, 5))
    path = tmp_path / "cut.x12"
    path.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    with pytest.raises(ReadError) as single:
        validate_file(path, jobs=1)
    with pytest.raises(ReadError) as shared:
        validate_file(path, jobs=2)
    assert str(shared.value) == str(single.value)


def test_the_collector_is_left_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("this system cannot fork processes")
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    path = tmp_path / "sets.x12"
    path.write_text("".join(_repeated_sets(SAMPLE, 4)), encoding="utf-8")
    validate_file(path, jobs=2)
    assert gc.get_freeze_count() == 0


def _answer_277(path: Path, issues: list[Issue]) -> str | None:
    """The 277CA of an 837 read claim by claim, as text (None when no claim could be read)."""
    answers = answer_file(path, issues, options=OPTIONS)
    try:
        return answers.text()
    finally:
        answers.close()


# Seeded faults: a claim charge that is not the sum of its line, a level that says it has children.
FAULTS = (("CLM*PCN10*", "CLM*PCN10*1"), ("CLM*PCN5000*", "CLM*PCN5000*1"), ("HL*4001*1*22*0", "HL*4001*1*22*1"))


def _faulty_837(tmp_path: Path, claims: int) -> Path:
    text = _one_st_837(claims)
    for old, new in FAULTS:
        text = text.replace(old, new, 1)
    path = tmp_path / "batch.837"
    path.write_text(text, encoding="utf-8")
    return path


def _warmed() -> None:
    """Load the rules, guides and code sets once, so that the heap measured is the validation's own."""
    validate_file(SAMPLES / "837p-office-visits.x12")
    validate_file(SAMPLES / "835-office-visits.x12")


@pytest.mark.parametrize("acknowledged", [False, True])
def test_validating_an_8000_claim_837_in_one_set_keeps_the_heap_bounded(tmp_path: Path, acknowledged: bool) -> None:
    path = _faulty_837(tmp_path, 8_000)
    _warmed()
    found: list[Issue] = []
    written: list[str | None] = []

    def check() -> None:
        skeleton, issues = validate_file(path)
        found.extend(issues)
        if acknowledged:
            written.append(build_999(skeleton, issues, OPTIONS))
            written.append(_answer_277(path, issues))

    assert _peak_heap(check) < HEAP_BOUND
    assert [(i.rule, i.claim) for i in found] == [
        ("snip3.claim_charge", "PCN10"),
        ("snip4.hl_child_flag", None),
        ("snip3.claim_charge", "PCN5000"),
    ]
    if acknowledged:
        ack999, ack277 = written
        assert ack999 is not None and "IK5*A~" in ack999  # the 999 answers SNIP 1 and 2 only
        assert ack277 is not None and ack277.count("HL*") == 2 + 1 + 8_000
        assert ack277.count("*U*") == 3  # the claims with a wrong charge, and the claim of the faulty level


def test_validating_a_20000_claim_835_keeps_the_heap_bounded(tmp_path: Path) -> None:
    path = tmp_path / "check.835"
    path.write_text(_one_check_835(20_000).replace("CLP*PCN7*1*", "CLP*PCN7*1*1", 1), encoding="utf-8")
    _warmed()
    found: list[Issue] = []
    assert _peak_heap(lambda: found.extend(validate_file(path)[1])) < HEAP_BOUND
    assert {(i.rule, i.claim) for i in found} >= {("snip3.claim_payment", "PCN7")}


def test_claims_checked_one_at_a_time_give_the_findings_and_answers_of_the_whole_set(tmp_path: Path) -> None:
    path = _faulty_837(tmp_path, 5_001)
    document = read_document(path)
    expected = validate_document(document)
    skeleton, issues = validate_file(path)
    assert issues == expected
    assert len(issues) == 3
    assert build_999(skeleton, issues, OPTIONS) == build_999(document, expected, OPTIONS)
    assert _answer_277(path, issues) == build_277ca(document, expected, OPTIONS)
