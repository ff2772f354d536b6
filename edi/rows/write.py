"""Claims JSON to claims rows: one row per service line, with only the columns some row uses."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from edi.rows.columns import LEVELS, columns, of_level
from edi.rows.levels import flatten

CHILDREN = {
    "transaction": ("format", "billing_providers"),
    "billing": ("subscribers",),
    "subscriber": ("claims", "patients"),
    "patient": ("claims",),
    "claim": ("lines",),
    "line": (),
}
ROW_GROUP = 10_000  # rows per Parquet row group: a reader holds one group at a time
CLAIM_IDENTITY = ("billing_provider_npi", "billing_provider_id", "patient_control_number")


def _cells(obj: dict[str, Any], level: str, guide: str) -> dict[str, str]:
    return flatten({k: v for k, v in obj.items() if k not in CHILDREN[level]}, level, guide)


def _claims(subscriber: dict[str, Any]) -> Iterator[tuple[dict[str, Any] | None, dict[str, Any]]]:
    for claim in subscriber.get("claims", []):
        yield None, claim
    for patient in subscriber.get("patients", []):
        for claim in patient.get("claims", []):
            yield patient, claim


def all_rows(data: dict[str, Any]) -> Iterator[dict[str, str]]:
    """One row per service line of claims JSON (a document or a batch), with every level's key."""
    counters = dict.fromkeys(LEVELS, 0)

    def key(level: str) -> dict[str, str]:
        counters[level] += 1
        return {f"{level}_key": str(counters[level])}

    for document in data.get("batch", [data]):
        guide = document["transaction"]["type"]
        top = {**key("transaction"), **_cells(document, "transaction", guide)}
        for provider in document.get("billing_providers", []):
            billing = {**top, **key("billing"), **_cells(provider, "billing", guide)}
            for subscriber in provider.get("subscribers", []):
                member = {**billing, **key("subscriber"), **_cells(subscriber, "subscriber", guide)}
                held: dict[str, Any] | None = None
                patient_cells: dict[str, str] = {}
                for patient, claim in _claims(subscriber):
                    if patient is not None and patient is not held:
                        held, patient_cells = patient, {**key("patient"), **_cells(patient, "patient", guide)}
                    head = {**member, **(patient_cells if patient is not None else {})}
                    head |= {**key("claim"), **_cells(claim, "claim", guide)}
                    for line in claim.get("lines", []):
                        yield {**head, **_cells(line, "line", guide)}


def needed_keys(rows: list[dict[str, str]]) -> set[str]:
    """The key columns without which the rows would not give back the same loops.

    A level needs its key where two loops in a row hold the same values (their rows would
    merge) and, for claims, where a claim's billing provider and patient control number
    are those of another claim.
    """
    needed: set[str] = set()
    level_names = {level: [c.name for c in of_level(level)] for level in LEVELS}
    previous: dict[str, str] | None = None
    seen: set[tuple[str, ...]] = set()
    for row in rows:
        identity = tuple(row.get(n, "") for n in CLAIM_IDENTITY)
        if previous is None or row["claim_key"] != previous["claim_key"]:
            if identity in seen or (previous is not None and _same_claim(row, previous)):
                needed.add("claim_key")
            seen.add(identity)
        if previous is not None:
            for level in LEVELS[:4]:
                name = f"{level}_key"
                if row.get(name) == previous.get(name):
                    continue
                if all(row.get(n, "") == previous.get(n, "") for n in level_names[level] if n != name):
                    needed.add(name)
                break
        previous = row
    return needed


def _same_claim(row: dict[str, str], previous: dict[str, str]) -> bool:
    return all(row.get(n, "") == previous.get(n, "") for n in CLAIM_IDENTITY)


def rows_for(data: dict[str, Any]) -> tuple[list[str], list[dict[str, str]]]:
    """The columns used and the rows of claims JSON, keys kept only where they are needed."""
    rows = list(all_rows(data))
    keep = needed_keys(rows)
    drop = {f"{level}_key" for level in LEVELS[:5]} - keep
    used: set[str] = set()
    for row in rows:
        for name in drop:
            row.pop(name, None)
        used.update(n for n, v in row.items() if v)
    names = [c.name for c in columns() if c.name in used or (c.required and c.kind != "key")]
    return names, rows


def write_csv(data: dict[str, Any], path: Path | None, out: Any = None) -> None:
    """Write the rows of claims JSON as CSV with a header row, to ``path`` or the text stream ``out``."""
    names, rows = rows_for(data)
    handle = path.open("w", encoding="utf-8", newline="") if path else out
    try:
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if path:
            handle.close()


def write_parquet(data: dict[str, Any], path: Path) -> None:
    """Write the rows of claims JSON as a Parquet file of string columns (empty cells are null)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names, rows = rows_for(data)
    table = pa.table({n: pa.array([row.get(n) or None for row in rows], pa.string()) for n in names})
    pq.write_table(table, path, row_group_size=ROW_GROUP)
