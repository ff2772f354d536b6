"""The claim to the next payer, built from the primary's 837 and its 835.

For every claim the primary has finalised, the payer order moves on: the other payer of
the claim's 2320 becomes the subscriber's payer (SBR01 S), and the primary becomes a 2320
other subscriber (with 2330A/2330B) carrying its adjudication: the claim-level CAS groups,
AMT*D = CLP04 and AMT*EAF = the remaining patient liability (CLP05); each line gets a 2430
per service the 835 matched to it (by `edi.reconcile`: REF*6R, else procedure, date and
charge), with SVD, the line's CAS and DTP*573. Claims the primary denied in full, forwarded
itself (crossover), has not answered, or whose amounts do not balance are skipped, each
with its reason.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from edi.claims.build import build_837
from edi.claims.envelope import EnvelopeOptions
from edi.claims.read import read_claims
from edi.errors import InputError
from edi.fields import OTHER
from edi.guides import REMITTANCE_KIND
from edi.reconcile import ClaimResult, reconcile
from edi.reconcile.extract import Adjustment, ClaimPayment, ServicePayment
from edi.reconcile.ledger import Entry
from edi.remit.model import split
from edi.x12.document import Document
from edi.x12.reader import read_document

Source = Document | str | Path
NEXT_ORDER = {"P": "S", "S": "T"}
REVENUE_QUALIFIER = "NU"  # an 835 SVC01 holding a revenue code: SVD04 of the 2430, not SVD03
MAX_REASONS = 6  # CAS triplets per segment
PERSON_FIELDS = ("last_name", "first_name", "middle_name", "suffix", "address", "birth_date", "gender")
SUBSCRIBER_FIELDS = ("group_number", "group_name", "insurance_type", "claim_filing_indicator")


@dataclass(slots=True, frozen=True)
class Skipped:
    """A claim no secondary claim was built for, and why."""

    patient_control_number: str
    reason: str

    def __str__(self) -> str:
        return f"{self.patient_control_number}: {self.reason}"


@dataclass(slots=True, frozen=True)
class _Place:
    """Where a claim sits in the claims JSON: its billing provider, subscriber and patient levels."""

    provider: dict[str, Any]
    subscriber: dict[str, Any]
    patient: dict[str, Any] | None


class _NotBillable(Exception):
    """The claim cannot go to the next payer; the message says why."""


def build_secondary(
    claims_source: Source,
    remit_source: Source | Sequence[Source],
    payer: str | None = None,
    options: EnvelopeOptions | None = None,
    now: datetime | None = None,
) -> tuple[str, list[Skipped]]:
    """The 837 to the next payer for every claim of ``claims_source`` that the primary's 835s finalised.

    ``remit_source`` is one 835 or several, applied in order (a payment, then its reversal and
    correction): the primary's last standing adjudication of each claim is the one used.

    ``payer`` picks the next payer by its ID (2330B NM109) where a claim has several other
    payers; ``options`` set the envelope as for `build_837`. Returns the X12 text and the
    claims skipped; raises `InputError` when no claim is left to send.
    """
    claims_doc = claims_source if isinstance(claims_source, Document) else read_document(claims_source)
    sources = [remit_source] if isinstance(remit_source, Document | str | Path) else list(remit_source)
    remit_docs = [source if isinstance(source, Document) else read_document(source) for source in sources]
    for remit_doc in remit_docs:
        if not any(t.st.get(1) == REMITTANCE_KIND for _, _, t in remit_doc.transactions()):
            raise InputError("no 835 transaction set in the remittance file", file=remit_doc.file)
    data = read_claims(claims_doc)
    results = {r.patient_control_number: r for r in reconcile([claims_doc], remit_docs).claims}
    dates = {key: day for remit_doc in remit_docs for key, day in _remittance_dates(remit_doc).items()}
    skipped: list[Skipped] = []
    documents = []
    for document in data.get("batch", [data]):
        built = _secondary_document(document, results, dates, payer, skipped)
        if built is not None:
            documents.append(built)
    if not documents:
        raise InputError(
            "no claim the primary has finalised can go to a next payer", [str(s) for s in skipped], file=claims_doc.file
        )
    out: dict[str, Any] = documents[0] if len(documents) == 1 else {"format": data["format"], "batch": documents}
    if len(documents) == 1:
        out["format"] = data["format"]
    return build_837(out, claims_doc.file, options, now=now), skipped


def _secondary_document(
    document: dict[str, Any],
    results: dict[str, ClaimResult],
    dates: dict[tuple[str, str], date],
    payer: str | None,
    skipped: list[Skipped],
) -> dict[str, Any] | None:
    groups: dict[str, tuple[_Place, list[dict[str, Any]]]] = {}
    primary_ids: set[str] = set()
    next_payers: list[dict[str, Any]] = []
    for place, claim in _claims(document):
        number = claim["patient_control_number"]
        try:
            entry = _final_entry(results.get(number))
            other = _next_payer(place, claim, payer)
            new_claim = _moved_on(place, claim, other, entry, dates)
        except _NotBillable as reason:
            skipped.append(Skipped(number, str(reason)))
            continue
        new_place = _new_place(place, other)
        key = json.dumps([id(place.provider), new_place.subscriber, new_place.patient], sort_keys=True)
        groups.setdefault(key, (new_place, []))[1].append(new_claim)
        primary_ids.add(place.subscriber["payer"].get("id", ""))
        next_payers.append(other["payer"])
    if not groups:
        return None
    out = {k: copy.deepcopy(v) for k, v in document.items() if k not in ("billing_providers", "format")}
    receiver = out.get("receiver", {})
    if receiver.get("id") in primary_ids:
        out["receiver"] = {**receiver, "name": next_payers[0].get("name", ""), "id": next_payers[0].get("id", "")}
    out["billing_providers"] = _levels(groups.values())
    return out


def _claims(document: dict[str, Any]) -> Iterator[tuple[_Place, dict[str, Any]]]:
    for provider in document.get("billing_providers", []):
        for subscriber in provider.get("subscribers", []):
            for claim in subscriber.get("claims", []):
                yield _Place(provider, subscriber, None), claim
            for patient in subscriber.get("patients", []):
                for claim in patient.get("claims", []):
                    yield _Place(provider, subscriber, patient), claim


def _final_entry(result: ClaimResult | None) -> Entry:
    """The primary's standing adjudication of the claim, or why there is none to bill on."""
    if result is None or not result.entries:
        raise _NotBillable("not yet answered by the primary payer (no CLP for it in the 835)")
    reversed_entries = {e.reverses for e in result.entries if e.reverses is not None}
    standing = [e for i, e in enumerate(result.entries) if e.standing and i not in reversed_entries]
    if not standing:
        raise _NotBillable("the primary's payment was reversed and not corrected: no adjudication stands")
    entry = standing[-1]
    if entry.kind == "denial" or result.status == "denied":
        raise _NotBillable(f"denied in full by the primary payer (CLP02 {entry.payment.status_code})")
    if entry.kind == "crossover":
        who = entry.payment.crossover_payer or "the next payer"
        raise _NotBillable(f"the primary forwarded the claim to {who} itself (crossover): nothing to send")
    return entry


