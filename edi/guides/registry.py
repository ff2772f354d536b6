"""The registry of implementation guides, keyed by version (GS08/ST03) and ST01.

A guide bundles its Lark grammar, the table that types segments into tokens, and the
segment and element rules the validator uses. Everything is loaded on first use.
Errata and older labels read with the nearest guide and say so in a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from edi.x12.lalr import UNPLACED, Table, compile_table
from edi.x12.segment import Segment

VERSIONS: dict[str, str] = {
    "005010X222A1": "837P",
    "005010X223A2": "837I",
    "005010X224A2": "837D",
    "005010X221A1": "835",
    "005010X231A1": "999",
    "005010X214": "277CA",
}
# Labels that read with the nearest guide, with a warning.
ALIASES: dict[str, str] = {
    "005010X222": "837P",
    "005010X222A2": "837P",
    "005010X223": "837I",
    "005010X223A1": "837I",
    "005010X223A3": "837I",
    "005010X224": "837D",
    "005010X224A1": "837D",
    "005010X224A3": "837D",
    "005010X221": "835",
    "005010X231": "999",
}
BY_ST01 = {"835": "835", "999": "999"}
# Loops that repeat without bound in a transaction set: read one at a time and handed out
# when complete (the claim and the levels that hold claims), so memory stays bounded by one.
UNIT_LOOPS: dict[str, tuple[str, ...]] = {
    "837P": ("2000A", "2000B", "2000C", "2300"),
    "837I": ("2000A", "2000B", "2000C", "2300"),
    "837D": ("2000A", "2000B", "2000C", "2300"),
    "835": ("2000", "2100"),
    "999": ("2000",),
}


def _data_file(name: str) -> str:
    return (resources.files("edi.guides") / "data" / name).read_text(encoding="utf-8")


def grammar_text(name: str) -> str:
    """The text of ``grammars/<name>.lark``: from the installed package, or the source tree."""
    packaged = resources.files("edi") / "grammars" / f"{name}.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source = Path(__file__).resolve().parents[2] / "grammars" / f"{name}.lark"
    return source.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Guide:
    """One implementation guide (837P, 837I, 837D, 835, 999, 277CA)."""

    id: str

    @cached_property
    def spec(self) -> dict[str, Any]:
        """The guide's loops, segments and elements, generated from the guide maps."""
        data: dict[str, Any] = json.loads(_data_file(f"{self.id}.json"))
        return data

    @property
    def version(self) -> str:
        """The guide's version label, as in GS08/ST03."""
        return str(self.spec["version"])

    @property
    def title(self) -> str:
        return str(self.spec["title"])

    @cached_property
    def table(self) -> Table:
        """The compiled LALR table of the guide's grammar."""
        return compile_table(grammar_text(self.id))

    @cached_property
    def terminals(self) -> frozenset[str]:
        """Every token type the grammar declares."""
        declared = re.search(r"^%declare (.*)$", grammar_text(self.id), re.M)
        return frozenset(declared.group(1).split()) if declared else frozenset()

    @cached_property
    def qualifiers(self) -> dict[str, tuple[int, int | None]]:
        """Segment ID -> (element, component) whose code types the token (both 1-based)."""
        out: dict[str, tuple[int, int | None]] = {}
        for seg_id, (index, comp) in self.spec["qualifiers"].items():
            out[seg_id] = (index + 1, None if comp is None else comp + 1)
        return out

    def token(self, segment: Segment) -> str:
        """The token type of ``segment`` in this guide's grammar: UNPLACED when the guide has no place for it."""
        seg_id = segment.id
        plain, qualified = self._known
        where = self.qualifiers.get(seg_id)
        if where is None:
            kind = plain.get(seg_id)
            if kind is None:
                kind = plain[seg_id] = seg_id if seg_id in self.terminals else UNPLACED
            return kind
        code = segment.get(where[0], where[1]) if where[1] is not None else segment.get(where[0])
        kind = qualified.get((seg_id, code))
        if kind is None:
            name = f"{seg_id}_{_safe(code)}"
            kind = qualified[(seg_id, code)] = name if name in self.terminals else UNPLACED
        return kind

    def tokens(self, segments: Iterable[Segment]) -> Iterator[tuple[str, Segment]]:
        """Type each segment for the grammar; a segment the guide does not know is marked unplaced."""
        token = self.token
        for segment in segments:
            kind = token(segment)
            if kind == UNPLACED:
                segment.unplaced = True
            yield kind, segment

    @cached_property
    def unit_rules(self) -> frozenset[str]:
        """The grammar rules of the loops handed out one at a time when a file is streamed."""
        return frozenset(rule_name(loop_id) for loop_id in UNIT_LOOPS.get(self.id, ()))

    def trigger_loop(self, segment: Segment) -> str:
        """The loop a segment opens (``HL*..*..*22`` -> ``2000B``), or its own ID when it opens none."""
        token = self.token(segment)
        return self._trigger_loops.get(token, token)

    @cached_property
    def _trigger_loops(self) -> dict[str, str]:
        """Token type -> the loop it opens, from the grammar's rules (``loop_2000b: HL_22 ...``)."""
        found: dict[str, str] = {}
        for rule, token in re.findall(r"^(loop_\w+): (\w+)", grammar_text(self.id), re.M):
            found.setdefault(token, self.rule_loops.get(rule, rule))
        return found

    @cached_property
    def rule_loops(self) -> dict[str, str]:
        """Grammar rule name -> loop ID (``loop_2010aa`` -> ``2010AA``)."""
        return {rule_name(loop_id): loop_id for loop_id in self.loops}

    @cached_property
    def _known(self) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
        """Token types already worked out: by segment ID, and by (segment ID, qualifier code)."""
        return {}, {}

    @cached_property
    def loops(self) -> dict[str, dict[str, Any]]:
        """Loop ID -> the loop's spec (name, usage, repeat, items)."""
        found: dict[str, dict[str, Any]] = {}

        def visit(loop: dict[str, Any]) -> None:
            for item in loop["items"]:
                if "items" in item:
                    found.setdefault(item["id"], item)
                    visit(item)

        visit(self.spec["transaction"])
        return found

    def loop_name(self, loop_id: str) -> str:
        """The guide's name for a loop ('Claim Information')."""
        spec = self.loops.get(loop_id)
        return str(spec["name"]) if spec else ("Transaction Set" if loop_id == "ST" else loop_id)


