"""An 837 file imported claim by claim gives the same rows as the same file read whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from edi.errors import EdiError
from edi.ledger import Ledger
from edi.ledger import schema as t
from edi.x12.reader import read_document
from tests.conftest import SAMPLES, corpus_files

DATA = Path(__file__).parent / "data" / "reconcile"
FILES = [*sorted(DATA.glob("*.837")), *sorted(SAMPLES.glob("837*.x12")), *sorted(SAMPLES.glob("claims-837*.x12"))]
FILES += [SAMPLES / "ledger-claims-day1.x12", SAMPLES / "ledger-claims-day2.x12"]
FILES += [row.path for row in corpus_files("837p", "837i", "837d")]


def rows(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """Every stored 837 row, without row ids."""
    tables = {
        "transaction_sets": (t.transaction_sets, ("id", "file_id")),
        "submissions": (t.submissions, ("id", "transaction_set_id")),
        "claims": (t.claims, ()),
    }
    found: dict[str, list[dict[str, Any]]] = {}
    with ledger.engine.connect() as connection:
        for name, (table, left_out) in tables.items():
            result = connection.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            found[name] = [{k: v for k, v in row.items() if k not in left_out} for row in result]
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_streamed_837_is_stored_as_when_it_is_read_whole(path: Path) -> None:
    try:
        document = read_document(path, file=str(path))
    except EdiError:
        pytest.skip("the file cannot be read")
    with Ledger.memory() as streamed, Ledger.memory() as whole:
        first = streamed.import_file(path)
        second = whole.import_file(document)
        assert (first.status, first.claims, first.duplicates) == (second.status, second.claims, second.duplicates)
        assert rows(streamed) == rows(whole)
        assert streamed.reconciliation() == whole.reconciliation()
