"""Generate X12 batches in which every claim differs: 837P claims and the 835s that pay them.

Each claim has its own patient and subscriber (name, member ID, address, birth date,
gender), claim number, dates of service, place of service, 1-6 service lines (HCPCS code,
modifiers, units, charge) and 1-8 billable ICD-10-CM codes; billing providers and payers
vary too. Two shapes: ``one-st`` puts every claim in one transaction set (an 835: one
check), ``st5000`` starts a new one after 5,000 claims. The same ``--seed`` gives the same
bytes. The 835 of a ``pair`` pays the claims of the 837 beside it, claim for claim.

    python bench/varied.py --kind 837P --shape one-st --size-mb 10 --seed 1 -o bench/out/x.837
    python bench/varied.py --kind pair --shape st5000 --size-mb 10 -o bench/out/pair  # pair.837, pair.835
"""

from __future__ import annotations

import argparse
import functools
import random
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

MEGABYTE = 1_000_000
SHAPES = {"one-st": None, "st5000": 5000}
KINDS = ("837P", "835", "pair")
TERMINATOR = "~\n"
CENT = Decimal("0.01")
PRODUCED = date(2026, 10, 15)
SERVICE_FROM = date(2026, 4, 1)
SERVICE_DAYS = 180

# fmt: off
LAST_NAMES = (
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ",
    "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN", "LEE",
    "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ", "LEWIS", "ROBINSON", "WALKER", "YOUNG",
    "ALLEN", "KING", "WRIGHT", "SCOTT", "TORRES", "NGUYEN", "HILL", "FLORES", "GREEN", "ADAMS", "NELSON", "BAKER",
    "HALL", "RIVERA", "CAMPBELL", "MITCHELL", "CARTER", "ROBERTS", "GOMEZ", "PHILLIPS", "EVANS", "TURNER", "DIAZ",
    "PARKER", "CRUZ", "EDWARDS", "COLLINS", "REYES", "STEWART", "MORRIS", "MORALES", "MURPHY", "COOK", "ROGERS",
    "GUTIERREZ", "ORTIZ", "MORGAN", "COOPER", "PETERSON", "BAILEY", "REED", "KELLY", "HOWARD", "RAMOS", "KIM", "COX",
    "WARD", "RICHARDSON", "WATSON", "BROOKS", "CHAVEZ", "WOOD", "JAMES", "BENNETT", "GRAY", "MENDOZA", "RUIZ",
    "HUGHES", "PRICE", "ALVAREZ", "CASTILLO", "SANDERS", "PATEL", "MYERS", "LONG", "ROSS", "FOSTER", "JIMENEZ",
    "O'BRIEN", "NOVAK", "KOWALSKI"
)
# fmt: on
# fmt: off
FIRST_NAMES = {
    "F": (
        "MARY", "PATRICIA", "JENNIFER", "LINDA", "ELIZABETH", "BARBARA", "SUSAN", "JESSICA", "SARAH", "KAREN", "LISA",
        "NANCY", "BETTY", "SANDRA", "MARGARET", "ASHLEY", "KIMBERLY", "EMILY", "DONNA", "MICHELLE", "CAROL", "AMANDA",
        "MELISSA", "DEBORAH", "STEPHANIE", "DOROTHY", "REBECCA", "SHARON", "LAURA", "CYNTHIA", "AMY", "KATHLEEN",
        "ANGELA", "SHIRLEY", "EMMA", "BRENDA", "PAMELA", "NICOLE", "ANNA", "SAMANTHA", "OLIVIA", "SOPHIA"
    ),
    "M": (
        "JAMES", "ROBERT", "JOHN", "MICHAEL", "DAVID", "WILLIAM", "RICHARD", "JOSEPH", "THOMAS", "CHRISTOPHER",
        "CHARLES", "DANIEL", "MATTHEW", "ANTHONY", "MARK", "DONALD", "STEVEN", "ANDREW", "PAUL", "JOSHUA", "KENNETH",
        "KEVIN", "BRIAN", "GEORGE", "TIMOTHY", "RONALD", "JASON", "EDWARD", "JEFFREY", "RYAN", "JACOB", "GARY",
        "NICHOLAS", "ERIC", "JONATHAN", "STEPHEN", "LARRY", "JUSTIN", "SCOTT", "BRANDON", "BENJAMIN", "NOAH", "LIAM"
    ),
}
# fmt: on
# fmt: off
STREETS = (
    "MAIN ST", "OAK AVE", "MAPLE DR", "CEDAR LN", "PINE ST", "ELM ST", "WASHINGTON BLVD", "LAKE RD", "HILL ST",
    "PARK AVE", "SUNSET BLVD", "RIVER RD", "CHURCH ST", "MILL RD", "HIGHLAND AVE", "FOREST DR", "SPRING ST",
    "VALLEY VIEW RD", "MEADOW LN", "COLLEGE AVE",
)
# fmt: on
# (city, state, ZIP prefix): real places, ZIP codes made of a real 3-digit prefix.
CITIES = (
    ("SPRINGFIELD", "IL", "627"),
    ("CHICAGO", "IL", "606"),
    ("PEORIA", "IL", "616"),
    ("MADISON", "WI", "537"),
    ("COLUMBUS", "OH", "432"),
    ("DAYTON", "OH", "454"),
    ("AUSTIN", "TX", "787"),
    ("HOUSTON", "TX", "770"),
    ("DENVER", "CO", "802"),
    ("PHOENIX", "AZ", "850"),
    ("ATLANTA", "GA", "303"),
    ("NASHVILLE", "TN", "372"),
    ("RALEIGH", "NC", "276"),
    ("RICHMOND", "VA", "232"),
    ("PORTLAND", "OR", "972"),
    ("SEATTLE", "WA", "981"),
    ("BOISE", "ID", "837"),
    ("OMAHA", "NE", "681"),
    ("TAMPA", "FL", "336"),
    ("ALBANY", "NY", "122"),
    ("HARTFORD", "CT", "061"),
    ("BOSTON", "MA", "021"),
    ("LANSING", "MI", "489"),
    ("TUCSON", "AZ", "857"),
)
# (HCPCS code, charge per unit): office visits, labs, imaging, injections, therapy.
PROCEDURES = (
    ("99202", "110"), ("99203", "165"), ("99204", "250"), ("99212", "85"), ("99213", "125"),
    ("99214", "185"), ("99215", "255"), ("99395", "210"), ("99396", "225"), ("36415", "15"),
    ("80053", "48"), ("80061", "55"), ("85025", "32"), ("81002", "12"), ("83036", "40"),
    ("87880", "35"), ("87804", "38"), ("93000", "65"), ("71046", "120"), ("73030", "95"),
    ("90471", "30"), ("90686", "42"), ("96372", "38"), ("J1100", "12"), ("J3301", "18"),
    ("97110", "60"), ("97140", "55"), ("97530", "65"), ("20610", "190"), ("11102", "140"),
    ("17110", "150"), ("G0008", "35"), ("G0439", "175"), ("99406", "45"), ("92552", "50"),
)  # fmt: skip
MULTI_UNIT = frozenset({"97110", "97140", "97530", "J1100", "J3301", "96372", "90471"})
MODIFIERS = ("25", "59", "LT", "RT", "95", "XU", "GT", "76", "91", "GA")
PRICING = ("26", "TC")
PLACES = ("11",) * 12 + ("22", "19", "02", "10", "12", "20", "23", "31", "49", "81")
# fmt: off
FIRMS = (
    "RIVERSIDE FAMILY PRACTICE", "LAKEVIEW INTERNAL MEDICINE", "NORTH STAR PEDIATRICS", "CEDAR ORTHOPEDIC GROUP",
    "VALLEY URGENT CARE", "SUMMIT PHYSICAL THERAPY", "HARBOR DERMATOLOGY", "PRAIRIE HEART CLINIC",
)
# fmt: on
TAXONOMIES = ("207Q00000X", "207R00000X", "208000000X", "207X00000X", "261QU0200X", "225100000X", "207N00000X")
# (payer name, payer ID, TIN, claim filing indicator in the 837 SBR09, in the 835 CLP06): commercial, Blues,
# HMO, Medicare, Medicaid. The 835 list has no CI or BL: a PPO is 12, a point of service plan 13, indemnity 15.
PAYERS = (
    ("ACME HEALTH PLAN", "ACME01", "361234567", "CI", "12"),
    ("BLUE SHIELD OF THE PLAINS", "BSP77", "470987654", "BL", "15"),
    ("GREAT LAKES HMO", "GLH20", "381122334", "HM", "HM"),
    ("MEDICARE PART B", "MCRB1", "521445566", "MB", "MB"),
    ("STATE MEDICAID", "MCD09", "396677889", "MC", "MC"),
    ("UNITY CARE INSURANCE", "UCI45", "411239876", "CI", "13"),
)
DENIALS = ("16", "29", "50", "97", "197", "204")
RECOVERIES = ("WO", "72", "FB")
ICD_CHAPTERS_LEFT_OUT = "VWXYZ"  # external causes (never first-listed) and Z codes (placement rules)
ICD_CODE = r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?"
NOTE_REFERENCE = re.compile(rf"({ICD_CODE})(?:\.?-)?(?:\s*-\s*({ICD_CODE}))?")


