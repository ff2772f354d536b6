"""The ledger over SQLite and PostgreSQL: the schema its migrations build, answers equal to `edi reconcile`
whatever the import order, and imports that never count a file or a payment twice."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from edi.ledger import Ledger
from edi.ledger.schema import metadata
from edi.reconcile import reconcile
from edi.reconcile.render import to_json
from tests.ledger_db import BACKENDS, ledger_database

DATA = Path(__file__).parent / "data" / "reconcile"
CASES = {
    "office": ["office.837", "office.835"],
    "lines": ["lines.837", "lines.835"],
    "inpatient": ["inpatient.837", "inpatient.835"],
    "batch": ["batch.837", "batch-1.835", "batch-2.835"],
    "cob": ["cob.837", "cob-primary.835", "cob-secondary.835"],
    "reversal": ["reversal.837", "reversal-1.835", "reversal-2.835"],
    "reversal-only": ["reversal.837", "reversal-only.835"],
    "cob-denial": ["cob-denial.837", "cob-denial-primary.835", "cob-denial-secondary.835"],
    "cob-denial-single": ["cob-denial-single.837", "cob-denial-primary.835", "cob-denial-secondary.835"],
    "appeal": ["appeal.837", "appeal-denial.835", "appeal-paid.835"],
    "correction-first": ["reversal.837", "reversal-1.835", "correction-first.835"],
}


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from ledger_database(request.param, tmp_path)


def orders(files: list[str]) -> list[list[str]]:
    """The files as listed, reversed, and with the claims file last (remittances before their claims)."""
    found = [files, files[::-1], [*files[1:], files[0]]]
    return [list(order) for order in dict.fromkeys(tuple(order) for order in found)]


ORDERS = [pytest.param(case, order, id=f"{case}-{'-'.join(order)}") for case in CASES for order in orders(CASES[case])]


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """Reconciliation JSON without the order claims were first seen in."""
    return {**data, "claims": sorted(data["claims"], key=lambda c: c["patient_control_number"])}


def row_counts(ledger: Ledger) -> dict[str, int]:
    with ledger.engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
        }


def test_migrating_an_empty_database_gives_the_current_schema(database: str) -> None:
    with Ledger.open(database) as ledger, ledger.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


@pytest.mark.parametrize(("case", "order"), ORDERS)
def test_the_ledger_answers_what_reconcile_answers_whatever_the_import_order(
    database: str, case: str, order: list[str]
) -> None:
    files = CASES[case]
    expected = comparable(to_json(reconcile([DATA / files[0]], [DATA / name for name in files[1:]])))
    with Ledger.open(database) as ledger:
        for name in order:
            (outcome,) = ledger.import_paths([DATA / name])
            assert outcome.status == "imported", outcome.describe()
        assert comparable(to_json(ledger.reconciliation())) == expected


def test_importing_a_folder_twice_reports_every_file_and_changes_no_row(database: str) -> None:
    with Ledger.open(database) as ledger:
        first = ledger.import_paths([DATA])
        assert {o.status for o in first} == {"imported"}
        before = row_counts(ledger)
        claims = ledger.reconciliation()
        second = ledger.import_paths([DATA])
        assert [o.file for o in second] == [o.file for o in first]
        assert {o.status for o in second} == {"already imported"}
        assert row_counts(ledger) == before
        assert ledger.reconciliation() == claims


def test_a_resent_835_with_the_same_trace_number_is_recognised(database: str, tmp_path: Path) -> None:
    with Ledger.open(database) as ledger:
        ledger.import_paths([DATA / "office.837", DATA / "office.835"])
        before = row_counts(ledger)
        text = (DATA / "office.835").read_text(encoding="utf-8")
        resent = tmp_path / "resent.835"
        resent.write_text(text.replace("000000501", "000000901").replace("*501*", "*901*"), encoding="utf-8")
        assert text != resent.read_text(encoding="utf-8")
        (outcome,) = ledger.import_paths([resent])
        assert outcome.status == "already imported"
        assert any("trace" in d for d in outcome.duplicates)
        assert row_counts(ledger) == before


def test_a_file_read_again_under_another_name_is_recognised_by_its_content(database: str, tmp_path: Path) -> None:
    with Ledger.open(database) as ledger:
        ledger.import_paths([DATA / "cob.837"])
        copy = tmp_path / "copy.837"
        shutil.copy(DATA / "cob.837", copy)
        (outcome,) = ledger.import_paths([copy])
        assert outcome.status == "already imported"
