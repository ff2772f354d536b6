"""999 and 277CA acknowledgments in the ledger: attached to the claims they answer whatever the import order,
shown in each claim's history and in the open claims' front-door state, imported once, kept when unmatched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from edi.cli import app
from edi.ledger import Ledger
from edi.ledger import schema as t
from edi.ledger.database import MIGRATIONS, database_url
from edi.x12.reader import read_document
from tests.conftest import TWO_FAULTS, seeded_batch
from tests.ledger_db import BACKENDS, ledger_database

# A syntax error the 999 rejects the whole set for, in a batch of its own claims and group.
SYNTAX_FAULT = (
    ("BHT*0019*00*", "BHT*0019*99*"),
    ("PCN-100", "PCN-200"),
    ("*101*X*", "*102*X*"),
    ("GE*1*101", "GE*1*102"),
)
runner = CliRunner()


@dataclass(frozen=True)
class Files:
    """The two batches, their 999s and the first batch's 277CA, as `edi validate` writes them."""

    faulty: Path
    faulty_999: Path
    faulty_277: Path
    broken: Path
    broken_999: Path

    def claims_first(self) -> list[Path]:
        return [self.faulty, self.broken, self.faulty_999, self.faulty_277, self.broken_999]

    def acks_first(self) -> list[Path]:
        return [self.faulty_277, self.broken_999, self.faulty_999, self.broken, self.faulty]


def _validate(path: Path, *acks: str) -> None:
    arguments = []
    for kind in acks:
        arguments += ["--ack" if kind == "999" else "--ack277", str(path.with_suffix(f".{kind}"))]
    result = runner.invoke(app, ["validate", str(path), *arguments])
    assert result.exit_code in (0, 1), result.output
    assert all(path.with_suffix(f".{kind}").is_file() for kind in acks)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    folder = tmp_path_factory.mktemp("acks")
    faulty = seeded_batch(folder, *TWO_FAULTS, name="faulty.837")
    broken = seeded_batch(folder, *SYNTAX_FAULT, name="broken.837")
    _validate(faulty, "999", "277")
    _validate(broken, "999")
    return Files(faulty, faulty.with_suffix(".999"), faulty.with_suffix(".277"), broken, broken.with_suffix(".999"))


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from ledger_database(request.param, tmp_path)


def ledger(database: str, *args: str) -> Any:
    result = runner.invoke(app, ["ledger", *args, "--db", database, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def imported(database: str, paths: list[Path]) -> list[dict[str, Any]]:
    return [ledger(database, "import", str(path))[0] for path in paths]


def segments(path: Path, *ids: str) -> list[str]:
    return [s.text() for s in read_document(path).segments() if s.id in ids]


def states(database: str) -> dict[str, str]:
    return {row["patient_control_number"]: row["acknowledgment"] for row in ledger(database, "open")["rows"]}


EXPECTED = {
    "PCN-1001": "accepted",
    "PCN-1002": "rejected (A7:400)",
    "PCN-1003": "rejected (A7:254)",
    "PCN-2001": "rejected (999 IK5*R*5)",
    "PCN-2002": "rejected (999 IK5*R*5)",
    "PCN-2003": "rejected (999 IK5*R*5)",
}


@pytest.mark.parametrize("order", ["claims_first", "acks_first"])
def test_each_open_claim_shows_what_the_999_and_277ca_said_whatever_the_import_order(
    database: str, files: Files, order: str
) -> None:
    outcomes = imported(database, getattr(files, order)())
    assert [o["status"] for o in outcomes] == ["imported"] * 5
    assert sum(o["acknowledgments"] for o in outcomes) == 5  # one 999 answer per set, one 277CA status per claim
    if order == "acks_first":
        assert [o["unmatched_acknowledgments"] for o in outcomes[:3]] == [3, 1, 1]
    else:
        assert all(o["unmatched_acknowledgments"] == 0 for o in outcomes)
    report = ledger(database, "open")
    assert states(database) == EXPECTED
    assert report["rejected"] == 5 and report["claims"] == 6
    assert ledger(database, "acks", "--unmatched")["rows"] == []


def test_the_same_history_and_csv_whatever_the_import_order(files: Files, tmp_path: Path) -> None:
    seen = []
    for order in ("claims_first", "acks_first"):
        for database in ledger_database("sqlite", tmp_path / order):
            imported(database, getattr(files, order)())
            csv = runner.invoke(app, ["ledger", "open", "--db", database, "--csv", "--as-of", "2026-03-01"]).stdout
            seen.append((csv, [ledger(database, "claim", pcn) for pcn in EXPECTED]))
    assert seen[0] == seen[1]
    header, *rows = seen[0][0].splitlines()
    assert header.split(",")[-1] == "acknowledgment"
    assert {row.split(",")[0]: row.split(",", 6)[-1] for row in rows} == EXPECTED


def test_the_claim_history_lists_the_999_and_the_277ca_after_the_submission(database: str, files: Files) -> None:
    imported(database, files.claims_first())
    rejected = ledger(database, "claim", "PCN-1002")
    assert rejected["acknowledgment"] == "rejected (A7:400)"
    assert [(a["kind"], a["accepted"], a["codes"]) for a in rejected["acknowledgments"]] == [
        ("999", True, "IK5*A"),
        ("277CA", False, "A7:400"),
    ]
    assert [(e["kind"], e["event"]) for e in rejected["history"]] == [
        ("837", "submitted, billed 130.00"),
        ("999", "999 accepted"),
        ("277CA", "277CA rejected: A7:400"),
    ]
    assert rejected["claim"]["status"] == "open"
    syntax = ledger(database, "claim", "PCN-2002")
    (answer,) = syntax["acknowledgments"]
    assert (answer["kind"], answer["accepted"]) == ("999", False)
    explained = [*segments(files.broken_999, "IK5"), *segments(files.broken_999, "IK3", "IK4")]
    assert len(explained) > 1 and [answer["codes"], *answer["details"]] == explained
    assert syntax["history"][-1]["event"] == "999 rejected: " + "; ".join(explained)
    table = runner.invoke(app, ["ledger", "claim", "PCN-1002", "--db", database])
    assert "277CA rejected: A7:400" in table.output and "acknowledgment rejected (A7:400)" in table.output


def test_importing_the_acknowledgments_again_changes_no_row(database: str, files: Files, tmp_path: Path) -> None:
    imported(database, files.claims_first())
    with Ledger.open(database) as opened, opened.engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(t.acknowledgments)).scalar_one()
    again = imported(database, [files.faulty_999, files.faulty_277])
    assert [o["status"] for o in again] == ["already imported"] * 2
    other_lines = tmp_path / "same.277"  # the same content written another way: its transaction set is known
    other_lines.write_text(files.faulty_277.read_text(encoding="utf-8").replace("~", "~\n"), encoding="utf-8")
    (outcome,) = imported(database, [other_lines])
    assert outcome["status"] == "already imported" and outcome["already_imported"][0].startswith("277 0001")
    with Ledger.open(database) as opened, opened.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.acknowledgments)).scalar_one() == before == 5
    assert states(database) == EXPECTED