@dataclass(frozen=True)
class Address:
    """A US street address."""

    street: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True)
class Person:
    """A patient or subscriber."""

    last: str
    first: str
    middle: str
    member_id: str
    address: Address
    birth: date
    gender: str


@dataclass(frozen=True)
class Provider:
    """A billing provider (the 837's 2000A, the 835's payee)."""

    name: str
    npi: str
    tin: str
    taxonomy: str
    address: Address
    prefix: str


@dataclass(frozen=True)
class Payer:
    """A health plan (the 837's 2010BB, the 835's 1000A)."""

    name: str
    payer_id: str
    tin: str
    filing: str
    remit_filing: str
    address: Address


@dataclass(frozen=True)
class Line:
    """One service line."""

    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal
    served: date
    pointers: tuple[int, ...]
    control: str


@dataclass(frozen=True)
class Claim:
    """One professional claim with its own patient, subscriber, provider and payer."""

    number: str
    provider: Provider
    payer: Payer
    subscriber: Person
    patient: Person | None  # None when the subscriber is the patient
    relationship: str  # PAT01 for a dependent: 01 spouse, 19 child
    group: str
    place: str
    diagnoses: tuple[str, ...]
    lines: tuple[Line, ...]

    @property
    def charge(self) -> Decimal:
        """CLM02: the sum of the lines' charges."""
        return sum((line.charge for line in self.lines), Decimal(0))


