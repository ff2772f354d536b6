"""An 835 file imported claim by claim gives the same rows as the same file read whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from edi.ledger import Ledger
from edi.ledger import schema as t
from edi.x12.reader import read_document
from tests.conftest import SAMPLES, corpus_files

DATA = Path(__file__).parent / "data" / "reconcile"
FILES = [*sorted(DATA.glob("*.835")), *sorted(SAMPLES.glob("835*.x12")), SAMPLES / "ledger-era-secondary.x12"]
FILES += [row.path for row in corpus_files("835", valid=("yes",))]


def rows(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """Every stored 835 row, without row ids and import times."""
    tables = {
        "transaction_sets": (t.transaction_sets, ("id", "file_id")),
        "remittances": (t.remittances, ("id", "transaction_set_id")),
        "claim_payments": (t.claim_payments, ("id", "remittance_id")),
    }
    found: dict[str, list[dict[str, Any]]] = {}
    with ledger.engine.connect() as connection:
        for name, (table, left_out) in tables.items():
            result = connection.execute(select(table).order_by(table.c.id)).mappings()
            found[name] = [{k: v for k, v in row.items() if k not in left_out} for row in result]
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_streamed_835_is_stored_as_when_it_is_read_whole(path: Path) -> None:
    with Ledger.memory() as streamed, Ledger.memory() as whole:
        first = streamed.import_file(path)
        second = whole.import_file(read_document(path, file=str(path)))
        assert (first.status, first.payments, first.duplicates) == (second.status, second.payments, second.duplicates)
        assert rows(streamed) == rows(whole)
        assert streamed.reconciliation() == whole.reconciliation()


def test_a_file_holding_an_835_then_an_837_is_read_whole_and_gives_both(tmp_path: Path) -> None:
    both = tmp_path / "both.x12"
    both.write_text((DATA / "office.835").read_text() + (DATA / "office.837").read_text(), encoding="utf-8")
    with Ledger.memory() as ledger:
        outcome = ledger.import_file(both)
        assert (outcome.status, outcome.claims, outcome.payments, outcome.duplicates) == ("imported", 3, 3, [])
        statuses = {c.patient_control_number: c.status for c in ledger.reconciliation().claims}
    with Ledger.memory() as separate:
        separate.import_paths([DATA / "office.837", DATA / "office.835"])
        assert statuses == {c.patient_control_number: c.status for c in separate.reconciliation().claims}