def test_a_999_for_an_unknown_set_is_kept_and_listed_as_unmatched(database: str, files: Files, tmp_path: Path) -> None:
    stray = tmp_path / "stray.999"
    stray.write_text(files.broken_999.read_text(encoding="utf-8").replace("AK1*HC*102*", "AK1*HC*777*"))
    (outcome,) = imported(database, [stray])
    assert (outcome["status"], outcome["acknowledgments"], outcome["unmatched_acknowledgments"]) == ("imported", 1, 1)
    imported(database, [files.broken])
    (row,) = ledger(database, "acks", "--unmatched")["rows"]
    assert (row["kind"], row["answers"], row["outcome"], row["matched"]) == (
        "999",
        "GS06 777 ST02 0001 from SUBMITTER01",
        "rejected",
        "no",
    )
    assert set(states(database).values()) == {"none"}  # the set it names is not the one imported


def test_a_claim_sent_again_after_a_rejection_waits_for_its_own_acknowledgment(
    database: str, files: Files, tmp_path: Path
) -> None:
    imported(database, files.claims_first())
    fixed = files.faulty.read_text(encoding="utf-8").replace("CLM*PCN-1002*130", "CLM*PCN-1002*120")
    fixed = fixed.replace("*20260115*1030*101*X*", "*20260120*0900*103*X*").replace("GE*1*101", "GE*1*103")
    resent = tmp_path / "resent.837"
    resent.write_text(fixed, encoding="utf-8")
    imported(database, [resent])
    assert states(database)["PCN-1002"] == "none"
    history = ledger(database, "claim", "PCN-1002")
    assert [s["billed"] for s in history["submissions"]] == ["130.00", "120.00"]
    assert {a["codes"] for a in history["acknowledgments"]} == {"IK5*A", "A7:400"}  # both answer the first


def test_an_ack_loop_without_its_code_is_skipped_with_the_segment_named(
    database: str, files: Files, tmp_path: Path
) -> None:
    broken = tmp_path / "no-ik5.999"
    broken.write_text(files.broken_999.read_text(encoding="utf-8").replace("IK5*R*5~", ""), encoding="utf-8")
    result = runner.invoke(app, ["ledger", "import", "--db", database, str(broken)])
    assert result.exit_code == 2
    assert "an AK2 loop without its IK5" in result.output and "SE*" in result.output


def test_a_ledger_from_before_acknowledgments_is_migrated_and_keeps_its_claims(database: str, files: Files) -> None:
    engine = create_engine(database_url(database))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO claims (patient_control_number, prefix, first_seen, payer_name, patient_id,"
                " patient_name, billed_cents, status) VALUES ('OLD-1', '', 1, 'P', 'M1', 'N', 100, 'open')"
            )
        )
    engine.dispose()
    imported(database, files.claims_first())
    assert states(database) == {**EXPECTED, "OLD-1": "none"}


def test_a_999_without_ak2_answers_every_set_of_its_group(database: str, files: Files, tmp_path: Path) -> None:
    text = files.broken_999.read_text(encoding="utf-8")
    start, end = text.index("AK2*"), text.index("AK9*")
    group_only = tmp_path / "group.999"
    group_only.write_text(text[:start] + text[end:], encoding="utf-8")
    (ak9,) = segments(group_only, "AK9")
    imported(database, [group_only, files.broken, files.faulty])
    assert states(database) == {
        **{f"PCN-200{n}": f"rejected (999 {ak9})" for n in (1, 2, 3)},
        **{f"PCN-100{n}": "none" for n in (1, 2, 3)},
    }
