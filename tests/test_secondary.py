"""The secondary claim: built from the primary's 837 and 835, valid, and balanced against the 835."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edi.claims.build import build_837
from edi.claims.secondary import build_secondary
from edi.cli import app
from edi.errors import InputError
from edi.reconcile.extract import remittances_of
from edi.validate.runner import validate_file
from edi.x12.lalr import Loop
from edi.x12.reader import read_document
from edi.x12.segment import Segment
from tests.conftest import SAMPLES

PRIMARY = SAMPLES / "837p-cob-primary.x12"
REMIT = SAMPLES / "835-office-visits.x12"


def _write(tmp_path: Path, text: str, name: str = "secondary.837") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _claims(path: Path) -> dict[str, Loop]:
    (transaction,) = [t for _, _, t in read_document(path).transactions()]
    return {loop.trigger.get(1): loop for _, loop in transaction.root.walk() if loop.id == "2300"}


def _remit_835(tmp_path: Path, old: str, new: str) -> Path:
    text = REMIT.read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, text.replace(old, new), "primary.835")


def test_secondary_claims_validate_clean(tmp_path: Path) -> None:
    text, skipped = build_secondary(PRIMARY, REMIT)
    assert skipped == []
    out = _write(tmp_path, text)
    _, issues = validate_file(out)
    assert [f"{i.rule}: {i.message}" for i in issues if i.severity == "error"] == []


def test_pyx12_accepts_the_secondary_claims(tmp_path: Path) -> None:
    beside = Path(sys.executable).with_name("x12valid")
    tool = str(beside) if beside.is_file() else shutil.which("x12valid")
    if tool is None:
        pytest.skip("pyx12 (x12valid) is not installed")
    out = _write(tmp_path, build_secondary(PRIMARY, REMIT)[0])
    result = subprocess.run([tool, str(out)], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert f"{out}: OK" in result.stdout + result.stderr, result.stdout + result.stderr


def test_payer_order_moves_on(tmp_path: Path) -> None:
    out = _write(tmp_path, build_secondary(PRIMARY, REMIT)[0])
    (transaction,) = [t for _, _, t in read_document(out).transactions()]
    for _, loop in transaction.root.walk():
        if loop.id == "2000B":
            sbr = loop.find("SBR")
            assert sbr is not None and sbr.get(1) == "S"
            assert [p.trigger.get(9) for p in loop.loops("2010BB")] == ["SUN02"]
    for number, claim in _claims(out).items():
        (other,) = claim.loops("2320")
        assert other.trigger.get(1) == "P", number
        assert [p.trigger.get(9) for p in other.loops("2330B")] == ["ACME01"]
        assert other.loops("2330A"), number


def test_cob_amounts_balance_against_the_835(tmp_path: Path) -> None:
    out = _write(tmp_path, build_secondary(PRIMARY, REMIT)[0])
    (remittance,) = remittances_of(read_document(REMIT))
    paid = {p.patient_control_number: p for p in remittance.claims}
    claims = _claims(out)
    assert set(claims) == set(paid)
    for number, claim in claims.items():
        (other,) = claim.loops("2320")
        amt_d = other.find("AMT", "D")
        assert amt_d is not None and Decimal(amt_d.get(2)) == paid[number].paid
        eaf = other.find("AMT", "EAF")
        assert eaf is not None and Decimal(eaf.get(2)) == paid[number].patient_responsibility
        for line in claim.loops("2400"):
            sv1 = line.find("SV1")
            assert sv1 is not None
            adjudications = line.loops("2430")
            assert adjudications, (number, sv1.get(1))
            for adjudication in adjudications:
                assert adjudication.find("DTP", "573") is not None
            svd = sum(Decimal(a.trigger.get(2)) for a in adjudications)
            cas = sum(_cas_total(s) for a in adjudications for s in a.find_all("CAS"))
            assert Decimal(sv1.get(2)) - cas == svd, (number, sv1.get(1))


def _cas_total(segment: Segment) -> Decimal:
    return sum((Decimal(segment.get(i)) for i in range(3, 19, 3) if segment.get(i)), Decimal(0))


def test_lines_are_matched_as_the_reconciler_matches_them(tmp_path: Path) -> None:
    # without REF*6R the services are matched by procedure, date and charge: the same lines
    text = REMIT.read_text(encoding="utf-8")
    bare = "".join(s + "~" for s in text.split("~")[:-1] if not s.strip().startswith("REF*6R"))
    remit = _write(tmp_path, bare + text.split("~")[-1], "bare.835")
    assert build_secondary(PRIMARY, remit)[0] == build_secondary(PRIMARY, REMIT)[0]


def test_a_claim_denied_in_full_is_skipped(tmp_path: Path) -> None:
    remit = _remit_835(tmp_path, "CLP*PCN-1002*1*", "CLP*PCN-1002*4*")
    text, skipped = build_secondary(PRIMARY, remit)
    assert [s.patient_control_number for s in skipped] == ["PCN-1002"]
    assert "denied in full" in skipped[0].reason
    assert set(_claims(_write(tmp_path, text))) == {"PCN-1001", "PCN-1003"}


def test_a_claim_not_yet_answered_is_skipped(tmp_path: Path) -> None:
    text = REMIT.read_text(encoding="utf-8")
    start, end = text.index("CLP*PCN-1003"), text.index("SE*")
    remit = _write(tmp_path, text[:start] + text[end:], "partial.835")
    built, skipped = build_secondary(PRIMARY, remit)
    assert [(s.patient_control_number, "not yet answered" in s.reason) for s in skipped] == [("PCN-1003", True)]
    assert set(_claims(_write(tmp_path, built))) == {"PCN-1001", "PCN-1002"}


def test_claims_without_a_next_payer_raise_with_every_reason() -> None:
    with pytest.raises(InputError) as caught:
        build_secondary(SAMPLES / "837p-office-visits.x12", REMIT)
    assert "no other payer with payer order S" in str(caught.value)
    assert "PCN-1003" in str(caught.value)


def test_payer_option_picks_the_next_payer_by_id() -> None:
    assert build_secondary(PRIMARY, REMIT, payer="SUN02")[0] == build_secondary(PRIMARY, REMIT)[0]
    with pytest.raises(InputError, match="payer NOPE is not among"):
        build_secondary(PRIMARY, REMIT, payer="NOPE")


def test_cli_builds_the_secondary_and_names_skipped_claims(tmp_path: Path) -> None:
    remit = _remit_835(tmp_path, "CLP*PCN-1002*1*", "CLP*PCN-1002*4*")
    out = tmp_path / "next.837"
    args = ["build", "--secondary", "--claims", str(PRIMARY), "--remit", str(remit), "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "skipped: PCN-1002: denied in full" in result.stderr
    assert set(_claims(out)) == {"PCN-1001", "PCN-1003"}


def test_cli_secondary_needs_both_files() -> None:
    result = CliRunner().invoke(app, ["build", "--secondary", "--claims", str(PRIMARY)])
    assert result.exit_code == 2
    assert "--secondary needs --claims F.837 and --remit F.835" in result.stderr


CLAIM_LEVEL_ONLY = (
    "SVC*HC:99213*120*65**1~\nDTM*472*20260112~\nCAS*CO*45*25~\nCAS*PR*3*30~\nREF*6R*L1002-1~\nAMT*B6*95~\n",
    "CAS*CO*45*25~\nCAS*PR*3*30~\n",
)
SPLIT_LINE = (
    "SVC*HC:87880*130*71.25**1~\nDTM*472*20260113~\nCAS*CO*45*30~\nCAS*PR*2*28.75~\nREF*6R*L1003-2~\n",
    "SVC*HC:87880*100*50**1~\nDTM*472*20260113~\nCAS*CO*45*30~\nCAS*PR*2*20~\nREF*6R*L1003-2~\n"
    "SVC*HC:87880*30*21.25**1~\nDTM*472*20260113~\nCAS*PR*2*8.75~\nREF*6R*L1003-2~\n",
)


def test_claim_level_adjudication_and_a_split_line(tmp_path: Path) -> None:
    text = REMIT.read_text(encoding="utf-8")
    for old, new in (CLAIM_LEVEL_ONLY, SPLIT_LINE):
        assert old in text
        text = text.replace(old, new)
    out = _write(tmp_path, build_secondary(PRIMARY, _write(tmp_path, text, "mixed.835"))[0])
    _, issues = validate_file(out)
    assert [i.message for i in issues if i.severity == "error"] == []
    claims = _claims(out)
    (other,) = claims["PCN-1002"].loops("2320")
    assert [c.get(1) for c in other.find_all("CAS")] == ["CO", "PR"]
    (payer,) = other.loops("2330B")
    assert payer.find("DTP", "573") is not None  # no line adjudication: the date goes with the payer
    assert not claims["PCN-1002"].loops("2400")[0].loops("2430")
    split = claims["PCN-1003"].loops("2400")[1]
    assert [a.trigger.get(2) for a in split.loops("2430")] == ["50", "21.25"]


ISA = "ISA*00*" + " " * 10 + "*00*" + " " * 10 + "*ZZ*ACME01" + " " * 9 + "*ZZ*SUBMITTER01" + " " * 4
INSTITUTIONAL_835 = (
    ISA
    + """*260205*0900*^*00501*000000601*0*T*:~
