"""Over the corpus of real 835s: read -> remittance JSON -> build gives back the transaction sets."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from edi.remit.balance import balance_problems, claims
from edi.remit.build import build_835
from edi.remit.read import read_remittance
from edi.x12.reader import read_document
from tests.conftest import CorpusFile, corpus_params

# Files whose own amounts do not add up: they are built with allow_unbalanced=True.
UNBALANCED = {
    "affect835__sample_835_with_interests.txt": "transaction 1001 has a PLB L6 interest of -10.3 that BPR02 leaves out",
    "chs835__test.835": "claim PATIENTACCOUNT01: CLP03 2000 - CAS 999.00 = 1001.00, but CLP04 is 1500.50",
    "databricks__plb_sample.txt": "BPR02 is 0 although a PLB changes the payment by 14",
    "moov__sample1.txt": "claim 9999999: CLP03 385.21 - CAS 385.20 leaves 0.01, but CLP04 is 0",
    "moov__sample2.txt": "claim 1234567-001: CLP03 4199.68 - CAS 1201.68 = 2998.00, but CLP04 is 4000.00",
}


@pytest.mark.parametrize("row", corpus_params("835", valid=("yes", "unknown")))
def test_read_then_build_gives_back_the_transaction_segments(row: CorpusFile) -> None:
    document = read_document(row.path)
    data = json.loads(json.dumps(read_remittance(document)))
    name = row.path.name
    assert bool(balance_problems(data)) == (name in UNBALANCED), UNBALANCED.get(name, "expected to balance")
    delimiters = document.interchanges[0].delimiters
    text = build_835(data, name, allow_unbalanced=name in UNBALANCED, delimiters=delimiters, check=False)
    before = [t for _, _, t in document.transactions()]
    after = [t for _, _, t in read_document(text.encode("utf-8")).transactions()]
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        original = [s.text() for s in old.segments()]
        built = [s.text() for s in new.segments()]
        # SE01 is counted afresh and SE02 repeats ST02: some sources miscount or mislabel their SE.
        assert built[:-1] == original[:-1]
        assert new.se.elements == [str(len(built)), old.control_number]


def _raw_segments(path: Path) -> list[list[str]]:
    """The file's segments split by hand from its ISA, without the reader."""
    raw = path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
    raw = raw[raw.index("ISA") :]
    separator = raw[3]
    isa_tail = raw.split(separator, 16)[16]
    terminator = isa_tail[1]
    segments = (s.strip("\r\n ") for s in raw.split(terminator))
    return [s.split(separator) for s in segments if s]


@pytest.mark.parametrize("row", corpus_params("835"))
def test_claims_and_payments_agree_with_the_file(row: CorpusFile) -> None:
    data = read_remittance(read_document(row.path))
    raw = _raw_segments(row.path)
    payments = [Decimal(s[2]) for s in raw if s[0] == "BPR"]
    assert [Decimal(t["payment"]["amount"]) for t in data["transactions"]] == payments
    expected = [
        (s[1], Decimal(s[3]), Decimal(s[4]), Decimal(s[5]) if len(s) > 5 and s[5] else None)
        for s in raw
        if s[0] == "CLP"
    ]
    found = [
        (
            c["patient_control_number"],
            Decimal(c["charge"]),
            Decimal(c["paid"]),
            Decimal(c["patient_responsibility"]) if "patient_responsibility" in c else None,
        )
        for t in data["transactions"]
        for c in claims(t)
    ]
    assert found == expected
