"""--redact: no name, member or patient ID, birth date, address or claim number of a sample in any output or error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edi.cli import app
from edi.redact import Redactor, mask
from edi.x12.segment import Segment
from tests.conftest import SAMPLES

runner = CliRunner()
SAMPLE_837 = SAMPLES / "837p-office-visits.x12"
SAMPLE_835 = SAMPLES / "835-office-visits.x12"
X12_SAMPLES = sorted(SAMPLES.glob("*.x12"))


def segments(path: Path) -> list[list[str]]:
    """The file's segments as element lists, read with plain string splits (the samples use * and ~)."""
    text = path.read_text(encoding="utf-8")
    return [part.strip().split("*") for part in text.split("~") if part.strip()]


def private_values(path: Path) -> set[str]:
    """Names and IDs of people, birth dates, addresses and claim numbers, as the file holds them."""
    found: set[str] = set()
    for elements in segments(path):
        seg_id, values = elements[0], [*elements[1:], *[""] * 12]
        if seg_id == "NM1" and (values[0] in ("IL", "QC") or values[1] == "1"):
            found |= {values[2], values[3], values[8]}
        elif seg_id == "DMG":
            date = values[1]
            found |= {date, f"{date[:4]}-{date[4:6]}-{date[6:8]}"}
        elif seg_id == "N3" or seg_id == "CLM":
            found.add(values[0])
        elif seg_id == "CLP":
            found |= {values[0], values[6]}
    return {value for value in found if len(value) >= 3}


def assert_private_values_hidden(text: str, *sources: Path) -> None:
    values = set().union(*(private_values(source) for source in sources))
    assert values, "the samples hold names and IDs"
    leaked = sorted(value for value in values if value in text)
    assert leaked == []


def faulty(tmp_path: Path) -> Path:
    """The 837P sample with findings on the subscriber's NM1 and on a claim."""
    text = SAMPLE_837.read_text(encoding="utf-8")
    text = text.replace("CLM*PCN-1001*245", "CLM*PCN-1001*999")
    text = text.replace("NM1*IL*1*DOE*JOHN*A***MI*W123456789", "NM1*IL*1*DOE*JOHN*A***MI*W123456789*X*Y*Z*W")
    path = tmp_path / "faulty.x12"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_samples_hold_values_to_hide() -> None:
    assert {"DOE", "JOHN", "W123456789", "19700312", "1970-03-12", "PCN-1001"} <= private_values(SAMPLE_837)


@pytest.mark.parametrize("as_json", [False, True])
def test_validate_report_hides_them_but_keeps_the_shape(tmp_path: Path, as_json: bool) -> None:
    source = faulty(tmp_path)
    plain = runner.invoke(app, ["validate", str(source), *(["--json"] if as_json else [])])
    assert "DOE" in plain.stdout  # the same report without --redact shows them
    result = runner.invoke(app, ["validate", str(source), "--redact", *(["--json"] if as_json else [])])
    assert result.exit_code == 1
    assert_private_values_hidden(result.output, SAMPLE_837)
    assert "NM1*IL*1*XXX*XXXX*X***MI*XXXXXXXXXX*X*Y*Z*W" in result.stdout
    assert "snip3.claim_charge" in result.stdout and "CLM02" in result.stdout