def money(amount: Decimal) -> str:
    """An X12 amount: at most two decimals, no trailing zeros (``120``, ``45.5``, ``0``)."""
    text = f"{amount.quantize(CENT):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def npi(rng: random.Random) -> str:
    """A random NPI whose Luhn check digit (with the 80840 prefix) holds."""
    body = "1" + "".join(rng.choice("0123456789") for _ in range(8))
    digits = [int(d) for d in "80840" + body]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return body + str((10 - total % 10) % 10)


def address(rng: random.Random, nine_digit_zip: bool = False) -> Address:
    """A street address in one of the cities."""
    city, state, prefix = rng.choice(CITIES)
    zip_code = prefix + f"{rng.randrange(100):02d}"
    if nine_digit_zip or rng.random() < 0.5:
        zip_code += f"{rng.randrange(1, 10000):04d}"
    return Address(f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}", city, state, zip_code)


def _icd() -> Any:
    """The simple_icd_10_cm module (its import parses a 10 MB XML file: only when generating)."""
    with warnings.catch_warnings():  # the package reads its data with a deprecated importlib.resources call
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


@functools.cache
def diagnosis_pool() -> tuple[str, ...]:
    """Billable ICD-10-CM codes (no dot) fit for any position: no manifestations, additional-only or sequela codes.

    Codes of chapters V-Z are left out: external causes may not be first-listed and many Z
    codes have placement rules of their own.
    """
    icd = _icd()
    pool = []
    for code in icd.get_all_codes(False):
        if "-" in code or code[0] in ICD_CHAPTERS_LEFT_OUT or _sequela(code) or not icd.is_leaf(code):
            continue
        lineage = [code, *icd.get_ancestors(code)]
        if any(_needs_other_code(icd, item) for item in lineage):
            continue
        pool.append(code)
    return tuple(pool)