def rule_name(loop_id: str) -> str:
    """The grammar rule of a loop: ``2010AA`` -> ``loop_2010aa``."""
    return "loop_" + re.sub(r"[^a-z0-9]", "_", loop_id.lower())


def _safe(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", lambda m: f"_{ord(m.group()):02X}", code.upper())


@cache
def guide_by_id(guide_id: str) -> Guide:
    """The guide with this ID (837P, 837I, 837D, 835, 999, 277CA)."""
    return Guide(guide_id)


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
        if guide.spec["st01"] == st01:
            return guide, None
    if version in ALIASES and guide_by_id(ALIASES[version]).spec["st01"] == st01:
        target = guide_by_id(ALIASES[version])
        return target, f"version {version} is read with the {target.id} guide {target.version}"
    if version and not version.startswith("005010"):
        return None, f"no guide for {st01} version {version}: its segments are kept in order, unchecked"
    if st01 in BY_ST01:
        target = guide_by_id(BY_ST01[st01])
        return target, f"no usable version ({version or 'none'}); read with the {target.id} guide {target.version}"
    if st01 == "837":
        ids = set(segment_ids())
        guide_id = "837I" if "SV2" in ids else "837D" if "SV3" in ids else "837P"
        target = guide_by_id(guide_id)
        return target, f"no usable version ({version or 'none'}); read as {guide_id} {target.version} from its lines"
    return None, f"no guide for transaction set {st01} {version}: its segments are kept in order, unchecked"
