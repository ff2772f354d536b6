"""Find the 837 claim a CLP answers and the submitted line each SVC answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from edi.reconcile.extract import Claim, ClaimLine, ServicePayment
from edi.remit.model import Procedure

RETURNED_LENGTH = 20


@dataclass(slots=True)
class ClaimIndex:
    """The submitted claims by patient control number (CLM01), and by its first 20 characters."""

    submissions: dict[str, list[Claim]] = field(default_factory=dict)
    prefixes: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, claims: Iterable[Claim]) -> ClaimIndex:
        """Index ``claims``; several submissions of one CLM01 share one entry, in submission order."""
        index = cls()
        for claim in claims:
            number = claim.patient_control_number
            if number not in index.submissions:
                index.submissions[number] = []
                if len(number) > RETURNED_LENGTH:
                    index.prefixes.setdefault(number[:RETURNED_LENGTH], []).append(number)
            index.submissions[number].append(claim)
        return index

    def lookup(self, patient_control_number: str) -> str | None:
        """The CLM01 that a CLP01 answers: an exact match, or the one CLM01 it is the first 20 characters of."""
        if patient_control_number in self.submissions:
            return patient_control_number
        candidates = self.prefixes.get(patient_control_number, [])
        return candidates[0] if len(candidates) == 1 else None


def _service_key(service: ServicePayment) -> tuple[str, tuple[str, ...]] | None:
    procedure = service.submitted or service.procedure
    return _key(procedure) if procedure else None


def _key(procedure: Procedure) -> tuple[str, tuple[str, ...]]:
    if procedure.qualifier == "NU":
        return ("revenue:" + procedure.code, ())
    return (procedure.code, procedure.modifiers)


def _line_keys(line: ClaimLine) -> list[tuple[str, tuple[str, ...]]]:
    keys = [_key(line.procedure)] if line.procedure else []
    if line.revenue_code:
        keys.append(("revenue:" + line.revenue_code, ()))
    return keys


def _same_day(a: date | None, b: date | None) -> bool:
    return a is None or b is None or a == b


Test = Callable[[ServicePayment, ClaimLine, tuple[str, tuple[str, ...]]], bool]


def _same_procedure(service: ServicePayment, line: ClaimLine, key: tuple[str, tuple[str, ...]]) -> bool:
    return key in _line_keys(line) and _same_day(service.service_date, line.service_date)


def _same_code(service: ServicePayment, line: ClaimLine, key: tuple[str, tuple[str, ...]]) -> bool:
    return key[0] in (k[0] for k in _line_keys(line)) and _same_day(service.service_date, line.service_date)


def _same_everything(service: ServicePayment, line: ClaimLine, key: tuple[str, tuple[str, ...]]) -> bool:
    return _same_procedure(service, line, key) and service.charge == line.charge


# Tried in order: each pass looks at free lines first, then (splits) at lines already answered.
PASSES: tuple[tuple[Test, bool], ...] = (
    (_same_everything, False),
    (_same_procedure, False),
    (_same_code, False),
    (_same_procedure, True),
    (_same_code, True),
)


def match_services(lines: Sequence[ClaimLine], services: Sequence[ServicePayment]) -> list[int | None]:
    """For each service, the index of the submitted line it answers, or None.

    REF*6R decides first (the line item control number, or the LX01 line number a payer
    returns when it split a line sent without one); then the submitted procedure (SVC06,
    else SVC01) with its modifiers, the service date and the charge, loosening step by step.
    Several services may answer one line (a split).
    """
    by_control = {line.control_number: i for i, line in enumerate(lines) if line.control_number}
    by_number = {line.line_number: i for i, line in enumerate(lines) if line.line_number}
    answered: list[int | None] = [None] * len(services)
    taken: set[int] = set()
    for s, service in enumerate(services):
        if service.control_number:
            found = by_control.get(service.control_number)
            if found is None and not by_control:
                found = by_number.get(service.control_number)
            if found is not None:
                answered[s] = found
                taken.add(found)
    for test, reuse in PASSES:
        for s, service in enumerate(services):
            key = _service_key(service)
            if answered[s] is not None or key is None:
                continue
            for i, line in enumerate(lines):
                if (reuse or i not in taken) and test(service, line, key):
                    answered[s] = i
                    taken.add(i)
                    break
    return answered
