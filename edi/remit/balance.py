"""835 balancing: line, claim and transaction amounts must add up (835 TR3 section 1.10.2.1)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any


def money(value: Any) -> Decimal:
    """An amount from the JSON as a Decimal (absent amounts count as zero)."""
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def adjusted(items: list[dict[str, Any]]) -> Decimal:
    """The sum of the amounts of a list of CAS adjustments."""
    return sum((money(item["amount"]) for item in items), Decimal(0))


def claims(transaction: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every claim of a remittance transaction, across its header-number groups."""
    for group in transaction.get("groups", []):
        yield from group.get("claims", [])


def balance_problems(data: dict[str, Any]) -> list[str]:
    """Every amount that does not add up in remittance JSON, naming the claim (CLP01) and the amounts."""
    problems: list[str] = []
    for transaction in data.get("transactions", []):
        problems += transaction_problems(transaction)
    return problems


def transaction_problems(transaction: dict[str, Any]) -> list[str]:
    """Line, claim and payment balancing of one transaction set."""
    where = f"transaction {transaction.get('control_number', '')}"
    problems: list[str] = []
    paid_total = Decimal(0)
    for claim in claims(transaction):
        problems += [f"{where}: {p}" for p in claim_problems(claim)]
        paid_total += money(claim.get("paid"))
    plb_total = sum(
        (money(a["amount"]) for plb in transaction.get("provider_adjustments", []) for a in plb["adjustments"]),
        Decimal(0),
    )
    payment = transaction.get("payment", {})
    if "amount" in payment and money(payment["amount"]) != paid_total - plb_total:
        problems.append(
            f"{where}: claims paid {paid_total} - provider adjustments {plb_total} = {paid_total - plb_total}, "
            f"but the payment amount (BPR02) is {payment['amount']}"
        )
    return problems


def claim_problems(claim: dict[str, Any]) -> list[str]:
    """Line balancing (SVC02 - CAS = SVC03) and claim balancing (CLP03 - all CAS = CLP04)."""
    name = f"claim {claim.get('patient_control_number', '?')}"
    problems: list[str] = []
    line_adjustments = Decimal(0)
    for number, line in enumerate(claim.get("lines", []), start=1):
        adjustments = adjusted(line.get("adjustments", []))
        line_adjustments += adjustments
        if "charge" in line and "paid" in line:
            expected = money(line["charge"]) - adjustments
            if expected != money(line["paid"]):
                code = line.get("procedure", {}).get("code", "")
                problems.append(
                    f"{name} line {number} {code}".rstrip()
                    + f": charge {line['charge']} - adjustments {adjustments} = {expected}, "
                    f"but paid (SVC03) is {line['paid']}"
                )
    if "charge" in claim and "paid" in claim:
        adjustments = adjusted(claim.get("adjustments", [])) + line_adjustments
        expected = money(claim["charge"]) - adjustments
        if expected != money(claim["paid"]):
            problems.append(
                f"{name}: charge {claim['charge']} - adjustments {adjustments} = {expected}, "
                f"but paid (CLP04) is {claim['paid']}"
            )
    return problems
