"""Bad input ends in a located EdiError (exit 2) or a finding, never a traceback; resources stay bounded."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from edi.claims.build import build_837
from edi.errors import EdiError, InputError, ReadError
from edi.reconcile.extract import claims_of, remittances_of
from edi.validate.runner import validate_file
from edi.x12.reader import iter_events, read_document
from edi.x12.tokenizer import MAX_SEGMENT
from tests.conftest import SAMPLES

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260115*1030*^*00501*000000001*0*T*:~"


def _claims() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "837p-office-visits.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-01", "2026-04-31"])
def test_an_impossible_date_in_claims_json_is_refused_with_its_path(bad: str) -> None:
    data = _claims()
    data["billing_providers"][0]["subscribers"][0]["subscriber"]["birth_date"] = bad
    with pytest.raises(InputError) as caught:
        build_837(data, "claims.json")
    text = str(caught.value)
    assert text.startswith("claims.json: ")
    assert f"$.billing_providers[0].subscribers[0].subscriber.birth_date: {bad!r} is not a calendar date" in text


def test_an_impossible_envelope_date_is_refused() -> None:
    data = _claims()
    data["interchange"]["date"] = "2026-02-30"
    with pytest.raises(InputError, match=r"\$\.interchange\.date"):
        build_837(data, "claims.json")


def test_odd_length_utf16_is_a_located_read_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.x12"
    path.write_bytes((SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8").encode("utf-16-le") + b"\0")
    with pytest.raises(ReadError) as caught:
        read_document(path)
    assert caught.value.location.file == str(path)
    assert caught.value.location.offset is not None
    assert str(caught.value).startswith(f"{path}, byte ")
    with pytest.raises(ReadError):
        validate_file(path)


class _Failing(io.RawIOBase):
    """A stream whose reads fail as a disk or network error would."""

    name = "broken.x12"

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        raise OSError(5, "Input/output error")


def test_an_os_error_while_reading_is_a_read_error_naming_the_file() -> None:
    with pytest.raises(ReadError) as caught:
        read_document(_Failing())  # type: ignore[arg-type]
    assert str(caught.value).startswith("broken.x12: cannot read the file: Input/output error")


@pytest.mark.parametrize("amount", ["9E999999", "NaN", "Infinity", "-inf", "1" * 40])
def test_amounts_that_are_not_x12_decimals(tmp_path: Path, amount: str) -> None:
    claims = (
        (SAMPLES / "837p-office-visits.x12")
        .read_text(encoding="utf-8")
        .replace("CLM*PCN-1001*245*", f"CLM*PCN-1001*{amount}*")
    )
    path = tmp_path / "claims.x12"
    path.write_text(claims, encoding="utf-8")
    _, issues = validate_file(path)
    assert any(i.element == "CLM02" and i.severity == "error" for i in issues)
    with pytest.raises(ReadError) as caught:
        list(claims_of(read_document(path)))
    where = caught.value.location
    assert (where.file, where.line) == (str(path), claims[: claims.index("CLM*PCN-1001")].count("\n") + 1)
    remit = (SAMPLES / "835-office-visits.x12").read_text(encoding="utf-8")
    remit = remit.replace("CLP*PCN-1001*1*245*150*", f"CLP*PCN-1001*1*245*{amount}*")
    remit_path = tmp_path / "remit.835"
    remit_path.write_text(remit, encoding="utf-8")
    _, issues = validate_file(remit_path)
    assert any(i.element == "CLP04" for i in issues)
    with pytest.raises(ReadError, match="CLP04 is not a number"):
        list(remittances_of(read_document(remit_path)))


def test_a_file_with_no_segment_terminator_stops_at_the_segment_limit(tmp_path: Path) -> None:
    path = tmp_path / "endless.x12"
    path.write_text(ISA + "GS*HC*A*B*20260115*1030*1*X*005010X222A1" + "*ABCDEFGH" * 600_000, encoding="utf-8")
    assert path.stat().st_size > 5 * MAX_SEGMENT
    tracemalloc.start()
    try:
        with pytest.raises(ReadError) as caught:
            for _ in iter_events(path):
                pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 * MAX_SEGMENT
    assert "no segment terminator '~'" in caught.value.message
    assert (caught.value.location.file, caught.value.location.line) == (str(path), 1)


def test_every_error_names_its_file_not_input(tmp_path: Path) -> None:
    path = tmp_path / "garbage.x12"
    path.write_bytes(b"hello world, not x12\n" * 300)
    with pytest.raises(EdiError) as caught:
        read_document(path)
    assert "<input>" not in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_an_envelope_problem_names_the_json_file() -> None:
    from edi.claims.envelope import EnvelopeOptions

    with pytest.raises(InputError) as caught:
        build_837(_claims(), "claims.json", EnvelopeOptions(sender="S" * 16))
    assert str(caught.value).startswith("claims.json: the interchange envelope cannot be written")


def test_validate_prints_a_segment_holding_a_byte_that_is_not_utf8(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from edi.cli import app

    text = (SAMPLES / "837p-office-visits.x12").read_bytes().replace(b"NM1*IL*1*DOE", b"NM1*IL*1*D\xdaOE", 1)
    text = text.replace(b"ST*837*0001*", b"ST*837*00\x9d01*")
    path = tmp_path / "latin.x12"
    path.write_bytes(text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "D\\xdaOE" in result.output and "transaction set 00\\x9d01" in result.output


def test_a_carriage_return_inside_a_segment_is_layout_in_every_layout() -> None:
    text = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8").replace("NM1*IL*1*DOE", "NM1*IL*1*D\rOE", 1)
    document = read_document(text.encode(), file="cr.x12")
    assert any(s.text().startswith("NM1*IL*1*DOE*") for s in document.segments())


def test_an_error_quoting_a_byte_that_is_not_utf8_prints(tmp_path: Path) -> None:
    path = tmp_path / "bad.x12"
    path.write_bytes(ISA.encode() + b"GS*HC*A*B*20260115*1030*1*X*005010X222A1~\xe8\xe8*1~")
    with pytest.raises(EdiError) as caught:
        read_document(path)
    str(caught.value).encode("utf-8")  # no surrogate left to break the console
