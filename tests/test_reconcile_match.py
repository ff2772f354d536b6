"""Claim lookup by CLP01 and service-to-line matching."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi.reconcile.extract import Claim, ClaimLine, ServicePayment
from edi.reconcile.match import ClaimIndex, match_services
from edi.remit.model import Procedure

DAY = date(2026, 1, 10)


def line(number: str, code: str, charge: str, control: str = "", modifiers: tuple[str, ...] = ()) -> ClaimLine:
    return ClaimLine(number, control, Procedure("HC", code, modifiers), "", Decimal(charge), Decimal(1), DAY)


def service(
    code: str,
    charge: str,
    control: str = "",
    submitted: str | None = None,
    modifiers: tuple[str, ...] = (),
    day: date | None = DAY,
) -> ServicePayment:
    return ServicePayment(
        procedure=Procedure("HC", code, modifiers),
        submitted=Procedure("HC", submitted) if submitted else None,
        charge=Decimal(charge),
        paid=Decimal(0),
        paid_units=None,
        original_units=None,
        service_date=day,
        adjustments=(),
        control_number=control,
        allowed=None,
        remarks=(),
    )


def submitted(number: str) -> Claim:
    return Claim("x.837", number, Decimal(10), "1", "P", "", (line("1", "99213", "10"),))


def test_lookup_is_exact_and_never_takes_a_near_miss() -> None:
    index = ClaimIndex.of([submitted("PCN-1001"), submitted("PCN-1002")])
    assert index.lookup("PCN-1001") == "PCN-1001"
    assert index.lookup("PCN-1O01") is None
    assert index.lookup("PCN-100") is None
    assert index.lookup("pcn-1001") is None


def test_lookup_accepts_the_first_20_characters_of_a_longer_clm01_only() -> None:
    long = "ACCOUNT-0000000001-VISIT-7"
    index = ClaimIndex.of([submitted(long), submitted("SHORT-1")])
    assert index.lookup(long[:20]) == long
    assert index.lookup(long[:17]) is None


def test_lookup_refuses_a_truncated_clp01_two_claims_share() -> None:
    index = ClaimIndex.of([submitted("ACCOUNT-0000000001-A1"), submitted("ACCOUNT-0000000001-A2")])
    assert index.lookup("ACCOUNT-0000000001-A") is None


def test_resubmissions_share_one_entry_in_order() -> None:
    first, second = submitted("PCN-1"), submitted("PCN-1")
    assert ClaimIndex.of([first, second]).submissions == {"PCN-1": [first, second]}


def test_line_control_number_wins_over_procedure() -> None:
    lines = [line("1", "99213", "100", "A"), line("2", "99213", "100", "B")]
    assert match_services(lines, [service("99213", "100", "B"), service("99213", "100", "A")]) == [1, 0]


def test_lx01_in_ref6r_matches_when_no_line_sent_a_control_number() -> None:
    lines = [line("1", "99213", "100"), line("2", "97110", "200")]
    assert match_services(lines, [service("97110", "100", "2"), service("97110", "100", "2")]) == [1, 1]


def test_submitted_procedure_svc06_is_used_when_the_payer_recoded() -> None:
    lines = [line("1", "82947", "30"), line("2", "82565", "25")]
    assert match_services(lines, [service("80048", "30", submitted="82565")]) == [1]


def test_repeated_procedure_is_told_apart_by_charge_and_date() -> None:
    lines = [line("1", "97110", "60"), line("2", "97110", "90")]
    assert match_services(lines, [service("97110", "90"), service("97110", "60")]) == [1, 0]
    other_day = service("97110", "60", day=date(2026, 1, 11))
    assert match_services([line("1", "97110", "60")], [other_day]) == [None]


def test_changed_modifier_still_matches_on_the_code() -> None:
    lines = [line("1", "99214", "180", modifiers=("25",))]
    assert match_services(lines, [service("99214", "180", modifiers=("59",))]) == [0]


def test_service_for_no_submitted_procedure_stays_unmatched() -> None:
    assert match_services([line("1", "99213", "100")], [service("99999", "100")]) == [None]