def _next_payer(place: _Place, claim: dict[str, Any], payer: str | None) -> dict[str, Any]:
    others = claim.get("other_payers", [])
    if payer is not None:
        chosen = [o for o in others if o.get("payer", {}).get("id") == payer]
        if not chosen:
            raise _NotBillable(f"payer {payer} is not among the claim's other payers (2330B)")
        return dict(chosen[0])
    order = NEXT_ORDER.get(place.subscriber.get("payer_responsibility", "P"), "")
    chosen = [o for o in others if o.get("payer_responsibility") == order]
    if not chosen:
        raise _NotBillable(f"no other payer with payer order {order or 'after it'} in the claim's 2320 loops")
    return dict(chosen[0])


def _moved_on(
    place: _Place, claim: dict[str, Any], other: dict[str, Any], entry: Entry, dates: dict[tuple[str, str], date]
) -> dict[str, Any]:
    payment = entry.payment
    when = dates.get((entry.remittance.file, entry.remittance.trace_number))
    primary_id = place.subscriber.get("payer", {}).get("id", "")
    new_claim = copy.deepcopy(claim)
    lines = new_claim.get("lines", [])
    by_line: dict[int, list[ServicePayment]] = {}
    for service, index in zip(payment.services, entry.lines, strict=True):
        if index is None:
            raise _NotBillable(f"the 835 service {_label(service)} matches no line of the claim")
        by_line.setdefault(index, []).append(service)
    if payment.services:
        for index, line in enumerate(lines):
            if index not in by_line:
                raise _NotBillable(f"line {line.get('line_number', index + 1)} has no adjudication in the 835")
            line.setdefault("adjudications", []).extend(
                _adjudication(s, primary_id, line, when) for s in by_line[index]
            )
    _check_balance(claim, lines, payment)
    primary = _primary_as_other_payer(place, claim, payment, when if not payment.services else None)
    rest = [o for o in new_claim.get("other_payers", []) if o != other]
    new_claim["other_payers"] = [primary, *rest]
    return new_claim


