"""A transaction set with no guide is reported as not validated: its own finding, exit 2, no accepting 999."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from edi.ack.ack999 import build_999
from edi.cli import app
from edi.validate.issue import NOT_VALIDATED
from edi.validate.runner import validate_file


def _interchange(st01: str, version: str, body: str) -> str:
    return (
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260115*1030*^*00501*000000001*0*T*:~\n"
        f"GS*HS*SENDER*RECEIVER*20260115*1030*1*X*{version}~\n"
        f"ST*{st01}*0001*{version}~\n{body}"
        f"SE*{body.count('~') + 2}*0001~\nGE*1*1~\nIEA*1*000000001~\n"
    )


SETS = {
    "270": _interchange("270", "005010X279A1", "BHT*0022*13*10001234*20260115*1030~\nHL*1**20*1~\n"),
    "997": _interchange("997", "005010", "AK1*HC*1~\nAK9*A*1*1*1~\n"),
    "276": _interchange("276", "005010X212", "BHT*0010*13*1*20260115*1030~\n"),
}


@pytest.mark.parametrize("kind", sorted(SETS))
def test_a_set_with_no_guide_gets_a_not_validated_finding(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"in.{kind}"
    path.write_text(SETS[kind], encoding="utf-8")
    document, issues = validate_file(path)
    found = [i for i in issues if i.rule == NOT_VALIDATED]
    assert len(found) == 1
    assert found[0].message.startswith(f"not validated: no guide for ST01 '{kind}' version ")
    assert (found[0].file, found[0].line, found[0].segment_position) == (str(path), 3, 1)
    ack = build_999(document, issues)
    assert ack is not None
    assert "IK5*A" not in ack
    assert "IK5*R*1~" in ack
    assert "AK9*R*1*1*0~" in ack


def test_validate_exits_2_for_a_file_with_a_set_nobody_checked(tmp_path: Path) -> None:
    path = tmp_path / "in.270"
    path.write_text(SETS["270"], encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "not validated: no guide for ST01 '270' version '005010X279A1'" in result.output
    assert "no findings" not in result.output


def test_a_set_with_a_guide_gets_no_such_finding() -> None:
    from tests.conftest import SAMPLES

    _, issues = validate_file(SAMPLES / "837p-office-visits.x12")
    assert not [i for i in issues if i.rule == NOT_VALIDATED]
