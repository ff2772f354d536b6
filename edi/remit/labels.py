"""Readable labels for the 835 codes that carry no licence: group codes, claim status, payment terms.

CARC and RARC codes stay bare codes: their descriptions are licensed.
"""

from __future__ import annotations

GROUP_CODES = {
    "CO": "contractual obligation",
    "OA": "other adjustment",
    "PI": "payer initiated reduction",
    "PR": "patient responsibility",
    "CR": "correction and reversal",
}

CLAIM_STATUS = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded to additional payer",
    "20": "processed as secondary, forwarded to additional payer",
    "21": "processed as tertiary, forwarded to additional payer",
    "22": "reversal of previous payment",
    "23": "not our claim, forwarded to additional payer",
    "25": "predetermination pricing only, no payment",
}

HANDLING = {
    "C": "payment accompanies remittance advice",
    "D": "make payment only",
    "H": "notification only",
    "I": "remittance information only",
    "P": "prenotification of future transfers",
    "U": "split payment and remittance",
    "X": "handling party's option to split payment and remittance",
}

PAYMENT_METHODS = {
    "ACH": "automated clearing house",
    "BOP": "financial institution option",
    "CHK": "check",
    "FWT": "federal reserve funds or wire transfer",
    "NON": "non-payment data",
}

CREDIT_DEBIT = {"C": "credit", "D": "debit"}


def label(table: dict[str, str], code: str) -> str:
    """The label of ``code`` in ``table``, or an empty string for a code the table does not know."""
    return table.get(code, "")