def _sequela(code: str) -> bool:
    """True for a sequela code (7th character S): it is listed after the condition it caused."""
    return len(code) == 7 and code[6] == "S"


def _needs_other_code(icd: Any, item: str) -> bool:
    """True for a manifestation ("code first", "in diseases classified elsewhere") or an additional-only code."""
    title = icd.get_description(item)
    if re.search(r"\bin\b.*\bdiseases? classified elsewhere|as the cause of diseases", title):
        return True
    try:
        return bool(icd.get_code_first(item))
    except ValueError:  # chapters and blocks have no notes
        return False


@functools.cache
def _excludes1(code: str) -> tuple[tuple[str, str], ...]:
    """The code ranges (prefixes, no dot) named by the Excludes1 notes of ``code`` and its ancestors."""
    icd = _icd()
    ranges = []
    for item in (code, *icd.get_ancestors(code)):
        for note in icd.get_excludes1(item):
            for group in re.findall(r"\(([^()]*)\)", note):
                for part in group.split(","):
                    match = NOTE_REFERENCE.fullmatch(part.strip().upper())
                    if match:
                        low = match.group(1).replace(".", "")
                        ranges.append((low, (match.group(2) or low).replace(".", "")))
    return tuple(ranges)


def _conflict(code: str, chosen: Iterable[str]) -> bool:
    """True when ``code`` shares its category with a chosen code or an Excludes1 note joins them."""
    for other in chosen:
        if other[:3] == code[:3]:
            return True
        for first, second in ((code, other), (other, code)):
            if any(second[: len(low)] >= low and second[: len(high)] <= high for low, high in _excludes1(first)):
                return True
    return False


