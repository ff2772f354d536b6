"""The ledger as tidy Parquet tables (`edi.tables`): the same columns as `edi read --parquet` and Spark.

Each transaction set is rebuilt from the business JSON the ledger keeps (its own JSON, and each
claim's with its parties or claim group), one set at a time, in import order.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from edi.guides import CLAIM_KIND, REMITTANCE_KIND
from edi.ledger.schema import claim_payments, files, remittances, submissions, transaction_sets
from edi.tables import Row, claims_rows, record_batches, remittance_rows, write_parquet

CLAIM_TABLES = ("claims", "lines", "diagnoses", "payments", "adjustments", "provider_adjustments")


def export_parquet(connection: Connection, directory: Path) -> dict[str, int]:
    """Write the ledger's claims and remittances to ``directory/<table>.parquet``; rows per table."""
    return write_parquet(directory, record_batches(_rows(connection)), CLAIM_TABLES)


def _rows(connection: Connection) -> Iterator[Row]:
    query = (
        select(transaction_sets.c.id, transaction_sets.c.kind, transaction_sets.c.business, files.c.name)
        .join(files, files.c.id == transaction_sets.c.file_id)
        .order_by(files.c.id, transaction_sets.c.id)
    )
    counters: dict[str, Iterator[int]] = {}
    for set_id, kind, business, name in connection.execute(query):
        numbers = counters.setdefault(name, itertools.count(1))
        header = json.loads(business)
        if kind == CLAIM_KIND:
            yield from claims_rows(_claims_document(connection, set_id, header), name, numbers)
        elif kind == REMITTANCE_KIND:
            yield from remittance_rows(_remittance_document(connection, set_id, header), name, numbers)


def _claims_document(connection: Connection, set_id: int, header: dict[str, Any]) -> dict[str, Any]:
    """The claims JSON of one 837 transaction set, each claim under its own billing provider and subscriber."""
    query = (
        select(submissions.c.business)
        .where(submissions.c.transaction_set_id == set_id, submissions.c.business.is_not(None))
        .order_by(submissions.c.position)
    )
    providers = []
    for (business,) in connection.execute(query):
        held = json.loads(business)
        subscriber = dict(held["subscriber"])
        if "patient" in held:
            subscriber["patients"] = [{**held["patient"], "claims": [held["claim"]]}]
        else:
            subscriber["claims"] = [held["claim"]]
        providers.append({**held["billing_provider"], "subscribers": [subscriber]})
    return {**header, "billing_providers": providers}


def _remittance_document(connection: Connection, set_id: int, header: dict[str, Any]) -> dict[str, Any]:
    """The remittance JSON of one 835 transaction set, its claim payments in their claim groups."""
    query = (
        select(claim_payments.c.business)
        .join(remittances, remittances.c.id == claim_payments.c.remittance_id)
        .where(remittances.c.transaction_set_id == set_id, claim_payments.c.business.is_not(None))
        .order_by(claim_payments.c.position)
    )
    groups: list[dict[str, Any]] = []
    for (business,) in connection.execute(query):
        held = json.loads(business)
        if not groups or groups[-1]["head"] != held["group"]:
            groups.append({"head": held["group"], "claims": []})
        groups[-1]["claims"].append(held["claim"])
    transaction = {**header, "groups": [{**g["head"], "claims": g["claims"]} for g in groups]}
    return {"transactions": [transaction]}
