"""The 835 model: one claim payment read from a 2100 loop or from segments in file order, its values typed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from edi.remit.model import ClaimPayment, claim_of_loop, header_of_loop, split
from edi.validate.balancing import iter_loops
from edi.x12.document import Transaction
from edi.x12.reader import read_document
from edi.x12.segment import Segment

SAMPLE = Path(__file__).parent.parent / "samples" / "835-office-visits.x12"


def _transaction() -> Transaction:
    document = read_document(SAMPLE)
    return next(transaction for _, _, transaction in document.transactions())


def test_a_claim_from_its_loop_equals_the_claim_from_its_segments() -> None:
    transaction = _transaction()
    header, claims = split(transaction.segments())
    loops = list(iter_loops(transaction.root, "2100"))
    assert len(claims) == len(loops) == 3
    for claim, loop in zip(claims, loops, strict=True):
        built = claim_of_loop(loop)
        assert built.segments == claim.segments
        assert [line.segments for line in built.lines] == [line.segments for line in claim.lines]
    assert header_of_loop(transaction.root).payment == header.payment == Decimal("406.25")


def test_claim_and_line_values_are_typed_and_keep_their_segments() -> None:
    header, claims = split(_transaction().segments())
    first = claims[0]
    assert (first.patient_control_number, first.status_code) == ("PCN-1001", "1")
    assert (first.charge, first.paid, first.patient_responsibility) == (Decimal(245), Decimal(150), Decimal(40))
    assert first.payer_claim_control_number == "ACME-CLM-0001"
    assert [(n.role, n.last_name, n.id) for n in first.names] == [("QC", "DOE", "W123456789")]
    line = first.lines[0]
    assert line.procedure is not None and line.procedure.label() == "99214"
    assert (line.charge, line.paid, line.allowed) == (Decimal(180), Decimal(110), Decimal(150))
    assert line.control_number == "L1001-1"
    assert dict(line.dates)["472"] == date(2026, 1, 10)
    assert [(a.group, a.reason, a.amount) for a in line.adjustments] == [
        ("CO", "45", Decimal(30)),
        ("PR", "2", Decimal(40)),
    ]
    cas = line.adjustments[0]
    assert (cas.segment.id, cas.segment.line, cas.index) == ("CAS", 17, 3)
    assert first.clp.line == 13 and first.clp.position > 0
    assert header.trace_number == "EFT20260205001"
    assert header.production_date == date(2026, 2, 4)
    assert header.payer is not None and header.payer.name == "ACME HEALTH PLAN"
    assert header.payee is not None and (header.payee.id_qualifier, header.payee.id) == ("XX", "1234567893")


def test_an_amount_that_is_not_a_number_reads_as_none_and_is_kept_in_its_segment() -> None:
    claim = ClaimPayment((Segment("CLP", ["PCN", "1", "12X", "", "5"]),), ())
    assert (claim.charge, claim.paid, claim.patient_responsibility) == (None, None, Decimal(5))
    assert claim.clp.get(3) == "12X"


def test_provider_adjustments_come_from_the_plb_pairs() -> None:
    header, claims = split(
        [
            Segment("ST", ["835", "0001"]),
            Segment("BPR", ["I", "90"]),
            Segment("CLP", ["PCN", "1", "100", "100"]),
            Segment("PLB", ["123", "20261231", "WO:REF1", "10", "L6", "-0.5"]),
            Segment("SE", ["5", "0001"]),
        ]
    )
    assert len(claims) == 1 and claims[0].lines == ()
    found = [(a.reason, a.reference, a.amount, a.index) for a in header.provider_adjustments]
    assert found == [("WO", "REF1", Decimal(10), 4), ("L6", "", Decimal("-0.5"), 6)]
    assert header.provider_adjustments[0].fiscal_date == date(2026, 12, 31)