class Batch:
    """A deterministic stream of distinct claims drawn from ``seed``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.providers = [
            Provider(name, npi(rng), f"{rng.randrange(10**8, 10**9)}", rng.choice(TAXONOMIES), address(rng, True), tag)
            for name, tag in zip(FIRMS, "ABCDEFGH", strict=True)
        ]
        self.payers = [Payer(*fields, address(rng)) for fields in PAYERS]
        self.pool = diagnosis_pool()

    def person(self, adult: bool) -> Person:
        """A random person: an adult subscriber or a dependent."""
        rng = self.rng
        gender = rng.choice("FM")
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(60 * 365)) if adult else None
        born = born or date(2006, 1, 1) + timedelta(days=rng.randrange(19 * 365))
        prefix = rng.choice(("W", "XQ", "MBR", "H", "ZK"))
        return Person(
            rng.choice(LAST_NAMES),
            rng.choice(FIRST_NAMES[gender]),
            rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.4 else "",
            prefix + str(rng.randrange(10**8, 10**10)),
            address(rng),
            born,
            gender,
        )

    def diagnoses(self) -> tuple[str, ...]:
        """1-8 distinct codes, no two of one category, none excluding another."""
        rng = self.rng
        wanted = rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8))
        chosen: list[str] = []
        while len(chosen) < wanted:
            code = rng.choice(self.pool)
            if not _conflict(code, chosen):
                chosen.append(code)
        return tuple(chosen)

    def line(self, number: str, index: int, served: date, diagnoses: int) -> Line:
        """Service line ``index`` (1-based) of claim ``number``."""
        rng = self.rng
        code, price = rng.choice(PROCEDURES)
        units = rng.randint(1, 4) if code in MULTI_UNIT else 1
        charge = Decimal(price) * units + Decimal(rng.choice((0, 0, 0, 5, 10))) + Decimal(rng.randrange(100)) / 100
        modifiers: tuple[str, ...] = ()
        roll = rng.random()
        if roll < 0.08 and code.startswith(("7", "93")):
            modifiers = (rng.choice(PRICING),)
        elif roll < 0.35:
            modifiers = tuple(rng.sample(MODIFIERS, rng.choice((1, 1, 1, 2))))
        pointers = tuple(sorted(rng.sample(range(1, diagnoses + 1), min(diagnoses, rng.randint(1, 4)))))
        return Line(code, modifiers, units, charge, served, pointers, f"{number}-{index}")

    def claims(self) -> Iterator[Claim]:
        """Claims without end; the billing provider changes every 20 to 400 claims."""
        rng = self.rng
        sequence = 0
        while True:
            provider = rng.choice(self.providers)
            for _ in range(rng.randint(20, 400)):
                sequence += 1
                yield self.claim(provider, sequence)

    def claim(self, provider: Provider, sequence: int) -> Claim:
        """Claim number ``sequence`` billed by ``provider``."""
        rng = self.rng
        number = f"{provider.prefix}{sequence:08d}{rng.choice('BCDFGHJKLMNPQRSTVWXZ')}"
        subscriber = self.person(adult=True)
        dependent = rng.random() < 0.3
        patient = self.person(adult=rng.random() < 0.3) if dependent else None
        diagnoses = self.diagnoses()
        first = SERVICE_FROM + timedelta(days=rng.randrange(SERVICE_DAYS))
        lines = tuple(
            self.line(number, index, first + timedelta(days=rng.choice((0, 0, 0, 0, 1, 2, 7))), len(diagnoses))
            for index in range(1, rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)) + 1)
        )
        payer = rng.choice(self.payers)
        group = "" if payer.filing in ("MB", "MC") else f"GRP{rng.randrange(10**4, 10**6)}"
        relationship = rng.choice(("01", "19", "19")) if dependent else ""
        return Claim(number, provider, payer, subscriber, patient, relationship, group, rng.choice(PLACES),
                     diagnoses, lines)  # fmt: skip


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _name(person: Person, qualifier: str, with_id: bool) -> str:
    """NM1 of a person; the member ID only for the subscriber."""
    tail = f"*{person.middle}***MI*{person.member_id}" if with_id else (f"*{person.middle}" if person.middle else "")
    return f"NM1*{qualifier}*1*{person.last}*{person.first}{tail}"


def _where(place: Address) -> list[str]:
    return [f"N3*{place.street}", f"N4*{place.city}*{place.state}*{place.zip}"]


class Envelope:
    """Writes ISA/GS ... GE/IEA around transaction sets and counts what the trailers need."""

    def __init__(self, handle: TextIO, functional: str, version: str, sender: str, receiver: str) -> None:
        self.handle = handle
        self.written = 0
        self.sets = 0
        self.write(
            [
                f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*{PRODUCED:%y%m%d}*1030*^*00501*"
                "000000001*0*T*:",
                f"GS*{functional}*{sender}*{receiver}*{_d8(PRODUCED)}*1030*1*X*{version}",
            ]
        )

    def write(self, segments: list[str]) -> int:
        """Write ``segments``; return how many."""
        text = TERMINATOR.join(segments) + TERMINATOR
        self.handle.write(text)
        self.written += len(text)
        return len(segments)

    def close(self) -> None:
        """GE and IEA."""
        self.write([f"GE*{self.sets}*1", "IEA*1*000000001"])


def _claim_837(claim: Claim, hl: int, parent: int) -> tuple[list[str], int]:
    """The 2000B (and 2000C) HL and the 2300/2400 loops of one claim; the next free HL number."""
    subscriber, patient = claim.subscriber, claim.patient
    group = claim.group
    out = [
        f"HL*{hl}*{parent}*22*{0 if patient is None else 1}",
        f"SBR*P*{'18' if patient is None else ''}*{group}******{claim.payer.filing}",
        _name(subscriber, "IL", with_id=True),
        *_where(subscriber.address),
    ]
    if patient is None:
        out.append(f"DMG*D8*{_d8(subscriber.birth)}*{subscriber.gender}")
    out.append(f"NM1*PR*2*{claim.payer.name}*****PI*{claim.payer.payer_id}")
    hl += 1
    if patient is not None:
        out += [
            f"HL*{hl}*{hl - 1}*23*0",
            f"PAT*{claim.relationship}",
            _name(patient, "QC", with_id=False),
            *_where(patient.address),
            f"DMG*D8*{_d8(patient.birth)}*{patient.gender}",
        ]
        hl += 1
    codes = "*".join(("ABK:" if index == 0 else "ABF:") + code for index, code in enumerate(claim.diagnoses))
    out += [f"CLM*{claim.number}*{money(claim.charge)}***{claim.place}:B:1*Y*A*Y*Y", f"HI*{codes}"]
    for index, line in enumerate(claim.lines, 1):
        procedure = ":".join(("HC", line.code, *line.modifiers))
        pointers = ":".join(str(p) for p in line.pointers)
        out += [
            f"LX*{index}",
            f"SV1*{procedure}*{money(line.charge)}*UN*{line.units}***{pointers}",
            f"DTP*472*D8*{_d8(line.served)}",
            f"REF*6R*{line.control}",
        ]
    return out, hl


def write_837(handle: TextIO, claims: Iterator[Claim], per_set: int | None, target: int | None) -> int:
    """Write an 837P of ``claims`` until ``target`` bytes (or the claims run out); return the claim count."""
    envelope = Envelope(handle, "HC", "005010X222A1", "SUBMITTER01", "RECEIVER01")
    count = 0
    claim = next(claims, None)
    while claim is not None:
        envelope.sets += 1
        control = f"{envelope.sets:04d}"
        segments = envelope.write(
            [
                f"ST*837*{control}*005010X222A1",
                f"BHT*0019*00*B{_d8(PRODUCED)}{control}*{_d8(PRODUCED)}*1030*CH",
                "NM1*41*2*MIDWEST BILLING SERVICE*****46*SUB0001",
                "PER*IC*CLAIMS DESK*TE*5555550100",
                "NM1*40*2*CLEARINGHOUSE ONE*****46*RECEIVER01",
            ]
        )
        hl, provider, in_set = 1, None, 0
        while claim is not None and (per_set is None or in_set < per_set):
            if claim.provider is not provider:
                provider = claim.provider
                parent = hl
                segments += envelope.write(
                    [
                        f"HL*{hl}**20*1",
                        f"PRV*BI*PXC*{provider.taxonomy}",
                        f"NM1*85*2*{provider.name}*****XX*{provider.npi}",
                        *_where(provider.address),
                        f"REF*EI*{provider.tin}",
                    ]
                )
                hl += 1
            body, hl = _claim_837(claim, hl, parent)
            segments += envelope.write(body)
            count += 1
            in_set += 1
            claim = None if target is not None and envelope.written >= target else next(claims, None)
        envelope.write([f"SE*{segments + 1}*{control}"])
    envelope.close()
    return count


@dataclass
class Check:
    """The claims of one 835 transaction set (one payment) and its running total."""

    segments: list[str]
    paid: Decimal
    size: int
    payer: Payer | None = None


def _payment_835(claim: Claim, rng: random.Random) -> tuple[list[str], Decimal]:
    """CLP, NM1 and SVC loops paying ``claim``; the amount paid. Every line and the claim balance."""
    denied = rng.random() < 0.05
    status = "4" if denied else rng.choice(("1",) * 9 + ("2",))
    claim_paid = patient_total = Decimal(0)
    lines: list[str] = []
    for line in claim.lines:
        adjustments: list[str]
        if denied:
            paid = Decimal(0)
            adjustments = [f"CAS*CO*{rng.choice(DENIALS)}*{money(line.charge)}"]
            allowed = Decimal(0)
        else:
            allowed = (line.charge * Decimal(rng.randint(45, 92)) / 100).quantize(CENT)
            contractual = line.charge - allowed
            share = rng.random()
            if share < 0.35:
                patient = []
            elif share < 0.55:
                patient = [("3", min(allowed, Decimal(rng.choice((10, 15, 20, 25, 30, 40)))))]
            elif share < 0.85:
                patient = [("2", (allowed * Decimal(rng.choice((10, 20, 30)))) / 100)]
            else:
                deductible = min(allowed, Decimal(rng.randrange(5, 500)))
                patient = [("1", deductible), ("2", ((allowed - deductible) * Decimal(20) / 100))]
            patient = [(reason, amount.quantize(CENT)) for reason, amount in patient if amount > 0]
            adjustments = [f"CAS*CO*45*{money(contractual)}"] if contractual else []
            if patient:
                adjustments.append("CAS*PR*" + "**".join(f"{reason}*{money(amount)}" for reason, amount in patient))
            share_total = sum((amount for _, amount in patient), Decimal(0))
            patient_total += share_total
            paid = allowed - share_total
        claim_paid += paid
        procedure = ":".join(("HC", line.code, *line.modifiers))
        lines += [
            f"SVC*{procedure}*{money(line.charge)}*{money(paid)}**{line.units}",
            f"DTM*472*{_d8(line.served)}",
            *adjustments,
            f"REF*6R*{line.control}",
        ]
        if not denied:
            lines.append(f"AMT*B6*{money(allowed)}")
    payer_control = f"{claim.payer.payer_id}{rng.randrange(10**11, 10**12)}"
    head = [
        f"CLP*{claim.number}*{status}*{money(claim.charge)}*{money(claim_paid)}*{money(patient_total)}*"
        f"{claim.payer.remit_filing}*{payer_control}*{claim.place}*1",
        _name(claim.patient or claim.subscriber, "QC", with_id=claim.patient is None),
    ]
    if claim.patient is not None:
        head.append(_name(claim.subscriber, "IL", with_id=True))
    return head + lines, claim_paid


def _check(claims: Iterator[Claim], rng: random.Random, limit: int | None, target: int | None, before: int) -> Check:
    """Up to ``limit`` claims (or until ``before`` + its size reaches ``target`` bytes) as the body of one check."""
    check = Check([], Decimal(0), 0)
    lx = 0
    for count, claim in enumerate(claims, 1):
        if count % 250 == 1:
            lx += 1
            check.segments.append(f"LX*{lx}")
        check.payer = check.payer or claim.payer
        body, paid = _payment_835(claim, rng)
        check.segments += body
        check.paid += paid
        check.size += sum(len(s) for s in body) + len(TERMINATOR) * len(body)
        if (limit is not None and count >= limit) or (target is not None and before + check.size >= target):
            break
    return check


def write_835(handle: TextIO, claims: Iterator[Claim], seed: int, per_set: int | None, target: int | None) -> int:
    """Write 835s paying ``claims``, one check per transaction set, until ``target`` bytes; return the check count."""
    rng = random.Random(f"835-{seed}")
    envelope = Envelope(handle, "HP", "005010X221A1", "PAYER01", "SUBMITTER01")
    while True:
        check = _check(claims, rng, per_set, target, envelope.written)
        payer = check.payer
        if payer is None:
            break
        envelope.sets += 1
        control = f"{envelope.sets:04d}"
        payee_npi = npi(rng)
        adjustments: list[str] = []
        plb = Decimal(0)
        if check.paid > 100 and rng.random() < 0.6:
            plb = (check.paid * Decimal(rng.randint(1, 20)) / 1000).quantize(CENT)
            reason = rng.choice(RECOVERIES)
            adjustments = [f"PLB*{payee_npi}*{_d8(date(2026, 12, 31))}*{reason}:R{control}*{money(plb)}"]
        if rng.random() < 0.3:
            interest = Decimal(rng.randrange(1, 5000)) / 100
            adjustments.append(f"PLB*{payee_npi}*{_d8(date(2026, 12, 31))}*L6*{money(-interest)}")
            plb -= interest
        total = check.paid - plb
        trace = f"{rng.randrange(10**9, 10**10)}{control}"
        payee = rng.choice(FIRMS)
        segments = envelope.write(
            [
                f"ST*835*{control}",
                f"BPR*I*{money(total)}*C*ACH*CCP*01*071000013*DA*{rng.randrange(10**6, 10**9)}*1{payer.tin}"
                f"**01*{rng.randrange(10**8, 10**9)}*DA*{rng.randrange(10**6, 10**9)}*{_d8(PRODUCED)}",
                f"TRN*1*{trace}*1{payer.tin}",
                f"DTM*405*{_d8(PRODUCED - timedelta(days=1))}",
                f"N1*PR*{payer.name}",
                *_where(payer.address),
                "PER*BL*EDI SUPPORT*TE*5555550199",
                f"N1*PE*{payee}*XX*{payee_npi}",
            ]
        )
        segments += envelope.write(check.segments)
        segments += envelope.write(adjustments) if adjustments else 0
        envelope.write([f"SE*{segments + 1}*{control}"])
        if target is not None and envelope.written >= target:
            break
    envelope.close()
    return envelope.sets


def write(kind: str, shape: str, size_mb: float, seed: int, path: Path) -> int:
    """Write the 837P or 835 of these settings to ``path``; return its claim count (837P) or check count (835)."""
    per_set = SHAPES[shape]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="ascii", newline="") as handle:
        if kind == "837P":
            return write_837(handle, Batch(seed).claims(), per_set, int(size_mb * MEGABYTE))
        return write_835(handle, Batch(seed).claims(), seed, per_set, int(size_mb * MEGABYTE))


def write_remittance(claims: int, shape: str, seed: int, path: Path) -> int:
    """Write to ``path`` the 835 paying the first ``claims`` claims of ``seed``; return its check count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="ascii", newline="") as handle:
        return write_835(handle, islice(Batch(seed).claims(), claims), seed, SHAPES[shape], None)