def _primary_as_other_payer(
    place: _Place, claim: dict[str, Any], payment: ClaimPayment, adjudicated: date | None
) -> dict[str, Any]:
    subscriber = place.subscriber
    relationship = place.patient.get("relationship") if place.patient else subscriber.get("relationship") or "18"
    other: dict[str, Any] = {"payer_responsibility": subscriber.get("payer_responsibility", "P")}
    if relationship:
        other["relationship"] = relationship
    other.update({k: subscriber[k] for k in SUBSCRIBER_FIELDS if k in subscriber})
    adjustments = _cas(payment.adjustments)
    if adjustments:
        other["adjustments"] = adjustments
    other["paid"] = _money(payment.paid)
    liability = payment.patient_responsibility
    if liability is None:
        liability = sum((a.amount for a in _all_adjustments(payment) if a.group == "PR"), Decimal(0))
    if liability > 0:
        other["remaining_patient_liability"] = _money(liability)
    for key in ("benefits_assigned", "patient_signature_source", "release_of_information"):
        if key in claim:
            other[key] = claim[key]
    person = subscriber.get("subscriber", {})
    other["subscriber"] = {k: v for k, v in person.items() if k not in ("birth_date", "gender")}
    other["payer"] = {k: v for k, v in subscriber.get("payer", {}).items() if k != "adjudication_date"}
    if adjudicated is not None:
        other["payer"]["adjudication_date"] = adjudicated.isoformat()
    return other


def _adjudication(service: ServicePayment, payer_id: str, line: dict[str, Any], when: date | None) -> dict[str, Any]:
    """One 2430: SVD (SVD03 the procedure the payer adjudicated; on an institutional line SVD04 its
    revenue code, with SVD03 only for a procedure code), the service's CAS groups and DTP*573."""
    procedure = service.procedure
    found: dict[str, Any] = {"payer_id": payer_id, "paid": _money(service.paid)}
    revenue = line.get("revenue_code")
    if procedure is not None and procedure.qualifier != REVENUE_QUALIFIER:
        found["procedure"] = {"qualifier": procedure.qualifier, "code": procedure.code}
        if procedure.modifiers:
            found["procedure"]["modifiers"] = list(procedure.modifiers)
    elif "procedure" in line:
        found["procedure"] = copy.deepcopy(line["procedure"])
    if revenue:
        found[OTHER] = {"SVD": {"SVD04": revenue}}
    units = service.paid_units if service.paid_units is not None else service.original_units
    found["units"] = _money(units) if units is not None else str(line.get("units", "1"))
    adjustments = _cas(service.adjustments)
    if adjustments:
        found["adjustments"] = adjustments
    if when is not None:
        found["adjudication_date"] = when.isoformat()
    return found


