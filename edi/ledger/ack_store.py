"""Storing acknowledgment rows, and finding the claims whose front-door state an import may change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from edi.ledger import schema as t


def store_acknowledgments(connection: Connection, set_id: int, rows: Sequence[dict[str, Any]]) -> tuple[int, set[str]]:
    """Insert the rows of one 999 or 277CA; how many answer nothing in the ledger yet, and the claims they answer."""
    if rows:
        connection.execute(insert(t.acknowledgments), [{**row, "transaction_set_id": set_id} for row in rows])
    unmatched, answered = 0, set()
    for row in rows:
        found = _answered(connection, row)
        unmatched += not found
        answered |= found
    return unmatched, answered


def _answered(connection: Connection, row: dict[str, Any]) -> set[str]:
    """The claims an acknowledgment row may answer: of the 837 sets it names, or with its patient control number."""
    if row["patient_control_number"] is not None:
        column = t.claims.c.patient_control_number
        found = connection.execute(select(column).where(column == row["patient_control_number"])).scalars()
        return set(found)
    if row["set_kind"] not in ("837", ""):
        return set()
    claims = claims_of_sets(connection, row["submitter"], row["group_control"])
    control = row["transaction_control"]
    return {number for number, set_control in claims if control in ("", set_control)}


def claims_of_sets(connection: Connection, sender: str, group_control: str) -> list[tuple[str, str]]:
    """(CLM01, ST02) of every claim of the 837 sets from ``sender`` in group ``group_control``."""
    s, ts = t.submissions.c, t.transaction_sets.c
    query = (
        select(s.patient_control_number, ts.transaction_control)
        .join(t.transaction_sets, ts.id == s.transaction_set_id)
        .where(ts.kind == "837", ts.sender == sender, ts.group_control == group_control)
    )
    return [(number, control) for number, control in connection.execute(query)]


def neighbours(connection: Connection, sender: str, group_control: str) -> set[str]:
    """When a 999 names the group of a new 837 set, the claims of every 837 set of that group (it may move)."""
    a = t.acknowledgments.c
    named = select(a.id).where(a.submitter == sender, a.group_control == group_control).limit(1)
    if connection.execute(named).first() is None:
        return set()
    return {number for number, _ in claims_of_sets(connection, sender, group_control)}
