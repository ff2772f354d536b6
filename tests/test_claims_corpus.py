"""Over the 837 corpus: read into claims JSON, build, and get the same transaction-set segments back."""

from __future__ import annotations

import json

import pytest

from edi.claims.build import build_837
from edi.claims.read import read_claims, renumbered
from edi.x12.reader import read_document
from tests.conftest import CorpusFile, corpus_params, without_numbers


@pytest.mark.parametrize("row", corpus_params("837p", "837i", "837d", valid=("yes", "unknown")))
def test_read_then_build_gives_back_the_transaction_set_segments(row: CorpusFile) -> None:
    document = read_document(row.path)
    data = json.loads(json.dumps(read_claims(document)))
    notes: list[str] = []
    text = build_837(data, str(row.path), warn=notes.append, check=False)
    built = read_document(text.encode("utf-8", "surrogateescape"))
    before = [t for _, _, t in document.transactions()]
    after = [t for _, _, t in built.transactions()]
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert new.control_number == old.control_number
        assert new.se.get(2) == old.se.get(2)
        assert renumbered(new) == []
        if renumbered(old):
            assert without_numbers(new) == without_numbers(old)
        else:
            assert [s.text() for s in new.segments()] == [s.text() for s in old.segments()]
    unplaced = [s.text() for t in before for s in t.segments() if s.unplaced]
    assert len(notes) == len(unplaced)
    assert all(text in note for text, note in zip(unplaced, notes, strict=True))
