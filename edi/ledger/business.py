"""Each claim's business JSON with the context it needs (837 here, from `edi.read_claims`; 835 in `edi.ledger.stream`).

A transaction set's own JSON (envelope, submitter, payer, payment, provider adjustments) is kept
once, in ``transaction_sets.business``; each 837 claim keeps its billing provider, subscriber and
patient, each 835 claim payment its claim group (LX), so tables can be rebuilt from the ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from edi.claims.read import read_claims
from edi.x12.document import Document


def claim_contexts(document: Document, count: int) -> tuple[dict[str, Any], list[dict[str, Any] | None]]:
    """The 837 transaction set's own JSON, and each claim's JSON with its parties, in file order.

    When the claims JSON does not hold ``count`` claims (a CLM the guide could not place), the
    claims keep no business JSON rather than a wrong one.
    """
    data = read_claims(document)
    header = {key: value for key, value in data.items() if key != "billing_providers"}
    found = [{**context, "claim": claim} for claim, context in _claims(data.get("billing_providers", []))]
    return header, list(found) if len(found) == count else [None] * count


def _claims(providers: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each claim with its billing provider, subscriber and (for a dependent) patient, in file order."""
    for provider in providers:
        base = {"billing_provider": {k: v for k, v in provider.items() if k != "subscribers"}}
        for subscriber in provider.get("subscribers", []):
            context = {**base, "subscriber": {k: v for k, v in subscriber.items() if k not in ("claims", "patients")}}
            for claim in subscriber.get("claims", []):
                yield claim, context
            for patient in subscriber.get("patients", []):
                inner = {**context, "patient": {k: v for k, v in patient.items() if k != "claims"}}
                for claim in patient.get("claims", []):
                    yield claim, inner
