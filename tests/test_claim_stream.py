"""Reading by claim: the same output as reading whole transaction sets, in memory bounded by one claim."""

from __future__ import annotations

import io
import json
import random
import tracemalloc
from pathlib import Path

import pytest

from edi.claims.read import read_claims, renumbered
from edi.claims.rows import csv_writer, write_claim_csv
from edi.claims.stream import NOTES_KEPT, stream_claims
from edi.convert.parallel import parse_to_json
from edi.convert.structure import document_json
from edi.errors import EdiError
from edi.reconcile import reconcile
from edi.reconcile.render import to_json
from edi.remit.csv import write_csv
from edi.remit.read import read_remittance
from edi.remit.stream import CsvWriter, JsonWriter, stream_remittance
from edi.x12.reader import read_document
from tests.conftest import SAMPLES, CorpusFile, corpus_params

HEAP_BOUND = 20_000_000  # bytes of Python heap at the peak; a whole 20,000-claim set needs well over 100 MB


def _parse_stream(path: Path) -> object:
    out = io.StringIO()
    parse_to_json(path, out, 1)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("row", corpus_params("837p", "837i", "837d", "835", "999", "other", "invalid"))
def test_structural_json_by_claim_equals_the_whole_read(row: CorpusFile | None) -> None:
    assert row is not None
    try:
        whole: object = json.loads(json.dumps(document_json(read_document(row.path))))
    except EdiError as error:
        with pytest.raises(EdiError) as streamed:
            _parse_stream(row.path)
        assert str(streamed.value) == str(error)
        return
    assert _parse_stream(row.path) == whole


@pytest.mark.parametrize("row", corpus_params("835"))
def test_remittance_by_claim_equals_the_whole_read(row: CorpusFile | None) -> None:
    assert row is not None
    document = read_document(row.path)
    whole = json.loads(json.dumps(read_remittance(document)))
    out = io.StringIO()
    writer = JsonWriter(out, str(row.path))
    stream_remittance(row.path, writer)
    writer.close()
    assert json.loads(out.getvalue()) == whole
    rows, streamed_rows = io.StringIO(), io.StringIO()
    write_csv(read_remittance(document), rows)
    stream_remittance(row.path, CsvWriter(streamed_rows))
    assert streamed_rows.getvalue() == rows.getvalue()


@pytest.mark.parametrize("row", corpus_params("837p", "837i", "837d"))
def test_claims_by_claim_equal_the_whole_read(row: CorpusFile | None) -> None:
    assert row is not None
    try:
        document = read_document(row.path)
    except EdiError as error:
        with pytest.raises(EdiError) as streamed:
            stream_claims(row.path, io.StringIO(), 1, lambda number, notes, count: None)
        assert str(streamed.value) == str(error)
        return
    whole = json.loads(json.dumps(read_claims(document)))
    due = [(t.control_number, renumbered(t)[:NOTES_KEPT]) for _, _, t in document.transactions()]
    out = io.StringIO()
    noted: list[tuple[str, list[str]]] = []
    stream_claims(row.path, out, len(due), lambda number, notes, count: noted.append((number, notes)))
    assert json.loads(out.getvalue()) == whole
    assert noted == due
    rows, streamed_rows = io.StringIO(), io.StringIO()
    write_claim_csv(read_claims(document), rows)
    stream_claims(row.path, None, len(due), lambda number, notes, count: None, on_claim=csv_writer(streamed_rows))
    assert streamed_rows.getvalue() == rows.getvalue()


def _one_check_835(claims: int) -> str:
    """A one-check 835 of ``claims`` different claim payments in one transaction set."""
    pick = random.Random(7)
    segments = [
        "ST*835*0001*005010X221A1",
        "BPR*I*0*C*NON************20260201",
        "TRN*1*TRACE1*1512345678",
        "N1*PR*ACME HEALTH PLAN",
        "N3*1 PAYER WAY",
        "N4*HARTFORD*CT*06101",
        "PER*BL*EDI*TE*5555550199",
        "N1*PE*RIVERSIDE FAMILY PRACTICE*XX*1234567893",
        "LX*1",
    ]
    for n in range(claims):
        charge = pick.randint(50, 900)
        segments += [
            f"CLP*PCN{n}*1*{charge}*{charge - 10}*10*12*PAYER{pick.randint(10**8, 10**9)}*11*1",
            f"NM1*QC*1*PATIENT{n}*FIRST{pick.randint(1, 999)}****MI*M{pick.randint(10**8, 10**9)}",
            f"SVC*HC:99213*{charge}*{charge - 10}**1",
            f"DTM*472*202601{pick.randint(10, 28)}",
            "CAS*PR*2*10",
        ]
    segments.append(f"SE*{len(segments) + 1}*0001")
    envelope = (
        "ISA*00*          *00*          *ZZ*PAYER01        *ZZ*RECEIVER01     "
        "*260201*1030*^*00501*000000201*0*T*:~GS*HP*PAYER01*RECEIVER01*20260201*1030*201*X*005010X221A1~"
    )
    return envelope + "~".join(segments) + "~GE*1*201~IEA*1*000000201~"


