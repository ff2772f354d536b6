"""Implementation guides: grammar, token table, segment and element rules, picked by version."""

from edi.guides.registry import Guide, guide_by_id, resolve_guide

__all__ = ["Guide", "guide_by_id", "resolve_guide"]
