"""The X12 envelope around built transaction sets: ISA/GS/ST ... SE/GE/IEA with counts and control numbers.

Shared by every builder (837 and 835): give it the body of each transaction set and an
`Envelope`, get back every segment of one interchange.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from edi.errors import InputError
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import check_value

ISA_ID_WIDTH = 15
ISA_CONTROL_WIDTH = 9
QUALIFIERS = ("01", "14", "20", "27", "28", "29", "30", "33", "ZZ")


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the ISA and GS say: who sends to whom, when, under which control numbers.

    ``group_control_number`` defaults to ``control_number``; ``application_sender`` and
    ``application_receiver`` (GS02/GS03) default to the ISA IDs; ``authorization`` and
    ``security`` are ISA01/02 and ISA03/04; ``group_date`` and ``group_time`` (GS04/GS05 as
    written, seconds kept) default to ``created``.
    """

    sender_id: str
    receiver_id: str
    functional_id: str
    version: str
    created: datetime
    control_number: int = 1
    group_control_number: int | None = None
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    usage: str = "T"
    acknowledgment_requested: bool = False
    application_sender: str | None = None
    application_receiver: str | None = None
    authorization: tuple[str, str] = ("00", "")
    security: tuple[str, str] = ("00", "")
    group_date: str | None = None
    group_time: str | None = None

    def check(self) -> list[str]:
        """Every reason this envelope cannot be written, as plain sentences."""
        problems = []
        for name, value in (("sender_id", self.sender_id), ("receiver_id", self.receiver_id)):
            if not value or len(value) > ISA_ID_WIDTH:
                problems.append(f"interchange {name} must be 1 to {ISA_ID_WIDTH} characters, got {value!r}")
        for name, value in (
            ("sender_qualifier", self.sender_qualifier),
            ("receiver_qualifier", self.receiver_qualifier),
        ):
            if value not in QUALIFIERS:
                problems.append(f"interchange {name} must be one of {', '.join(QUALIFIERS)}, got {value!r}")
        if not 0 < self.control_number < 10**ISA_CONTROL_WIDTH:
            problems.append(f"interchange control number must be 1 to 999999999, got {self.control_number}")
        if self.usage not in ("P", "T"):
            problems.append(f"interchange usage must be P (production) or T (test), got {self.usage!r}")
        return problems


@dataclass(frozen=True, slots=True)
class EnvelopeOptions:
    """Envelope values given on the command line; they win over those in the JSON."""

    control_number: int | None = None
    sender: str | None = None
    receiver: str | None = None
    usage: str | None = None

    def applied(self, envelope: Envelope) -> Envelope:
        """``envelope`` with these values; the control number sets the interchange's and the group's."""
        return replace(
            envelope,
            control_number=self.control_number or envelope.control_number,
            group_control_number=self.control_number or envelope.group_control_number,
            sender_id=self.sender or envelope.sender_id,
            receiver_id=self.receiver or envelope.receiver_id,
            application_sender=self.sender or envelope.application_sender,
            application_receiver=self.receiver or envelope.application_receiver,
            usage=self.usage or envelope.usage,
        )


def transaction_set(
    st01: str, control_number: str, version: str, body: Sequence[Segment], delimiters: Delimiters
) -> list[Segment]:
    """ST, ``body`` and SE, with SE01 counting every segment from ST to SE."""
    check_value(control_number, delimiters, "ST02")
    check_value(version, delimiters, "ST03")
    st = Segment("ST", [st01, control_number, version], delimiters)
    se = Segment("SE", [str(len(body) + 2), control_number], delimiters)
    return [st, *body, se]


def build_interchange(
    transactions: Sequence[Sequence[Segment]], envelope: Envelope, delimiters: Delimiters
) -> list[Segment]:
    """One interchange holding one functional group of ``transactions`` (each ST..SE)."""
    problems = envelope.check()
    if problems:
        raise InputError("the interchange envelope cannot be written", problems)
    _check_values(envelope, delimiters)
    stamp = envelope.created
    control = envelope.control_number
    group_control = str(envelope.group_control_number or control)
    isa = Segment(
        "ISA",
        [
            envelope.authorization[0],
            envelope.authorization[1].ljust(10),
            envelope.security[0],
            envelope.security[1].ljust(10),
            envelope.sender_qualifier,
            envelope.sender_id.ljust(ISA_ID_WIDTH),
            envelope.receiver_qualifier,
            envelope.receiver_id.ljust(ISA_ID_WIDTH),
            stamp.strftime("%y%m%d"),
            stamp.strftime("%H%M"),
            delimiters.repetition or "U",
            "00501",
            str(control).zfill(ISA_CONTROL_WIDTH),
            "1" if envelope.acknowledgment_requested else "0",
            envelope.usage,
            delimiters.component,
        ],
        delimiters,
    )
    gs = Segment(
        "GS",
        [
            envelope.functional_id,
            envelope.application_sender or envelope.sender_id,
            envelope.application_receiver or envelope.receiver_id,
            envelope.group_date or stamp.strftime("%Y%m%d"),
            envelope.group_time or stamp.strftime("%H%M"),
            group_control,
            "X",
            envelope.version,
        ],
        delimiters,
    )
    body = [segment for transaction in transactions for segment in transaction]
    ge = Segment("GE", [str(len(transactions)), group_control], delimiters)
    iea = Segment("IEA", ["1", str(control).zfill(ISA_CONTROL_WIDTH)], delimiters)
    return [isa, gs, *body, ge, iea]


def _check_values(envelope: Envelope, delimiters: Delimiters) -> None:
    """Every envelope value is data: `UnsafeValue` naming its ISA or GS element otherwise."""
    for where, value in (
        ("ISA01", envelope.authorization[0]),
        ("ISA02", envelope.authorization[1]),
        ("ISA03", envelope.security[0]),
        ("ISA04", envelope.security[1]),
        ("ISA05", envelope.sender_qualifier),
        ("ISA06", envelope.sender_id),
        ("ISA07", envelope.receiver_qualifier),
        ("ISA08", envelope.receiver_id),
        ("ISA15", envelope.usage),
        ("GS02", envelope.application_sender or ""),
        ("GS03", envelope.application_receiver or ""),
        ("GS08", envelope.version),
        ("GS04", envelope.group_date or ""),
        ("GS05", envelope.group_time or ""),
    ):
        check_value(value, delimiters, where)
