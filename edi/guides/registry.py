"""The registry of implementation guides, keyed by version (GS08/ST03) and ST01.

Each guide class (`edi.guides.claims`, `edi.guides.remit`, `edi.guides.acks`) declares its
version and the errata labels it reads; its spec and grammar load on first use. Errata and
older labels read with the nearest guide and say so in a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from edi.guides.acks import ClaimAck, ImplementationAck
from edi.guides.claims import CLAIM_GUIDE_CLASSES, PROFESSIONAL, ClaimGuide, Dental, Institutional
from edi.guides.guide import Guide, grammar_text, rule_name
from edi.guides.remit import Remittance

__all__ = ["GUIDES", "Guide", "claim_guide", "grammar_text", "guide_by_id", "resolve_guide", "rule_name"]

_CLASSES: tuple[type[Guide], ...] = (*CLAIM_GUIDE_CLASSES, Remittance, ImplementationAck, ClaimAck)
GUIDES = {cls.id: cls for cls in _CLASSES}
VERSIONS: dict[str, str] = {cls.version: guide_id for guide_id, cls in GUIDES.items()}
# Labels that read with the nearest guide, with a warning.
ALIASES: dict[str, str] = {label: guide_id for guide_id, cls in GUIDES.items() for label in cls.aliases}
# Sets told apart by ST01 alone when their version is unusable (an 837 is told apart by its lines).
BY_ST01 = {cls.st01: cls.id for cls in (Remittance, ImplementationAck)}
FUNCTIONAL_IDS = {cls.st01: cls.functional_id for cls in GUIDES.values()}
"""ST01 -> GS01 of a group of such sets."""


@cache
def guide_by_id(guide_id: str) -> Guide:
    """The guide with this ID (837P, 837I, 837D, 835, 999, 277CA)."""
    cls = GUIDES.get(guide_id)
    return cls() if cls else Guide(guide_id)


def claim_guide(guide_id: str) -> ClaimGuide:
    """The 837 claim guide with this ID; a TypeError for any other."""
    guide = guide_by_id(guide_id)
    if not isinstance(guide, ClaimGuide):
        raise TypeError(f"{guide_id!r} is not an 837 claim guide")
    return guide


def resolve_guide(
    st01: str, version: str, segment_ids: Callable[[], Iterable[str]] = tuple
) -> tuple[Guide | None, str | None]:
    """Pick the guide for a transaction set; returns (guide or None, warning or None).

    ``version`` is ST03, or GS08 where ST03 is empty. An 837 with no usable version is
    told apart by its service-line segment (SV1, SV2 or SV3): only then is ``segment_ids``
    called for the set's segment IDs.
    """
    if version in VERSIONS:
        guide = guide_by_id(VERSIONS[version])
        if guide.st01 == st01:
            return guide, None
    if version in ALIASES and guide_by_id(ALIASES[version]).st01 == st01:
        target = guide_by_id(ALIASES[version])
        return target, f"version {version} is read with the {target.id} guide {target.version}"
    if version and not version.startswith("005010"):
        return None, f"no guide for {st01} version {version}: its segments are kept in order, unchecked"
    if st01 in BY_ST01:
        target = guide_by_id(BY_ST01[st01])
        return target, f"no usable version ({version or 'none'}); read with the {target.id} guide {target.version}"
    if st01 == ClaimGuide.st01:
        ids = set(segment_ids())
        guide_id = next((g.id for g in (Institutional, Dental) if g.service_segment in ids), PROFESSIONAL)
        target = guide_by_id(guide_id)
        return target, f"no usable version ({version or 'none'}); read as {guide_id} {target.version} from its lines"
    return None, f"no guide for transaction set {st01} {version}: its segments are kept in order, unchecked"