def _one_st_837(claims: int) -> str:
    """An 837P of ``claims`` different claims, each under its own subscriber, in one transaction set."""
    pick = random.Random(11)
    text = (SAMPLES / "837p-office-visits.x12").read_text()
    head = text[: text.index("HL*2*1*22*0")]
    segments = []
    for n in range(claims):
        charge = pick.randint(50, 900)
        segments += [
            f"HL*{n + 2}*1*22*0",
            "SBR*P*18*GRP100******CI",
            f"NM1*IL*1*PATIENT{n}*FIRST{pick.randint(1, 999)}****MI*M{pick.randint(10**8, 10**9)}",
            f"DMG*D8*19{pick.randint(30, 99)}0{pick.randint(1, 9)}1{pick.randint(0, 9)}*F",
            "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME01",
            f"CLM*PCN{n}*{charge}***11:B:1*Y*A*Y*Y",
            "HI*ABK:J069",
            "LX*1",
            f"SV1*HC:99213*{charge}*UN*1***1",
            f"DTP*472*D8*202601{pick.randint(10, 28)}",
        ]
    body = "~".join(segments)
    count = head[head.index("ST*") :].count("~") + len(segments) + 1
    return head + body + f"~SE*{count}*0001~GE*1*101~IEA*1*000000101~"


def _peak_heap(action: object) -> int:
    tracemalloc.start()
    try:
        action()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_a_20000_claim_835_keeps_the_heap_bounded(tmp_path: Path) -> None:
    source = tmp_path / "check.835"
    source.write_text(_one_check_835(20_000))
    out = tmp_path / "remit.json"

    def read() -> None:
        with out.open("w") as handle:
            writer = JsonWriter(handle, str(source))
            stream_remittance(source, writer)
            writer.close()

    assert _peak_heap(read) < HEAP_BOUND
    assert len(json.loads(out.read_text())["transactions"][0]["groups"][0]["claims"]) == 20_000


def test_reading_an_8000_claim_837_keeps_the_heap_bounded(tmp_path: Path) -> None:
    source = tmp_path / "batch.837"
    source.write_text(_one_st_837(8_000))
    out = tmp_path / "claims.json"

    def read() -> None:
        with out.open("w") as handle:
            stream_claims(source, handle, 1, lambda number, notes, count: None)

    assert _peak_heap(read) < HEAP_BOUND
    subscribers = json.loads(out.read_text())["billing_providers"][0]["subscribers"]
    assert [s["claims"][0]["patient_control_number"] for s in subscribers] == [f"PCN{n}" for n in range(8_000)]


def test_parsing_an_8000_claim_837_keeps_the_heap_bounded(tmp_path: Path) -> None:
    source = tmp_path / "batch.837"
    source.write_text(_one_st_837(8_000))
    out = tmp_path / "tree.json"

    def parse() -> None:
        with out.open("w") as handle:
            parse_to_json(source, handle, 1)

    assert _peak_heap(parse) < HEAP_BOUND
    tree = json.loads(out.read_text())
    assert tree["warnings"] == []
    billing = tree["interchanges"][0]["groups"][0]["transactions"][0]["loops"]["items"][-2]
    assert sum(1 for item in billing["items"] if item.get("loop") == "2000B") == 8_000


@pytest.mark.parametrize("sample", ["835-office-visits.x12", "837p-office-visits.x12"])
def test_a_byte_that_is_not_utf8_streams_as_the_whole_read_does(sample: str, tmp_path: Path) -> None:
    source = tmp_path / sample
    source.write_bytes((SAMPLES / sample).read_bytes().replace(b"DOE", b"D\xd7E", 1))
    document = read_document(source)
    assert _parse_stream(source) == json.loads(json.dumps(document_json(document)))
    out = io.StringIO()
    if sample.startswith("835"):
        writer = JsonWriter(out, str(source))
        stream_remittance(source, writer)
        writer.close()
        whole = read_remittance(document)
    else:
        stream_claims(source, out, 1, lambda number, notes, count: None)
        whole = read_claims(document)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(whole))


def test_a_byte_that_is_not_utf8_is_reconciled_through_the_ledger(tmp_path: Path) -> None:
    files = []
    for sample in ("837p-office-visits.x12", "835-office-visits.x12"):
        files.append(tmp_path / sample)
        files[-1].write_bytes((SAMPLES / sample).read_bytes().replace(b"DOE", b"D\xd7E", 1))
    result = to_json(reconcile([files[0]], [files[1]]))
    clean = to_json(reconcile([SAMPLES / "837p-office-visits.x12"], [SAMPLES / "835-office-visits.x12"]))
    assert result["totals"] == clean["totals"]
    assert [c["status"] for c in result["claims"]] == [c["status"] for c in clean["claims"]]
