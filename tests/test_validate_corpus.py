"""No false errors on valid files and guide examples; each broken corpus file gets the error its MANIFEST describes."""

from __future__ import annotations

from pathlib import Path

import pytest

from edi.errors import ReadError
from edi.validate.issue import Issue
from edi.validate.runner import validate_file
from tests.conftest import REFERENCE, SAMPLES, CorpusFile, corpus_files, corpus_params

READABLE = ("837p", "837i", "837d", "835", "999")
OUR_SNIPS = (1, 2, 3, 4)  # SNIP 5 and the ordering rules have their own tests
GUIDE_EXAMPLES = REFERENCE / "samples" / "stupidedi"

# Files labelled valid whose content breaks the guide: each rule listed is a real fault of the file, checked by hand.
KNOWN_FAULTS: dict[str, dict[str, str]] = {
    "lfh__managed-care.835": {
        "snip1.element_syntax": "BPR16 is 20002316, month 23",
        "snip2.required_missing": "no PER*BL in 1000A (the stupidedi copy has it)",
    },
    "lfh__medicare-part-a.835": {
        "snip2.required_missing": "no PER*BL in 1000A",
        "snip2.element_not_used": "TS3 amounts shifted into the not-used TS309/TS311 (the stupidedi copy is right)",
    },
    "imsweb__x12_valid.txt": {
        rule: "a parser fixture: HI without qualifiers, duplicate HL01, CLM02 500 against a 12.25 line"
        for rule in (
            "snip1.element_syntax",
            "snip1.segment_count",
            "snip2.element_code",
            "snip2.element_required",
            "snip3.claim_charge",
            "snip4.hl_number",
            "snip4.hl_parent",
            "snip4.hl_child_flag",
            "snip4.patient_loop",
        )
    },
    "oopfactory__Example1_2_And_3_Combined.txt": {"snip2.unexpected_segment": "a 4010 DMG in loop 2320"},
    "stupidedi__837-institutional-claim.edi": {"snip1.element_syntax": "DTP*434*RD8 with a single date"},
    "837-institutional-claim.edi": {"snip1.element_syntax": "DTP*434*RD8 with a single date"},
}


def errors(path: Path) -> list[Issue]:
    """Errors of our SNIP types for one file."""
    _, issues = validate_file(path)
    return [i for i in issues if i.severity == "error" and i.snip in OUR_SNIPS]


def unexplained(path: Path) -> list[str]:
    """Errors that are neither false alarms nor a known fault of the file."""
    known = KNOWN_FAULTS.get(path.name, {})
    return [f"{i.rule} {i.segment_id}@{i.segment_position} {i.element}: {i.message}" for i in errors(path)
            if i.rule not in known]  # fmt: skip


@pytest.mark.parametrize("row", corpus_params(*READABLE, valid=("yes",)))
def test_valid_corpus_files_give_no_unexplained_error(row: CorpusFile) -> None:
    assert unexplained(row.path) == []


def _examples() -> list[object]:
    files = sorted(p for p in GUIDE_EXAMPLES.rglob("*.edi")) if GUIDE_EXAMPLES.is_dir() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no guide examples at {GUIDE_EXAMPLES}"))]
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in files]


@pytest.mark.parametrize("path", _examples())
def test_guide_examples_give_no_unexplained_error(path: Path) -> None:
    assert unexplained(path) == []


@pytest.mark.parametrize(
    "name",
    ["837p-office-visits.x12", "835-office-visits.x12"],
)
def test_the_samples_give_no_error(name: str) -> None:
    assert [f"{i.rule}: {i.message}" for i in errors(SAMPLES / name)] == []


def test_known_faults_are_still_found() -> None:
    rows = {r.path.name: r for r in corpus_files(*READABLE, valid=("yes",))}
    if not rows:
        pytest.skip("corpus not found")
    for name, faults in KNOWN_FAULTS.items():
        if name in rows and faults:
            found = {i.rule for i in errors(rows[name].path)}
            assert set(faults) <= found, f"{name}: {set(faults) - found} no longer found"


# Broken files: the rules for what the MANIFEST note describes, or the read error that stops them (exit 2).
INVALID: dict[str, tuple[str, ...]] = {
    "badx12__bad_file.edi": ("read: no ISA segment",),
    "badx12__segment_terminator.edi": ("read: the file ends inside an envelope",),
    "badx12__unknown_segment_error.edi": ("read: stands outside any transaction set",),
    "cloudfocused__111111.edi": ("snip1.isa_field", "snip2.required_missing"),
    "edi835parser__blue_cross_nc_sample.txt": ("snip1.missing_envelope",),
    "edifabric__Custom835.txt": ("snip2.element_code",),
    "gunajii__invalid_837.edi": ("snip1.isa_field", "snip1.segment_count", "snip2.required_missing"),
    "imsweb__x12_bad_first_line.txt": ("snip1.isa_field",),
    "imsweb__x12_bad_segment_identifier.txt": ("snip2.unknown_segment", "snip2.required_missing"),
    "imsweb__x12_bad_valid_code.txt": ("snip2.unexpected_segment",),
    "imsweb__x12_loop_errors1_exceeds_max_1_parent.txt": ("snip2.loop_repeat",),
    "imsweb__x12_loop_errors3_missing_loops.txt": ("snip2.required_missing",),
    "imsweb__x12_missing_elements.txt": ("snip2.element_required",),
    "imsweb__x12_missing_required_loop_in_one_repeat.txt": ("snip2.required_missing",),
    "imsweb__x12_no_isa_line.txt": ("read: no ISA segment",),
    "imsweb__x12_segments_out_of_order.txt": ("snip2.segment_order",),
    "pyx12__fail_no_IEA.txt": ("read: the file ends inside an envelope",),
    "silvenga__bad-header.edi": ("snip1.isa_field", "snip1.version_mismatch", "snip1.element_syntax"),
    "staedi__invalid999.edi": ("snip2.unexpected_segment", "snip1.too_many_elements"),
    "stupidedi__1.edi": ("snip1.isa_field",),
    "x12parser-java__example835One.txt": ("snip1.isa_field", "snip1.element_syntax"),
}


@pytest.mark.parametrize("row", corpus_params("invalid"))
def test_broken_files_get_the_error_their_note_describes(row: CorpusFile) -> None:
    expected = INVALID[row.path.name]
    if expected[0].startswith("read: "):
        with pytest.raises(ReadError) as caught:
            validate_file(row.path)
        assert expected[0].removeprefix("read: ") in str(caught.value)
        assert row.path.name in str(caught.value)
        return
    _, issues = validate_file(row.path)
    assert set(expected) <= {i.rule for i in issues if i.severity == "error"}


def test_the_named_elements_and_loops_of_broken_files() -> None:
    rows = {r.path.name: r for r in corpus_files("invalid")}
    if not rows:
        pytest.skip("corpus not found")
    _, issues = validate_file(rows["imsweb__x12_missing_elements.txt"].path)
    required = {(i.segment_id, i.loop, i.element) for i in issues if i.rule == "snip2.element_required"}
    assert {("NM1", "1000B", "NM102"), ("CLM", "2300", "CLM05")} <= required
    _, issues = validate_file(rows["imsweb__x12_segments_out_of_order.txt"].path)
    assert {(i.segment_id, i.loop) for i in issues if i.rule == "snip2.segment_order"} == {
        ("N4", "2010AA"),
        ("N3", "2010AB"),
    }
    _, issues = validate_file(rows["imsweb__x12_loop_errors3_missing_loops.txt"].path)
    assert [(i.segment_id, i.loop) for i in issues if i.rule == "snip2.required_missing"] == [("NM1", "2000A")]