@pytest.mark.parametrize("sample", X12_SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("command", [["parse", "--json"], ["parse"], ["read"], ["read", "--csv"], ["validate"]])
def test_every_output_of_every_sample_hides_them(sample: Path, command: list[str]) -> None:
    result = runner.invoke(app, [*command, str(sample), "--redact"], env={"COLUMNS": "300"})
    assert result.exit_code in (0, 1), result.output
    assert result.stdout
    assert_private_values_hidden(result.output, sample)


@pytest.mark.parametrize("form", [[], ["--json"], ["--csv"]])
def test_reconcile_hides_them(form: list[str]) -> None:
    args = ["reconcile", "--claims", str(SAMPLE_837), "--remit", str(SAMPLE_835), *form]
    plain = runner.invoke(app, args)
    assert "PCN-1001" in plain.stdout
    result = runner.invoke(app, [*args, "--redact"])
    assert result.exit_code == 0, result.output
    assert_private_values_hidden(result.output, SAMPLE_837, SAMPLE_835)
    if form == ["--json"]:
        assert json.loads(result.stdout)["totals"]["claims"] == 3


@pytest.mark.parametrize("command", [["parse", "--json"], ["read"], ["validate"], ["reconcile", "--remit"]])
def test_error_messages_hide_them(tmp_path: Path, command: list[str]) -> None:
    text = SAMPLE_837.read_text(encoding="utf-8")
    cut = tmp_path / "cut.x12"
    cut.write_text(text[: text.index("DMG*D8*19700312*M~") + len("DMG*D8*19700312*M~")], encoding="utf-8")
    args = [*command, str(cut)]
    if command[0] == "reconcile":
        args = ["reconcile", "--claims", str(cut), "--remit", str(SAMPLE_835)]
    plain = runner.invoke(app, args)
    assert plain.exit_code == 2 and "19700312" in plain.stderr
    result = runner.invoke(app, [*args, "--redact"])
    assert result.exit_code == 2
    assert "DMG*D8*XXXXXXXX*M" in result.stderr
    assert_private_values_hidden(result.output, SAMPLE_837)


OPEN_837 = SAMPLES / "claims-837p.x12"  # answered by no 835
LEDGER_REPORTS = [
    ["open"],
    ["open", "--csv"],
    ["patient", "W123456789"],
    ["patient", "W123456789", "--json"],
    ["claim", "PCN-1001"],
    ["claim", "PCN-1001", "--json"],
    ["acks", "--csv"],
    ["claims"],
    ["claims", "--json"],
    ["claims", "--csv"],
]
LEDGER_REPORTS_WITHOUT_PHI = [["open", "--aging", "--json"], ["denials"], ["payments", "--json"]]


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A ledger holding the sample claims, their 999 and 277CA, the sample 835, and claims still open."""
    folder = tmp_path_factory.mktemp("ledger")
    ack, ack277 = folder / "claims.999", folder / "claims.277"
    assert runner.invoke(app, ["validate", str(SAMPLE_837), "--ack", str(ack), "--ack277", str(ack277)]).exit_code == 0
    db = str(folder / "ledger.db")
    files = [str(path) for path in (SAMPLE_837, SAMPLE_835, ack, ack277, OPEN_837)]
    result = runner.invoke(app, ["ledger", "import", "--db", db, *files])
    assert result.exit_code == 0, result.output
    return db


@pytest.mark.parametrize("report", LEDGER_REPORTS, ids=" ".join)
def test_ledger_reports_hide_them(ledger_db: str, report: list[str]) -> None:
    args = ["ledger", *report, "--db", ledger_db]
    plain = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert plain.exit_code == 0, plain.output
    sources = (SAMPLE_837, SAMPLE_835, OPEN_837)
    assert any(value in plain.stdout for value in set().union(*map(private_values, sources)))
    result = runner.invoke(app, [*args, "--redact"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert_private_values_hidden(result.output, *sources)
    assert len(result.stdout.splitlines()) == len(plain.stdout.splitlines())  # the same report, masked


@pytest.mark.parametrize("report", LEDGER_REPORTS_WITHOUT_PHI, ids=" ".join)
def test_ledger_reports_without_phi_are_left_as_they_are(ledger_db: str, report: list[str]) -> None:
    args = ["ledger", *report, "--db", ledger_db]
    assert runner.invoke(app, [*args, "--redact"]).stdout == runner.invoke(app, args).stdout


def test_a_ledger_error_hides_the_patient_asked_for(ledger_db: str) -> None:
    result = runner.invoke(app, ["ledger", "patient", "W999999999", "--db", ledger_db, "--redact"])
    assert result.exit_code == 2
    assert "W999999999" not in result.output and "XXXXXXXXXX" in result.stderr


def test_masking_keeps_length_and_punctuation() -> None:
    assert mask("PCN-1001") == "XXX-XXXX"
    redactor = Redactor()
    masked = redactor.segment(Segment("NM1", ["QC", "1", "SMITH", "EMMA"]))
    assert masked == "NM1*QC*1*XXXXX*XXXX"
    assert redactor.text("patient SMITH, EMMA (SMITHSON)") == "patient XXXXX, XXXX (SMITHSON)"
    assert redactor.segment(Segment("NM1", ["85", "2", "RIVERSIDE CLINIC", "", "", "", "", "XX", "1234567893"])) == (
        "NM1*85*2*RIVERSIDE CLINIC*****XX*1234567893"
    )
    assert redactor.segment_text("CTX*CLM01:PCN-1001") == "CTX*CLM01:XXX-XXXX"


def test_the_999_keeps_the_true_values(tmp_path: Path) -> None:
    street = "42 ELM STREET " + "AND A VERY LONG WAY AROUND THE BLOCK " * 2  # longer than N301 allows
    source = tmp_path / "long-address.x12"
    source.write_text(SAMPLE_837.read_text(encoding="utf-8").replace("N3*42 ELM STREET", f"N3*{street}"), "utf-8")
    plain, redacted = tmp_path / "plain.999", tmp_path / "redacted.999"
    assert runner.invoke(app, ["validate", str(source), "--ack", str(plain)]).exit_code == 1
    report = runner.invoke(app, ["validate", str(source), "--ack", str(redacted), "--redact"])
    assert "ELM STREET" not in report.output
    assert f"*{street.strip()}~" in plain.read_text(encoding="utf-8")
    envelope = ("ISA", "GS")  # their date and time differ between the two runs
    assert [line for line in redacted.read_text(encoding="utf-8").splitlines() if not line.startswith(envelope)] == [
        line for line in plain.read_text(encoding="utf-8").splitlines() if not line.startswith(envelope)
    ]


def test_the_html_view_hides_them(tmp_path: Path) -> None:
    page = tmp_path / "view.html"
    result = runner.invoke(app, ["view", str(faulty(tmp_path)), "-o", str(page), "--redact"])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "CLM" in text and "snip3.claim_charge" in text  # the page and its findings are still there
    assert_private_values_hidden(text, SAMPLE_837)
