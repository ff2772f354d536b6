"""Implementation guides: one small class per guide declaring its facts; grammar, tokens and spec, picked by version."""

from edi.guides.acks import (
    CLAIM_ACK,
    CLAIM_ACK_KIND,
    IMPLEMENTATION_ACK,
    IMPLEMENTATION_ACK_KIND,
    ClaimAck,
    ImplementationAck,
)
from edi.guides.claims import (
    CLAIM_GUIDES,
    CLAIM_KIND,
    DENTAL,
    INSTITUTIONAL,
    PROFESSIONAL,
    ClaimGuide,
    Dental,
    Institutional,
    Professional,
)
from edi.guides.registry import Guide, claim_guide, guide_by_id, resolve_guide
from edi.guides.remit import REMITTANCE, REMITTANCE_KIND, Remittance

__all__ = [
    "CLAIM_ACK",
    "CLAIM_ACK_KIND",
    "CLAIM_GUIDES",
    "CLAIM_KIND",
    "DENTAL",
    "IMPLEMENTATION_ACK",
    "IMPLEMENTATION_ACK_KIND",
    "INSTITUTIONAL",
    "PROFESSIONAL",
    "REMITTANCE",
    "REMITTANCE_KIND",
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
