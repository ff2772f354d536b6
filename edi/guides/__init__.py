"""Implementation guides: one small class per guide declaring its facts; grammar, tokens and spec, picked by version."""

from edi.guides.acks import CLAIM_ACK, IMPLEMENTATION_ACK, ClaimAck, ImplementationAck
from edi.guides.claims import (
    CLAIM_GUIDES,
    DENTAL,
    INSTITUTIONAL,
    PROFESSIONAL,
    ClaimGuide,
    Dental,
    Institutional,
    Professional,
)
from edi.guides.registry import Guide, claim_guide, guide_by_id, resolve_guide
from edi.guides.remit import REMITTANCE, Remittance

__all__ = [
    "CLAIM_ACK",
    "CLAIM_GUIDES",
    "DENTAL",
    "IMPLEMENTATION_ACK",
    "INSTITUTIONAL",
    "PROFESSIONAL",
    "REMITTANCE",
    "ClaimAck",
    "ClaimGuide",
    "Dental",
    "Guide",
    "ImplementationAck",
    "Institutional",
    "Professional",
    "Remittance",
    "claim_guide",
    "guide_by_id",
    "resolve_guide",
]