def _check_balance(claim: dict[str, Any], lines: list[dict[str, Any]], payment: ClaimPayment) -> None:
    """Charge - adjustments = paid on every line and for the claim, as the COB rules check them."""
    total = payment.paid + sum((a.amount for a in _all_adjustments(payment)), Decimal(0))
    if total != Decimal(claim["charge"]):
        raise _NotBillable(
            f"the primary's amounts do not balance: CLM02 {claim['charge']} but CLP04 + adjustments = {total}"
        )
    for line in lines:
        found = line.get("adjudications", [])
        if not found:
            continue
        paid = sum((Decimal(a["paid"]) for a in found), Decimal(0))
        adjusted = sum(
            (Decimal(r["amount"]) for a in found for cas in a.get("adjustments", []) for r in cas["reasons"]),
            Decimal(0),
        )
        if paid + adjusted != Decimal(line["charge"]):
            raise _NotBillable(
                f"line {line.get('line_number')} does not balance: charge {line['charge']}, "
                f"paid {paid} + adjustments {adjusted}"
            )


def _new_place(place: _Place, other: dict[str, Any]) -> _Place:
    """The billing provider, subscriber and patient levels for the next payer."""
    person = place.patient["patient"] if place.patient else place.subscriber.get("subscriber", {})
    patient = {k: copy.deepcopy(v) for k, v in person.items() if k in PERSON_FIELDS}
    relationship = other.get("relationship", "")
    next_subscriber = copy.deepcopy(other.get("subscriber", {}))
    level: dict[str, Any] = {"payer_responsibility": other.get("payer_responsibility", "S")}
    if relationship == "18":
        level["relationship"] = "18"
        for key in ("address", "birth_date", "gender"):
            if key not in next_subscriber and key in patient:
                next_subscriber[key] = patient[key]
    level.update({k: other[k] for k in SUBSCRIBER_FIELDS if k in other})
    level["subscriber"] = next_subscriber
    level["payer"] = copy.deepcopy(other.get("payer", {}))
    if relationship == "18":
        return _Place(place.provider, level, None)
    return _Place(place.provider, level, {"relationship": relationship or "G8", "patient": patient})


def _levels(groups: Any) -> list[dict[str, Any]]:
    """Billing provider, subscriber and patient levels holding the moved-on claims, in input order."""
    providers: dict[int, dict[str, Any]] = {}
    for place, claims in groups:
        provider = providers.get(id(place.provider))
        if provider is None:
            provider = {k: copy.deepcopy(v) for k, v in place.provider.items() if k != "subscribers"}
            provider["subscribers"] = []
            providers[id(place.provider)] = provider
        subscriber = dict(place.subscriber)
        if place.patient is None:
            subscriber["claims"] = claims
        else:
            subscriber["patients"] = [{**place.patient, "claims": claims}]
        provider["subscribers"].append(subscriber)
    return list(providers.values())


def _cas(adjustments: tuple[Adjustment, ...]) -> list[dict[str, Any]]:
    """CAS segments: adjustments grouped by group code, at most six reasons each."""
    by_group: dict[str, list[dict[str, str]]] = {}
    for adjustment in adjustments:
        reason = {"reason": adjustment.reason, "amount": _money(adjustment.amount)}
        if adjustment.quantity is not None:
            reason["quantity"] = _money(adjustment.quantity)
        by_group.setdefault(adjustment.group, []).append(reason)
    return [
        {"group": group, "reasons": reasons[start : start + MAX_REASONS]}
        for group, reasons in by_group.items()
        for start in range(0, len(reasons), MAX_REASONS)
    ]


def _all_adjustments(payment: ClaimPayment) -> list[Adjustment]:
    return [*payment.adjustments, *(a for s in payment.services for a in s.adjustments)]


def _remittance_dates(document: Document) -> dict[tuple[str, str], date]:
    """The adjudication date of each 835 (DTM*405 production date, else BPR16), by file and TRN02."""
    dates: dict[tuple[str, str], date] = {}
    for _, _, transaction in document.transactions():
        if transaction.st.get(1) != REMITTANCE_KIND:
            continue
        header, _ = split(transaction.segments())
        when = header.production_date or header.payment_date
        if when is not None:
            dates[(document.file, header.trace_number)] = when
    return dates


def _label(service: ServicePayment) -> str:
    return service.procedure.label() if service.procedure else f"charge {service.charge}"


def _money(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
