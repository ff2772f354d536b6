"""Storing acknowledgment rows, and finding the claims whose front-door state an import may change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from edi.guides import CLAIM_KIND
from edi.ledger import schema as t
from edi.ledger.refresh import known_claims


def store_acknowledgments(connection: Connection, set_id: int, rows: Sequence[dict[str, Any]]) -> tuple[int, set[str]]:
    """Insert the rows of one 999 or 277CA; how many answer nothing in the ledger yet, and the claims they answer."""
    if not rows:
        return 0, set()
    connection.execute(insert(t.acknowledgments), [{**row, "transaction_set_id": set_id} for row in rows])
    numbers = [row["patient_control_number"] for row in rows if row["patient_control_number"] is not None]
    answered = known_claims(connection, numbers)
    unmatched = sum(number not in answered for number in numbers)
    groups: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        if row["patient_control_number"] is None and row["set_kind"] in (CLAIM_KIND, ""):
            groups.setdefault((row["submitter"], row["group_control"]), []).append(row["transaction_control"])
        elif row["patient_control_number"] is None:
            unmatched += 1
    for (sender, group_control), controls in groups.items():
        by_set: dict[str, set[str]] = {}
        for number, control in claims_of_sets(connection, sender, group_control):
            by_set.setdefault(control, set()).add(number)
        for control in controls:
            found = set().union(*by_set.values()) if control == "" else by_set.get(control, set())
            unmatched += not found
            answered |= found
    return unmatched, answered


def claims_of_sets(
    connection: Connection, sender: str, group_control: str, control: str | None = None
) -> list[tuple[str, str]]:
    """(CLM01, ST02) of each claim of the 837 sets from ``sender`` in group ``group_control`` (and ST02 ``control``)."""
    s, ts = t.submissions.c, t.transaction_sets.c
    query = (
        select(s.patient_control_number, ts.transaction_control)
        .join(t.transaction_sets, ts.id == s.transaction_set_id)
        .where(ts.kind == CLAIM_KIND, ts.sender == sender, ts.group_control == group_control)
    )
    if control is not None:
        query = query.where(ts.transaction_control == control)
    return [(number, set_control) for number, set_control in connection.execute(query)]


def neighbours(connection: Connection, key: dict[str, str]) -> set[str]:
    """When a 999 names a new 837 set, the claims of every 837 set with its numbers: the 999 may move to it."""
    a = t.acknowledgments.c
    named = select(a.id).where(
        a.submitter == key["sender"],
        a.group_control == key["group_control"],
        a.transaction_control == key["transaction_control"],
    )
    if connection.execute(named.limit(1)).first() is None:
        return set()
    found = claims_of_sets(connection, key["sender"], key["group_control"], key["transaction_control"])
    return {number for number, _ in found}
