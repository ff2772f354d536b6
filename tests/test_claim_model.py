"""The typed 837 claim model: values, where each is read, 837P/I/D service lines, context and bad claims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from edi.claims.model import Claim, split
from edi.errors import ReadError
from edi.guides import claim_guide
from edi.reconcile.extract import claim_facts, claims_of
from edi.remit.model import Procedure
from edi.validate.index import TransactionIndex
from edi.x12.reader import read_document

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _claims(name: str, text: bytes | None = None) -> list[Claim]:
    """The model of each 2300 loop of a sample (or of ``text``), as validation builds it."""
    document = read_document(text if text is not None else (SAMPLES / name).read_bytes(), name)
    found = []
    for _, _, transaction in document.transactions():
        assert transaction.guide is not None
        found += TransactionIndex(transaction.root, transaction.guide.id).claim_models
    return found


def _split(name: str) -> list[Claim]:
    """The claims of a sample split from its segments in file order, with their context."""
    document = read_document((SAMPLES / name).read_bytes(), name)
    found: list[Claim] = []
    for _, _, transaction in document.transactions():
        assert transaction.guide is not None
        found += split(transaction.root.walk(), claim_guide(transaction.guide.id))
    return found


def test_professional_claim_values_and_locations() -> None:
    first = _claims("claims-837p.x12")[0]
    clm = first.clm
    assert (clm.id, first.loop) == ("CLM", "2300")
    assert first.patient_control_number == clm.get(1) == "PCN-2001"
    assert first.charge == Decimal("240")
    assert (first.facility_code, first.frequency) == ("11", "1")
    assert [(hi.qualifier, hi.code, hi.element, hi.qualifier_element) for hi in first.diagnoses] == [
        ("ABK", "E1165", "HI01-2", "HI01-1"),
        ("ABF", "I10", "HI02-2", "HI02-1"),
    ]
    hi = first.diagnoses[1]
    assert hi.segment.id == "HI" and hi.segment.get(hi.index, 2) == hi.code
    assert hi.segment.line > clm.line and hi.segment.position == clm.position + 1
    assert first.charge == sum(line.charge or 0 for line in first.lines)


def test_professional_service_lines() -> None:
    line = _claims("claims-837p.x12")[0].lines[0]
    assert (line.loop, line.number, line.lx.id) == ("2400", "1", "LX")
    assert line.service is not None and line.service.id == "SV1"
    assert line.procedure == Procedure("HC", "99214", ("25",))
    assert line.modifiers == ((3, "25"),)
    assert line.element(line.guide.procedure, 3) == "SV101-3"
    assert (line.charge, line.units, line.revenue_code) == (Decimal("175"), Decimal("1"), "")
    assert line.pointers == ("1", "2") and line.element(line.guide.pointers) == "SV107"
    assert line.dates == (("472", date(2026, 1, 26)),)
    assert line.control_number == "L2001-1"


def test_institutional_line_reads_sv2_through_the_guide() -> None:
    claim = _claims("claims-837i.x12")[0]
    line = claim.lines[0]
    assert line.service is not None and line.service.id == "SV2"
    assert (line.revenue_code, line.procedure) == ("0120", None)
    assert (line.charge, line.units, line.place_of_service) == (Decimal("3600"), Decimal("3"), "")
    assert line.element(line.guide.charge) == "SV203"
    assert claim.service_date == date(2026, 1, 5)  # DTP*434, the statement period's first day
    assert [hi.qualifier for hi in claim.diagnoses] == ["ABK", "ABJ", "ABF", "ABF", "ABF"]


def test_dental_line_reads_sv3_through_the_guide() -> None:
    line = _claims("claims-837d.x12")[0].lines[0]
    assert line.service is not None and line.service.id == "SV3"
    assert line.procedure == Procedure("AD", "D0120")
    assert (line.charge, line.units, line.pointers) == (Decimal("65"), Decimal("1"), ())
    assert line.element(line.guide.procedure, 2) == "SV301-2"


def test_split_groups_as_the_loops_and_adds_the_context() -> None:
    by_loop, by_walk = _claims("claims-837p.x12"), _split("claims-837p.x12")
    assert [c.segments for c in by_walk] == [c.segments for c in by_loop]
    assert [[line.segments for line in c.lines] for c in by_walk] == [
        [line.segments for line in c.lines] for c in by_loop
    ]
    subscriber, dependent = by_walk[0].context, by_walk[1].context
    assert (subscriber.payer_order, subscriber.patient_id, subscriber.patient_name) == ("P", "W123456789", "JOHN DOE")
    assert (dependent.patient_id, dependent.patient_name) == ("W987654321", "EMMA SMITH")
    assert [(p.order, p.name, p.ids) for p in subscriber.payers] == [("P", "ACME HEALTH PLAN", ("ACME01",))]
    assert by_loop[0].context.payers == ()  # a loop alone knows nothing above it


def test_other_payers_of_the_claim() -> None:
    claims = _split("837p-cob-primary.x12")
    payers = [[(p.order, p.name, p.ids) for p in claim.context.payers] for claim in claims]
    assert all(found[0][0] == "P" for found in payers)
    assert payers[1][1:] == [("S", "SUNRISE MUTUAL", ("SUN02",))]
    assert payers[1][0] != payers[1][1]


def test_reconcile_facts_come_from_the_model() -> None:
    text = (SAMPLES / "claims-837p.x12").read_bytes()
    facts = list(claims_of(read_document(text, "claims-837p.x12")))
    models = _split("claims-837p.x12")
    assert facts == [claim_facts(model, "claims-837p.x12") for model in models]
    assert [line.procedure for line in facts[0].lines] == [line.procedure for line in models[0].lines]


def test_a_bad_charge_is_a_located_error() -> None:
    text = (SAMPLES / "claims-837p.x12").read_bytes().replace(b"CLM*PCN-2001*240*", b"CLM*PCN-2001*24X*")
    claim = _claims("bad.x12", text)[0]
    assert claim.charge is None  # the model reads no number; the facts name where it stands
    with pytest.raises(ReadError) as raised:
        claim_facts(claim, "bad.x12")
    location = raised.value.location
    assert "CLM02 is not a number: '24X'" in raised.value.message
    assert (location.file, location.line, location.position) == ("bad.x12", claim.clm.line, claim.clm.position)


def test_a_line_without_its_service_segment_is_a_located_error() -> None:
    text = (SAMPLES / "claims-837p.x12").read_bytes().replace(b"SV1*HC:99214:25*175*UN*1***1:2~", b"")
    claim = _claims("bad.x12", text)[0]
    line = claim.lines[0]
    assert (line.service, line.procedure, line.charge, line.pointers, line.modifiers) == (None, None, None, (), ())
    with pytest.raises(ReadError) as raised:
        claim_facts(claim, "bad.x12")
    assert "the service line has no SV1 segment" in raised.value.message
    assert raised.value.location.line == line.lx.line
