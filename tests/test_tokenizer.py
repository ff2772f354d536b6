"""The tokenizer reads what real files look like and says clearly what it cannot read."""

from __future__ import annotations

import pytest

from edi.errors import ReadError
from edi.x12.reader import read_document
from tests.conftest import SAMPLES

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*T*:~"
BODY = [
    "GS*HP*SENDER*RECEIVER*20260101*1200*1*X*005010X221A1",
    "ST*835*0001",
    "BPR*I*10*C*CHK************20260101",
    "TRN*1*CHECK1*1999999999",
    "N1*PR*PAYER",
    "N1*PE*PROVIDER*XX*1234567893",
    "LX*1",
    "CLP*PCN1*1*10*10**CI*ICN1",
    "NM1*QC*1*DOE*JANE",
    "SE*9*0001",
    "GE*1*1",
    "IEA*1*000000001",
]


def _file(isa: str = ISA, terminator: str = "~", between: str = "\n") -> str:
    return isa[:-1] + terminator + between + (terminator + between).join(BODY) + terminator + between


def _ids(text: str | bytes) -> list[str]:
    return [s.id for s in read_document(text.encode() if isinstance(text, str) else text).segments()]


EXPECTED = ["ISA"] + [s.split("*")[0] for s in BODY]


@pytest.mark.parametrize("between", ["", "\n", "\r\n", "\r", "\n    "])
def test_any_whitespace_between_segments(between: str) -> None:
    assert _ids(_file(between=between)) == EXPECTED


def test_utf8_bom_and_utf16() -> None:
    text = _file()
    assert _ids(b"\xef\xbb\xbf" + text.encode()) == EXPECTED
    assert _ids(text.encode("utf-16")) == EXPECTED
    assert _ids(text.encode("utf-16-le")) == EXPECTED


def test_line_break_as_terminator() -> None:
    document = read_document(_file(terminator="\n", between="").encode())
    assert [s.id for s in document.segments()] == EXPECTED
    assert document.interchanges[0].delimiters.segment == "\n"


def test_delimiters_come_from_the_isa() -> None:
    isa = ISA.replace("*", "|").replace("|:~", "|>~").replace("|^|", "|!|")
    text = isa + "\n" + "\n".join(b.replace("*", "|") + "~" for b in BODY) + "\n"
    document = read_document(text.encode())
    delimiters = document.interchanges[0].delimiters
    assert (delimiters.element, delimiters.component, delimiters.repetition) == ("|", ">", "!")
    assert [s.id for s in document.segments()] == EXPECTED


def test_unpadded_isa_is_read_by_its_separators_with_a_warning() -> None:
    short = ISA.replace("SENDER         ", "SENDER")
    document = read_document(_file(isa=short).encode())
    assert [s.id for s in document.segments()] == EXPECTED
    assert any("not 106" in w.message for w in document.warnings)


def test_several_interchanges_with_their_own_delimiters() -> None:
    first = _file()
    second = _file().replace("*", "|").replace("~", "!")
    document = read_document((first + second).encode())
    assert len(document.interchanges) == 2
    assert document.interchanges[1].delimiters.segment == "!"
    assert [s.id for s in document.segments()] == EXPECTED * 2


def test_bare_transaction_without_envelope() -> None:
    text = "~\n".join(BODY[1:-2]) + "~\n"
    document = read_document(text.encode())
    assert [s.id for s in document.segments()] == EXPECTED[2:-2]
    assert any("no ISA" in w.message for w in document.warnings)


def test_positions_and_lines() -> None:
    document = read_document(SAMPLES / "837p-office-visits.x12")
    _, _, transaction = next(document.transactions())
    segments = list(transaction.segments())
    assert [s.position for s in segments] == list(range(1, len(segments) + 1))
    assert segments[0].line == 3 and segments[0].id == "ST"
    raw = (SAMPLES / "837p-office-visits.x12").read_bytes()
    assert raw[segments[1].offset : segments[1].offset + 3] == b"BHT"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello world, this is not EDI", "no ISA segment"),
        ("", "the file is empty"),
        (ISA[:60], "fewer than 16 elements"),
        ("~\n".join([ISA[:-1], *BODY[:4]]) + "~", "no SE"),
        ("~\n".join([ISA[:-1], *BODY[:-1]]) + "~", "ends inside an envelope"),
        ("~\n".join([ISA[:-1], BODY[0], BODY[-2], BODY[-1]]).replace("GE*1*1", "SE*1*1") + "~", "SE without an ST"),
    ],
)
def test_unreadable_input_gives_one_clear_message(text: str, message: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_document(text.encode())
    assert message in str(caught.value)
