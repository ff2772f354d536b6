"""`edi reconcile` and `edi ledger import` keep the heap bounded on a large single-ST 837 and its one-check 835."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from edi.cli import app
from edi.ledger import Ledger
from edi.ledger import schema as t
from edi.reconcile import reconciled
from tests.conftest import SAMPLES
from tests.test_claim_stream import HEAP_BOUND, _one_check_835, _one_st_837, _peak_heap

CLAIMS = 4_000
runner = CliRunner()


def _pair(folder: Path, claims: int) -> tuple[Path, Path]:
    sent, paid = folder / "batch.837", folder / "check.835"
    sent.write_text(_one_st_837(claims))
    paid.write_text(_one_check_835(claims))
    return sent, paid


def _reconcile(*args: str | Path) -> None:
    result = runner.invoke(app, ["reconcile", *map(str, args)])
    assert result.exit_code == 0, result.output


def _bounded_output(sent: Path, paid: Path, out: Path, *options: str) -> str:
    """What `edi reconcile` wrote, after checking the heap stayed under the bound."""
    assert _peak_heap(lambda: _reconcile("--claims", sent, "--remit", paid, *options, "-o", out)) < HEAP_BOUND
    return out.read_text()


def test_reconciling_a_4000_claim_837_and_its_check_keeps_the_heap_bounded(tmp_path: Path) -> None:
    sent, paid = _pair(tmp_path, CLAIMS)
    out = tmp_path / "out"
    # The first run loads the modules and guide grammars, which are not what is measured.
    _reconcile("--claims", SAMPLES / "837p-office-visits.x12", "--remit", SAMPLES / "835-office-visits.x12", "-o", out)
    data = json.loads(_bounded_output(sent, paid, out, "--json"))
    assert data["totals"]["claims"] == data["totals"]["matched_claims"] == CLAIMS
    assert [c["patient_control_number"] for c in data["claims"]] == [f"PCN{n}" for n in range(CLAIMS)]
    assert {c["status"] for c in data["claims"]} == {"paid"}
    text = _bounded_output(sent, paid, out)
    assert f"{CLAIMS} claims: {CLAIMS} answered, 0 open" in text
    assert sum(1 for line in text.splitlines() if line.startswith(" PCN")) == CLAIMS


def test_importing_a_5000_claim_837_into_the_ledger_keeps_the_heap_bounded(tmp_path: Path) -> None:
    sent = tmp_path / "batch.837"
    sent.write_text(_one_st_837(5_000))
    with Ledger.open(str(tmp_path / "ledger.sqlite3")) as ledger:
        ledger.import_file(SAMPLES / "837p-office-visits.x12")  # loads the modules and guide grammars
        outcomes = []
        assert _peak_heap(lambda: outcomes.append(ledger.import_file(sent))) < HEAP_BOUND
        assert (outcomes[0].status, outcomes[0].claims) == ("imported", 5_000)
        with ledger.engine.connect() as connection:
            kept = select(func.count()).where(t.submissions.c.business.is_not(None))
            assert connection.execute(kept).scalar_one() == 5_000 + 3
        assert ledger.import_file(sent).status == "already imported"


def test_a_reconcile_import_notes_no_claim_numbers_while_a_ledger_import_notes_every_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The claims a file touches are noted only to refresh their summary rows; a reconcile run skips
    # that refresh, so it keeps nothing per claim (the set grew with the file before).
    sent, paid = _pair(tmp_path, 300)
    noted: list[tuple[bool, int]] = []
    finish = Ledger._finish

    def noting(connection: Any, pending: Any, kinds: Any) -> Any:
        noted.append((pending.refreshing, len(pending.touched)))
        return finish(connection, pending, kinds)

    monkeypatch.setattr(Ledger, "_finish", staticmethod(noting))
    with reconciled([sent], [paid]) as (ledger, skipped):
        assert not skipped
    with Ledger.open(str(tmp_path / "ledger.sqlite3")) as ledger:
        ledger.import_file(sent)
        ledger.import_file(paid)
    assert noted == [(False, 0), (False, 0), (True, 300), (True, 300)]