def varied_path(kind: str, shape: str, size_mb: float, seed: int, out_dir: Path) -> Path:
    """Where the varied file of these settings lives (``remit``: the 835 paying the 837P of the same settings)."""
    size = f"{size_mb:g}".replace(".", "_")
    return out_dir / f"varied-{kind.lower()}-{shape}-{size}mb-s{seed}.x12"


def _stale(path: Path) -> bool:
    """True when ``path`` is missing or older than this generator."""
    return not path.exists() or path.stat().st_mtime < Path(__file__).stat().st_mtime


def ensure(kind: str, shape: str, size_mb: float, seed: int, out_dir: Path) -> Path:
    """The varied 837P or 835 of these settings, written when missing or older than this generator."""
    path = varied_path(kind, shape, size_mb, seed, out_dir)
    if _stale(path):
        write(kind, shape, size_mb, seed, path)
    return path


def ensure_pair(shape: str, size_mb: float, seed: int, out_dir: Path) -> tuple[Path, Path]:
    """The varied 837P of these settings and the 835 that pays its claims, written when missing or stale."""
    claims = ensure("837P", shape, size_mb, seed, out_dir)
    remit = varied_path("remit", shape, size_mb, seed, out_dir)
    if _stale(remit) or remit.stat().st_mtime < claims.stat().st_mtime:
        write_remittance(claims.read_bytes().count(b"\nCLM*"), shape, seed, remit)
    return claims, remit


def main(argv: list[str] | None = None) -> None:
    """Write one varied file (or pair) and print its path and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kind", choices=KINDS, default="837P")
    parser.add_argument("--shape", choices=tuple(SHAPES), default="one-st")
    parser.add_argument("--size-mb", type=float, default=10.0, help="target size (1 MB = 1,000,000 bytes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--out", type=Path, help="file to write (a pair: the stem of its .837 and .835)")
    args = parser.parse_args(argv)
    if args.size_mb <= 0:
        parser.error("--size-mb must be positive")
    out = args.out or varied_path(args.kind, args.shape, args.size_mb, args.seed, Path(__file__).parent / "out")
    paths = [out]
    if args.kind == "pair":
        paths = [out.with_suffix(".837"), out.with_suffix(".835")]
        claims = write("837P", args.shape, args.size_mb, args.seed, paths[0])
        write_remittance(claims, args.shape, args.seed, paths[1])
    else:
        write(args.kind, args.shape, args.size_mb, args.seed, out)
    for path in paths:
        print(f"{path}  {path.stat().st_size / MEGABYTE:.2f} MB")


if __name__ == "__main__":
    main()
