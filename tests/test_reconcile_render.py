"""Rendering a reconciliation: amounts as strings, the table's columns and totals, CSV cells."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from edi.reconcile import Reconciliation, reconcile
from edi.reconcile.render import amount, table, write_csv

DATA = Path(__file__).parent / "data" / "reconcile"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("150"), "150.00"),
        (Decimal("71.25"), "71.25"),
        (Decimal("-162"), "-162.00"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("0.125"), "0.125"),
        (None, None),
    ],
)
def test_amounts_are_decimal_strings_with_cents(value: Decimal | None, text: str | None) -> None:
    assert amount(value) == text


@pytest.fixture(scope="module")
def result() -> Reconciliation:
    return reconcile(
        [DATA / "reversal.837", DATA / "inpatient.837"], [DATA / "reversal-1.835", DATA / "reversal-2.835"]
    )


def render(result: Reconciliation, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False, color_system=None)
    console.print(table(result, width))
    text = console.file.getvalue()
    assert isinstance(text, str)
    return text


def test_wide_table_shows_the_history_and_totals(result: Reconciliation) -> None:
    text = render(result, 140)
    assert "reversed and corrected" in text
    assert "original, reversal, correction" in text
    total = next(line for line in text.splitlines() if line.strip().startswith("Total"))
    assert total.split()[1:] == ["5250.00", "107.00", "83.00", "50.00", "18.00", "15.00", "0.00"]
    assert "Open claims: PCN-6001" in text


def test_narrow_table_drops_the_history_but_keeps_every_amount(result: Reconciliation) -> None:
    text = render(result, 80)
    assert "History" not in text
    assert "PCN-3001  reversed" in text
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_csv_leaves_unreported_line_amounts_empty(result: Reconciliation) -> None:
    out = io.StringIO()
    write_csv(result, out)
    rows = out.getvalue().splitlines()
    assert rows[1] == "PCN-3001,reversed_and_corrected,ICN-3001B,1,L3001-1,99214,180.00,72.00,68.00"
    assert rows[-1] == "PCN-6001,open,,3,,0300/80053,350.00,,"
