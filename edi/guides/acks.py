"""The acknowledgment guides: the 999 implementation acknowledgment and the 277CA claim acknowledgment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from edi.guides.guide import Guide

_IK502 = ("13", "15", "16", "17", "18", "19", "23", "24", "25", "26", "27", "I5", "I6")


@dataclass(frozen=True)
class ImplementationAck(Guide):
    """999, X231A1."""

    id: str = "999"
    version = "005010X231A1"
    aliases = ("005010X231",)
    st01 = "999"
    functional_id = "FA"
    unit_loops = ("2000",)
    # The implementation codes (I4..I13, 18..27) the TR3 defines and the 999 map leaves out.
    code_additions: ClassVar[Mapping[tuple[str, str], tuple[str, ...]]] = {
        ("IK3", "IK304"): ("I9",),
        ("IK4", "IK403"): ("13", "I6", "I9", "I10", "I11", "I12", "I13"),
        **{("IK5", f"IK50{n}"): _IK502 for n in range(2, 7)},
        **{("AK9", f"AK90{n}"): ("16", "17", "18", "19", "23", "24", "25", "26") for n in range(5, 10)},
    }


@dataclass(frozen=True)
class ClaimAck(Guide):
    """277CA, X214."""

    id: str = "277CA"
    version = "005010X214"
    st01 = "277"
    functional_id = "HN"


IMPLEMENTATION_ACK, CLAIM_ACK = ImplementationAck.id, ClaimAck.id
IMPLEMENTATION_ACK_KIND, CLAIM_ACK_KIND = ImplementationAck.st01, ClaimAck.st01
