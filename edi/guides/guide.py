"""The base of every implementation guide: its spec, grammar table and token types, loaded on first use.

Each guide is a small subclass (`edi.guides.claims`, `edi.guides.remit`, `edi.guides.acks`)
that declares its facts once as class attributes, as a dialect does in sqlglot: the claim
and line loops, the service-line segment and the element positions other packages read.
The defaults here are the neutral answers of a guide that has no such thing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from edi.x12.lalr import UNPLACED, Table, compile_table
from edi.x12.segment import Segment


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

    id: str = ""

    version: ClassVar[str] = ""
    """The version label of GS08/ST03 (``005010X222A1``)."""
    aliases: ClassVar[tuple[str, ...]] = ()
    """Errata and older labels read with this guide, with a warning."""
    st01: ClassVar[str] = ""
    functional_id: ClassVar[str] = ""
    """GS01 of a group of these sets, as the 999's AK101 names it."""
    unit_loops: ClassVar[tuple[str, ...]] = ()
    """Loops that repeat without bound, read one at a time and handed out when complete."""
    claim_loop: ClassVar[str | None] = None
    """The loop whose trigger (CLM01, CLP01) names the claim."""
    line_loop: ClassVar[str | None] = None
    service_segment: ClassVar[str] = ""
    """The service-line segment (SV1, SV2, SV3, SVC); the positions below are its elements."""
    # Element positions in the service-line segment, 1-based; 0 where the guide has no such element.
    procedure: ClassVar[int] = 0
    """The procedure composite (qualifier, code, modifiers 1-4 as components 3-6)."""
    submitted_procedure: ClassVar[int] = 0
    """The procedure as submitted, when the payer adjudicated another (SVC06)."""
    charge: ClassVar[int] = 0
    units: ClassVar[int] = 0
    unit_type: ClassVar[int] = 0
    pointers: ClassVar[int] = 0
    """The diagnosis code pointer composite."""
    place_of_service: ClassVar[int] = 0
    revenue_code: ClassVar[int] = 0
    max_diagnoses: ClassVar[int] = 0
    """How many diagnosis codes a claim may carry (0: no such limit)."""
    adjustment_groups: ClassVar[frozenset[str]] = frozenset()
    """CAS01 group codes the guide allows."""
    usage_overrides: ClassVar[Mapping[tuple[str, str], str]] = {}
    """Corrections to the spec's usage, from the TR3: (loop, segment ID) or (segment ID, element) -> usage."""
    code_additions: ClassVar[Mapping[tuple[str, str], tuple[str, ...]]] = {}
    """Codes the TR3 defines that the spec's lists leave out: (segment ID, element) -> codes."""

    @cached_property
    def spec(self) -> dict[str, Any]:
        """The guide's loops, segments and elements, generated from the guide maps."""
        data: dict[str, Any] = json.loads(_data_file(f"{self.id}.json"))
        return data

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
        kind = plain.get(seg_id)  # segments whose type needs no qualifier: most of them
        if kind is not None:
            return kind
        where = self.qualifiers.get(seg_id)
        if where is None:
            kind = plain[seg_id] = seg_id if seg_id in self.terminals else UNPLACED
            return kind
        code = segment.get(where[0], where[1]) if where[1] is not None else segment.get(where[0])
        kind = qualified.get((seg_id, code))
        if kind is None:
            name = f"{seg_id}_{_safe(code)}"
            kind = qualified[(seg_id, code)] = name if name in self.terminals else UNPLACED
        return kind

    def tokens(self, segments: Iterable[Segment]) -> Iterator[tuple[str, Segment]]:
        """Type each segment for the grammar, kept on it as its ``token``; one the guide does not know is unplaced."""
        token, (plain, qualified), qualifiers = self.token, self._known, self.qualifiers
        for segment in segments:
            seg_id = segment.id
            kind = plain.get(seg_id)  # most types are known by the ID alone, the rest mostly by a code seen before
            if kind is None:
                where = qualifiers.get(seg_id)
                if where is not None:
                    kind = qualified.get((seg_id, segment.get(*where)))
                if kind is None:
                    kind = token(segment)
            segment.token = kind
            if kind == UNPLACED:
                segment.unplaced = True
            yield kind, segment

    @cached_property
    def unit_rules(self) -> frozenset[str]:
        """The grammar rules of the loops handed out one at a time when a file is streamed."""
        return frozenset(rule_name(loop_id) for loop_id in self.unit_loops)

    def trigger_loop(self, segment: Segment) -> str:
        """The loop a segment opens (``HL*..*..*22`` -> ``2000B``), or its own ID when it opens none."""
        token = segment.token or self.token(segment)
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
