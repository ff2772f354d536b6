"""The compiled clean-segment test: it passes clean segments and never a segment with a SNIP 1 or 2 element fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from edi.errors import ReadError
from edi.validate.context import Context
from edi.validate.envelope import element_value_problems
from edi.validate.fastpath import SegmentCheck, compile_check, notes_hold, presences
from edi.validate.runner import validate_document
from edi.validate.structure import (
    SegmentSpec,
    effective_codes,
    element_usage_problems,
    matches,
    syntax_problems,
)
from edi.x12.document import Interchange, Transaction
from edi.x12.reader import read_document
from edi.x12.segment import Segment
from tests.conftest import SAMPLES, corpus_files

FOLDERS = ("835", "837d", "837i", "837p", "999", "other", "invalid")
# Values that break one element in some way: bad character, too long, bad date or time, bad number, unknown code.
FAULTY_VALUES = ("\x01", "A" * 120, "20150230", "20151301", "2561", "1.2.3", "-", "ZZ9", "12:34:56:78:90:12")


def _whole(transaction: Transaction) -> Context:
    """The context of a whole transaction set read into memory: one piece."""
    return Context("", Interchange(None, transaction.st.delimiters), transaction=transaction)


def _transactions(path: Path) -> list[Transaction]:
    try:
        return [t for _, _, t in read_document(path).transactions() if t.guide is not None]
    except ReadError:
        return []


def _files() -> list[Path]:
    return sorted(SAMPLES.glob("*.x12")) + [row.path for row in corpus_files(*FOLDERS)]


def _faults(segment: Segment, spec: SegmentSpec) -> list[str]:
    """Every SNIP 1 and 2 element finding the element-by-element checks give for ``segment``."""
    found = [f"{e.ref} {code}" for e, code, _ in element_value_problems(segment, spec.elements, spec.periods)]
    found += [f"{e.ref} {code}" for e, code, _ in element_usage_problems(segment, spec)]
    found += [f"{segment.id}{index:02d} {code}" for index, code, _ in syntax_problems(segment, spec)]
    if len(segment.elements) > len(spec.elements):
        found.append("too many elements")
    return found


def _variants(segment: Segment) -> list[Segment]:
    """The segment, and copies with one element emptied, replaced by a faulty value, added or cut off."""
    values = segment.elements
    lists = [values, [*values, "X"], values[:-1]]
    for index in range(len(values)):
        lists.extend([*values[:index], value, *values[index + 1 :]] for value in ("", *FAULTY_VALUES))
    return [Segment(segment.id, elements, segment.delimiters) for elements in lists]


def test_every_sample_segment_takes_the_fast_path() -> None:
    transactions = [t for path in sorted(SAMPLES.glob("*.x12")) for t in _transactions(path)]
    assert transactions
    for transaction in transactions:
        found = matches(_whole(transaction))
        assert found.placed
        assert [item[0].text() for item in found.suspect] == []


def test_the_fast_path_never_passes_a_faulty_segment() -> None:
    checked = passed = 0
    seen: set[tuple[int, str]] = set()
    originals: set[tuple[int, str]] = set()
    checks: dict[tuple[int, str], SegmentCheck | None] = {}
    for path in _files():
        for transaction in _transactions(path):
            for segment, _, _, spec in matches(_whole(transaction)).placed:
                if spec is None or (id(spec), segment.text()) in originals:
                    continue
                originals.add((id(spec), segment.text()))
                where = (id(spec), repr(segment.delimiters.separators()))
                if where not in checks:
                    checks[where] = compile_check(spec, segment.delimiters, effective_codes)
                check = checks[where]
                assert check is not None
                for variant in _variants(segment):
                    key = (id(spec), variant.text())
                    if key in seen:
                        continue
                    seen.add(key)
                    checked += 1
                    if check.passes(variant):
                        passed += 1
                        assert _faults(variant, spec) == [], f"{path.name}: {variant.text()!r} passed"
    assert checked > 1000
    assert 0 < passed < checked


@pytest.mark.parametrize(
    ("notes", "values", "holds"),
    [
        ((("P", (1, 2)),), ["A", ""], False),
        ((("P", (1, 2)),), ["A", "B"], True),
        ((("R", (1, 2)),), ["", ""], False),
        ((("C", (1, 2)),), ["A", ""], False),
        ((("C", (1, 2)),), ["", "B"], True),
        ((("E", (1, 2)),), ["A", "B"], False),
        ((("L", (1, 2, 3)),), ["A", "", "C"], True),
        ((("L", (1, 2, 3)),), ["A", "", ""], False),
    ],
)
def test_syntax_notes(notes: tuple[tuple[str, tuple[int, ...]], ...], values: list[str], holds: bool) -> None:
    assert notes_hold(values, notes) is holds
    accepted = presences(notes)
    assert accepted is not None
    assert (tuple(bool(v) for v in values) in accepted) is holds


def test_a_repeated_segment_is_judged_like_its_first_occurrence() -> None:
    """Clean segments seen before skip their test; a faulty repeat of them is still reported, every time."""
    text = (SAMPLES / "837p-office-visits.x12").read_text()
    clean = read_document(text.encode())
    assert [i.rule for i in validate_document(clean)] == []
    assert [i.rule for i in validate_document(read_document(text.encode()))] == []
    faulty = text.replace("DTP*472*D8*20260110~", "DTP*472*D8*20261310~")
    found = [(i.rule, i.segment_text) for i in validate_document(read_document(faulty.encode()))]
    assert found.count(("snip1.element_syntax", "DTP*472*D8*20261310")) == 2


def test_texts_known_clean_stay_bounded_and_unrepeated_ones_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from edi.validate import structure

    monkeypatch.setattr(structure, "_proofs", {})
    monkeypatch.setattr(structure, "MAX_PROVEN", 6)
    monkeypatch.setattr(structure, "TRIAL", 3)
    transactions = [t for path in sorted(SAMPLES.glob("*.x12")) for t in _transactions(path)]
    for transaction in transactions * 2:
        structure._last.clear()
        assert matches(_whole(transaction)).suspect == []
    kept = list(structure._proofs.values())
    assert kept
    for proofs in kept:
        assert proofs.count <= 6
        assert sum(len(p.proven) for p in proofs.by_entry.values()) == proofs.count
    proofs_of = [p for proofs in kept for p in proofs.by_entry.values()]
    assert any(not p.remembering for p in proofs_of)
    assert any(p.hits for p in proofs_of)