GS*HP*ACME01*SUBMITTER01*20260205*0900*601*X*005010X221A1~
ST*835*0001~
BPR*I*4500*C*CHK************20260205~
TRN*1*CHK0301*1512345678~
DTM*405*20260204~
N1*PR*ACME HEALTH PLAN~
N1*PE*RIVERSIDE HOSPITAL*XX*1234567893~
LX*1~
CLP*PCN-3001*1*6050*4500*500*12*ACME-CLM-0301*11*1~
SVC*NU:0120*3600*2700**3~
CAS*CO*45*600~
CAS*PR*1*300~
SVC*NU:0250*850*600**12~
CAS*CO*45*150~
CAS*PR*2*100~
SVC*HC:80053*400*300**2~
CAS*CO*45*100~
SVC*HC:99284:25*1200*900**1~
CAS*CO*45*200~
CAS*PR*2*100~
SE*19*0001~
GE*1*601~
IEA*1*000000601~
"""
)


def test_institutional_lines_carry_their_revenue_code(tmp_path: Path) -> None:
    data = json.loads((SAMPLES / "claims-837i.json").read_text(encoding="utf-8"))
    (claim,) = data["billing_providers"][0]["subscribers"][0]["claims"]
    claim["other_payers"] = [
        {
            "payer_responsibility": "S",
            "relationship": "18",
            "claim_filing_indicator": "CI",
            "benefits_assigned": "Y",
            "release_of_information": "Y",
            "subscriber": {"last_name": "JONES", "first_name": "ROBERT", "id_qualifier": "MI", "id": "S777"},
            "payer": {"name": "SUNRISE MUTUAL", "id_qualifier": "PI", "id": "SUN02"},
        }
    ]
    primary = _write(tmp_path, build_837(data), "primary.837")
    out = _write(tmp_path, build_secondary(primary, _write(tmp_path, INSTITUTIONAL_835, "primary.835"))[0])
    _, issues = validate_file(out)
    assert [i.message for i in issues if i.severity == "error"] == []
    svd = [loop.trigger for segment, loop in _walk(out) if loop.id == "2430" and segment is loop.trigger]
    expected = [("", "0120"), ("", "0250"), ("HC:80053", "0300"), ("HC:99284:25", "0450")]
    assert [(s.get(3), s.get(4)) for s in svd] == expected


def _walk(path: Path) -> list[tuple[Segment, Loop]]:
    return [pair for _, _, t in read_document(path).transactions() for pair in t.root.walk()]


def test_a_reversal_and_correction_bill_the_corrected_amounts(tmp_path: Path) -> None:
    correction = SAMPLES / "835-office-visits-correction.x12"
    text, skipped = build_secondary(PRIMARY, [REMIT, correction])
    assert skipped == []
    out = _write(tmp_path, text)
    _, issues = validate_file(out)
    assert [i.message for i in issues if i.severity == "error"] == []
    (other,) = _claims(out)["PCN-1002"].loops("2320")
    amounts = {a.get(1): a.get(2) for a in other.find_all("AMT")}
    assert amounts == {"D": "75", "EAF": "20"}
    result = CliRunner().invoke(
        app,
        ["build", "--secondary", "--claims", str(PRIMARY), "--remit", str(REMIT), "--remit", str(correction)],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == text
