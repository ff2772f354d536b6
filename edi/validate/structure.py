"""SNIP 2: the guide's structure and usage: placement, required and repeated segments and loops, codes, syntax notes.

Each guide's spec is compiled once into a tree of `LoopSpec` (cached by guide ID), which
is walked in step with a transaction's loop tree, so every check is linear in its segments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from edi.guides.registry import Guide, guide_by_id
from edi.validate.context import Context, rule
from edi.validate.fastpath import SegmentCheck, compile_check
from edi.validate.issue import Issue, Severity
from edi.x12.lalr import UNPLACED, Detached, Loop
from edi.x12.segment import Delimiters, Segment

SYNTAX_NOTE = re.compile(r"([PRCEL])((?:\d\d)+)$")
REF_NUMBER = re.compile(r"(\d\d)(?:-(\d+))?$")
USAGE_RULES = {
    "1": "snip2.element_required",
    "I10": "snip2.element_not_used",
    "7": "snip2.element_code",
    "I12": "snip2.element_pattern",
}
# External lists that SNIP 5 rules check (edi/validate/codes.py), so SNIP 2 leaves them alone.
SNIP5_LISTS = frozenset({"pos", "states"})


@dataclass(slots=True, frozen=True)
class ElementSpec:
    """One element (or component) of a segment as the guide defines it."""

    ref: str
    name: str
    index: int
    component: int | None
    usage: str
    data_ele: str
    type: str
    min: int
    max: int
    codes: frozenset[str] | None
    external: str | None
    regex: re.Pattern[str] | None
    components: tuple[ElementSpec, ...] = ()
    repeat: int | None = 1  # how often the element may occur, split by the repetition separator (None: no limit)

    def repetitions(self, value: str, delimiters: Delimiters) -> list[str]:
        """``value`` split into its repetitions when the element may repeat; otherwise ``[value]``."""
        mark = delimiters.repetition
        return value.split(mark) if self.repeat != 1 and mark and mark in value else [value]


@dataclass(slots=True, frozen=True)
class SegmentSpec:
    """One segment entry of a loop: usage, repeat, position and elements."""

    id: str
    name: str
    usage: str
    max_use: int | None
    pos: int
    syntax: tuple[tuple[str, tuple[int, ...]], ...]
    elements: tuple[ElementSpec, ...]
    required: tuple[ElementSpec, ...] = ()
    periods: tuple[tuple[ElementSpec, ElementSpec], ...] = ()


@dataclass(slots=True)
class LoopSpec:
    """One loop of the guide: its segment entries and child loops, indexed for matching."""

    id: str
    name: str
    usage: str
    repeat: int | None
    segments: list[SegmentSpec] = field(default_factory=list)
    loops: dict[str, LoopSpec] = field(default_factory=dict)
    by_token: dict[str, list[SegmentSpec]] = field(default_factory=dict)
    by_id: dict[str, list[SegmentSpec]] = field(default_factory=dict)
    required: list[SegmentSpec] = field(default_factory=list)
    required_loops: list[LoopSpec] = field(default_factory=list)
    candidates: dict[str, list[SegmentSpec]] = field(default_factory=dict)  # token type -> its entries

    def match(self, guide: Guide, segment: Segment) -> SegmentSpec | None:
        """The spec entry for ``segment``: by its qualified token, else by its ID; ties go to the first code match."""
        token = segment.token or guide.token(segment)
        found = self.candidates.get(token)
        if found is None:
            found = self.by_token.get(token) or self.by_id.get(segment.id) or []
            if token != UNPLACED:  # the one token that does not tell the segment ID
                self.candidates[token] = found
        if not found:
            return None
        if len(found) > 1:
            return min(found, key=lambda entry: _code_misses(entry, segment))
        return found[0]


def _code_misses(entry: SegmentSpec, segment: Segment) -> int:
    """How many coded elements of ``segment`` hold a value outside ``entry``'s code lists."""
    misses = 0
    for element in entry.elements:
        head = element.components[0] if element.components else element
        value = element.repetitions(segment.get(element.index), segment.delimiters)[0]
        value = value.split(segment.delimiters.component)[0] if element.components else value
        if value and head.codes is not None and value not in head.codes:
            misses += 1
    return misses


@dataclass(slots=True, frozen=True)
class GuideSpec:
    """A guide's compiled spec: the root loop and every segment ID it knows."""

    root: LoopSpec
    segment_ids: frozenset[str]


def element_ref(ref: str) -> str:
    """The report form of a spec reference: ``SV101-01`` becomes ``SV101-1``."""
    base, _, component = ref.partition("-")
    return f"{base}-{int(component)}" if component else base


def _element(raw: dict[str, Any], index: int, component: int | None, where: tuple[str, str]) -> ElementSpec:
    numbered = REF_NUMBER.search(raw.get("ref") or "")
    if numbered:
        index = int(numbered.group(1))
        component = int(numbered.group(2)) if numbered.group(2) else component
    regex = raw.get("regex")
    ref = raw.get("ref") or (f"{where[1]}{index:02d}" + (f"-{component}" if component else ""))
    codes = raw.get("codes")
    if codes:
        codes = [*codes, *guide_by_id(where[0]).code_additions.get((where[1], ref), ())]
    return ElementSpec(
        ref=element_ref(ref),
        name=raw.get("name", ""),
        index=index,
        component=component,
        usage=guide_by_id(where[0]).usage_overrides.get((where[1], raw.get("ref", "")), raw.get("usage", "S")),
        data_ele=raw.get("data_ele", ""),
        type=raw.get("type", ""),
        min=raw.get("min") or 0,
        max=raw.get("max") or 0,
        codes=frozenset(codes) if codes else None,
        external=raw.get("external"),
        regex=re.compile(regex) if regex else None,
        components=tuple(_element(c, index, n, where) for n, c in enumerate(raw.get("components", []), 1)),
        repeat=raw.get("repeat", 1),
    )


def date_periods(elements: tuple[ElementSpec, ...]) -> tuple[tuple[ElementSpec, ElementSpec], ...]:
    """(format qualifier, value) pairs: an element or component of data element 1250 (D8, RD8, DT, TM ...)
    followed by one of 1251, as DTP02/DTP03, DMG01/DMG02, PAT05/PAT06 and HI0x-3/HI0x-4."""
    pairs: list[tuple[ElementSpec, ElementSpec]] = []
    for run in (elements, *(e.components for e in elements if e.components)):
        pairs += [(a, b) for a, b in pairwise(run) if a.data_ele == "1250" and b.data_ele == "1251"]
    return tuple(pairs)


def _syntax(notes: list[str]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    out = []
    for note in notes:
        found = SYNTAX_NOTE.match(note)
        if found:
            digits = found.group(2)
            out.append((found.group(1), tuple(int(digits[i : i + 2]) for i in range(0, len(digits), 2))))
    return tuple(out)


def _loop(raw: dict[str, Any], loop_id: str, ids: set[str], guide_id: str) -> LoopSpec:
    spec = LoopSpec(loop_id, raw.get("name", ""), raw.get("usage", "S"), raw.get("repeat"))
    for item in raw["items"]:
        if "items" in item:
            child = spec.loops.setdefault(item["id"], _loop(item, item["id"], ids, guide_id))
            if child.usage == "R" and child.segments and all(c is not child for c in spec.required_loops):
                spec.required_loops.append(child)
            continue
        elements = tuple(_element(e, n, None, (guide_id, item["id"])) for n, e in enumerate(item["elements"], 1))
        segment = SegmentSpec(
            id=item["id"],
            name=item.get("name", ""),
            usage=guide_by_id(guide_id).usage_overrides.get((loop_id, item["id"]), item.get("usage", "S")),
            max_use=item.get("max_use"),
            pos=item.get("pos") or 0,
            syntax=_syntax(item.get("syntax", [])),
            elements=elements,
            required=tuple(e for e in elements if e.usage == "R"),
            periods=date_periods(elements),
        )
        ids.add(segment.id)
        spec.segments.append(segment)
        if segment.usage == "R" and segment.id != "SE":
            spec.required.append(segment)
        spec.by_id.setdefault(segment.id, []).append(segment)
        for token in item.get("tokens", []):
            spec.by_token.setdefault(token, []).append(segment)
    return spec


@cache
def guide_spec(guide_id: str) -> GuideSpec:
    """The compiled spec of a guide, built once per guide."""
    ids: set[str] = set()
    root = _loop(guide_by_id(guide_id).spec["transaction"], "ST", ids, guide_id)
    return GuideSpec(root, frozenset(ids))


@cache
def code_lists() -> dict[str, frozenset[str]]:
    """The external code lists of ``codes.json`` (states, pos, country ...)."""
    text = (resources.files("edi.guides") / "data" / "codes.json").read_text(encoding="utf-8")
    return {name: frozenset(codes) for name, codes in json.loads(text).items()}


Placed = tuple[Segment, Loop, LoopSpec | None, SegmentSpec | None]
# A loop with a spec and its shape: for each item, the id of the segment's entry or the child loop's ID.
Shape = tuple[Loop, LoopSpec, list[int | str]]


def effective_codes(spec: ElementSpec) -> frozenset[str] | None:
    """The codes SNIP 2 allows in an element: the guide's list, an external list it names, or both."""
    checked = spec.external is not None and spec.external not in SNIP5_LISTS
    external = code_lists().get(spec.external) if checked and spec.external is not None else None
    if spec.codes is not None and external is not None:
        return spec.codes & external
    return spec.codes if spec.codes is not None else external


@dataclass(slots=True)
class Proof:
    """The compiled clean-segment test of one spec entry (None: no test possible) and the texts known to pass it.

    Texts are remembered while they repeat often enough to pay for it: an entry whose segments differ
    from claim to claim (claim numbers, amounts) stops remembering once `TRIAL` texts have passed.
    """

    check: SegmentCheck | None
    proven: set[str] = field(default_factory=set)  # the elements joined of segments that passed
    remembering: bool = True
    passed: int = 0  # texts that passed the test
    hits: int = 0  # texts found proven


@dataclass(slots=True)
class Proofs:
    """The proofs of every spec entry for one set of delimiters, by id of the entry (entries live as long as
    the process). Files repeat many segments (the same provider, payer, dates and codes claim after claim): a
    repeat needs no second test. At most `MAX_PROVEN` texts are kept: when full, they are all forgotten."""

    delimiters: Delimiters
    by_entry: dict[int, Proof] = field(default_factory=dict)
    count: int = 0

    def proof(self, entry: SegmentSpec) -> Proof:
        """The proof of ``entry``, its test compiled on first use."""
        found = self.by_entry[id(entry)] = Proof(compile_check(entry, self.delimiters, effective_codes))
        return found

    def remember(self, proof: Proof, joined: str) -> None:
        """Keep ``joined`` as a text that passed ``proof``'s test, unless the entry's texts seldom repeat."""
        proof.passed += 1
        if proof.passed == TRIAL and proof.hits * MIN_HIT_SHARE < TRIAL:
            proof.remembering = False
            self.count -= len(proof.proven)
            proof.proven.clear()
            return
        if self.count >= MAX_PROVEN:
            for each in self.by_entry.values():
                each.proven.clear()
            self.count = 0
        proof.proven.add(joined)
        self.count += 1


_proofs: dict[Delimiters, Proofs] = {}
MAX_PROVEN = 20_000
TRIAL = 2_000  # once this many texts of an entry passed, it keeps remembering them only if ...
MIN_HIT_SHARE = 8  # ... repeats found proven were at least this share (1 / 8) of them


@dataclass(slots=True)
class Matches:
    """A transaction set matched to the guide: every segment with its entry, the loop shapes, the suspect segments
    and the segments the grammar left unplaced."""

    placed: list[Placed]
    shapes: list[Shape]
    suspect: list[Placed]
    unplaced: list[tuple[Segment, Loop]] = field(default_factory=list)
    spec: LoopSpec | None = None  # the piece's own

    def entries(self) -> dict[int, SegmentSpec | None]:
        """id of each segment -> its spec entry."""
        return {id(item[0]): item[3] for item in self.placed}


# The matches of the piece validated last: SNIP 1 and SNIP 2 rules share them instead of matching twice.
_last: list[tuple[Loop, Matches]] = []


def piece_spec(ctx: Context) -> LoopSpec | None:
    """The spec of the context's piece, found through the loops holding it (None where the guide has none)."""
    transaction = ctx.transaction
    assert transaction is not None and transaction.guide is not None and ctx.root is not None
    guide = transaction.guide
    spec: LoopSpec | None = guide_spec(guide.id).root
    if ctx.last:
        return spec
    for holder in ctx.path[1:]:
        spec = spec.loops.get(guide.trigger_loop(holder.trigger)) if spec is not None else None
    return spec.loops.get(ctx.root.id) if spec is not None else None


class _Placing:
    """One walk of a piece: each segment placed in its loop's spec, and tested at once for element faults."""

    __slots__ = ("delimiters", "guide", "matched", "proofs")

    def __init__(self, guide: Guide, delimiters: Delimiters, matched: Matches) -> None:
        self.guide = guide
        self.delimiters = delimiters  # the transaction set's: a segment read with others is suspect
        self.proofs = _proofs.get(delimiters) or _proofs.setdefault(delimiters, Proofs(delimiters))
        self.matched = matched

    def loop(self, loop: Loop, spec: LoopSpec | None) -> None:
        """Add every segment below ``loop`` to the matches with its loop, the loop's spec and its entry (None if
        unmatched), to the suspects when its test does not clear it, and every loop that has a spec to the
        shapes, parents before children; the segments the grammar left unplaced to the unplaced."""
        matched = self.matched
        shape: list[int | str] = []
        add = shape.append
        if spec is not None:
            matched.shapes.append((loop, spec, shape))
        candidates = spec.candidates if spec is not None else None
        out = matched.placed.append
        proofs = self.proofs
        by_entry = proofs.by_entry
        delimiters = self.delimiters
        for item in loop.items:
            kind = type(item)
            if kind is Detached:
                add(id(item))  # checked as a piece of its own: its repeat was counted then
                continue
            if kind is not Segment:
                assert isinstance(item, Loop)
                add(item.id)
                self.loop(item, spec.loops.get(item.id) if spec is not None else None)
                continue
            assert isinstance(item, Segment)
            entry = None
            if item.unplaced:
                matched.unplaced.append((item, loop))
            elif candidates is not None:
                assert spec is not None
                # The common case of LoopSpec.match inline: one candidate for the token the reader gave the segment.
                found = candidates.get(item.token)
                entry = found[0] if found is not None and len(found) == 1 else spec.match(self.guide, item)
            placed = (item, loop, spec, entry)
            out(placed)
            add(id(entry))
            if entry is None:
                continue
            proof = by_entry.get(id(entry)) or proofs.proof(entry)
            check = proof.check
            if check is None or item.delimiters is not delimiters:
                matched.suspect.append(placed)
                continue
            joined = delimiters.element.join(item.elements)
            if proof.remembering:
                if joined in proof.proven:
                    proof.hits += 1
                    continue
                if check.passes(item, joined):
                    proofs.remember(proof, joined)
                    continue
            elif check.passes(item, joined):
                continue
            matched.suspect.append(placed)


def matches(ctx: Context) -> Matches:
    """The matches of the context's piece, computed once for the SNIP 1 and 2 rules."""
    root = ctx.root
    transaction = ctx.transaction
    assert root is not None and transaction is not None
    if _last and _last[0][0] is root:
        return _last[0][1]
    guide = transaction.guide
    result = Matches([], [], [])
    if guide is not None:
        result.spec = piece_spec(ctx)
        _Placing(guide, transaction.st.delimiters, result).loop(root, result.spec)
    _last[:] = [(root, result)]
    return result


def element_issue(
    ctx: Context,
    severity: Severity,
    snip: int,
    rule_id: str,
    message: str,
    segment: Segment,
    loop: Loop,
    element: str,
    code: str,
    data_element: str | None = None,
) -> Issue:
    """A finding on one element of a segment: 999 IK304 8 (segment has data element errors) and IK403 ``code``."""
    return ctx.issue(
        severity,
        snip,
        rule_id,
        message,
        segment,
        loop,
        element,
        segment_error="8",
        element_error=code,
        data_element=data_element,
    )


def transaction_segments(ctx: Context) -> list[Placed]:
    """The matched segments of the context's transaction that may have element faults (nothing without a guide)."""
    if ctx.transaction is None or ctx.transaction.guide is None:
        return []
    return matches(ctx).suspect


@rule(2)
def unplaced_segments(ctx: Context) -> Iterator[Issue]:
    """A segment the guide does not place where it stands (or does not know at all)."""
    transaction = ctx.transaction
    if transaction is None or transaction.guide is None:
        return
    known = guide_spec(transaction.guide.id).segment_ids
    for segment, loop in matches(ctx).unplaced:
        if segment.id in known:
            message = f"segment {segment.id} is not expected here by the {transaction.guide.id} guide (loop {loop.id})"
            yield ctx.issue("error", 2, "snip2.unexpected_segment", message, segment, loop, segment_error="2")
        else:
            message = f"segment ID {segment.id} is not used by the {transaction.guide.id} guide"
            yield ctx.issue("error", 2, "snip2.unknown_segment", message, segment, loop, segment_error="1")


# Loop shapes (spec, entries and child loops in order) known to pass the count, order and required checks.
_sound_shapes: set[tuple[int, tuple[int | str, ...]]] = set()
MAX_SOUND_SHAPES = 100_000


def _missing(ctx: Context, loop: Loop, seg_id: str, message: str, code: str) -> Issue:
    issue = ctx.issue("error", 2, "snip2.required_missing", message, loop.trigger, loop, segment_error=code)
    return replace(issue, segment_id=seg_id, segment_text=None)


@rule(2)
def loop_structure(ctx: Context) -> Iterator[Issue]:
    """Required segments and loops present, loop repeats and segment uses within limits, segments in order."""
    transaction = ctx.transaction
    if transaction is None or transaction.guide is None:
        return
    if not ctx.last:
        yield from _piece_repeat(ctx)
    found = matches(ctx)
    entries: dict[int, SegmentSpec | None] | None = None
    for loop, spec, shape in found.shapes:
        key = (id(spec), tuple(shape))
        if key in _sound_shapes:
            continue
        if entries is None:
            entries = found.entries()
        issues = [*_segment_counts(ctx, entries, loop, spec), *_loop_counts(ctx, loop, spec)]
        if issues:
            yield from issues
        elif len(_sound_shapes) < MAX_SOUND_SHAPES:
            _sound_shapes.add(key)


def _segment_counts(
    ctx: Context, entries: dict[int, SegmentSpec | None], loop: Loop, spec: LoopSpec
) -> Iterator[Issue]:
    uses: dict[int, int] = {}
    highest = 0
    for segment in loop.items:
        if not isinstance(segment, Segment):
            highest = 0  # segments after child loops belong to the trailer table, numbered afresh
            continue
        entry = entries.get(id(segment))
        if entry is None:
            continue
        count = uses[id(entry)] = uses.get(id(entry), 0) + 1
        if entry.max_use is not None and count == entry.max_use + 1:
            message = f"{segment.id} ({entry.name}) is used more than {entry.max_use} time(s) in loop {loop.id}"
            yield ctx.issue("error", 2, "snip2.segment_max_use", message, segment, loop, segment_error="5")
        if entry.pos and entry.pos < highest and segment.id != "SE":
            message = f"{segment.id} ({entry.name}) is out of order in loop {loop.id}"
            yield ctx.issue("error", 2, "snip2.segment_order", message, segment, loop, segment_error="7")
        highest = max(highest, entry.pos)
    for entry in spec.required:
        if id(entry) not in uses:
            message = f"required segment {entry.id} ({entry.name}) is missing in loop {loop.id}"
            yield _missing(ctx, loop, entry.id, message, "3")


def _piece_repeat(ctx: Context) -> Iterator[Issue]:
    """Count the piece among the loops of its ID in the loop holding it: one too many is a finding."""
    piece = ctx.root
    assert piece is not None
    counts: dict[int, dict[str, int]] = ctx.state.setdefault("loop_repeat", {})  # open loop's trigger -> counts
    counts.pop(id(piece.trigger), None)  # the piece's own children were counted as they came
    mine = counts.setdefault(id(ctx.path[-1].trigger), {})
    count = mine[piece.id] = mine.get(piece.id, 0) + 1
    spec = matches(ctx).spec
    if spec is not None and spec.repeat is not None and count == spec.repeat + 1:
        message = f"loop {piece.id} ({spec.name}) repeats more than {spec.repeat} time(s)"
        yield ctx.issue("error", 2, "snip2.loop_repeat", message, piece.trigger, piece, segment_error="4")


def _loop_counts(ctx: Context, loop: Loop, spec: LoopSpec) -> Iterator[Issue]:
    counts: dict[str, int] = {}
    for child in loop.items:
        if isinstance(child, Segment):
            continue
        count = counts[child.id] = counts.get(child.id, 0) + 1
        if type(child) is Detached:
            continue  # counted when it was checked as a piece
        child_spec = spec.loops.get(child.id)
        if child_spec is not None and child_spec.repeat is not None and count == child_spec.repeat + 1:
            message = f"loop {child.id} ({child_spec.name}) repeats more than {child_spec.repeat} time(s)"
            yield ctx.issue("error", 2, "snip2.loop_repeat", message, child.trigger, child, segment_error="4")
    for child_spec in spec.required_loops:
        if child_spec.id not in counts:
            trigger = child_spec.segments[0].id
            message = f"required loop {child_spec.id} ({child_spec.name}) is missing in loop {loop.id}"
            yield _missing(ctx, loop, trigger, message, "I6")


def _code_problem(spec: ElementSpec, value: str) -> str | None:
    if spec.codes is not None and value not in spec.codes:
        shown = ", ".join(sorted(spec.codes)[:8]) + (" ..." if len(spec.codes) > 8 else "")
        return f"{spec.ref} ({spec.name}) code {value!r} is not allowed here; expected one of {shown}"
    if spec.external is not None and spec.external not in SNIP5_LISTS:
        codes = code_lists().get(spec.external)
        if codes is not None and value not in codes:
            return f"{spec.ref} ({spec.name}) code {value!r} is not in the {spec.external} code list"
    return None


def _usage_problem(spec: ElementSpec, value: str) -> tuple[ElementSpec, str, str] | None:
    """For an empty or unused element or component: a required one missing or an unused one present, if so."""
    noun = "component" if spec.component else "element"
    if not value:
        return (spec, "1", f"required {noun} {spec.ref} ({spec.name}) is missing") if spec.usage == "R" else None
    unused = "is not used but is present" if spec.component else "is not used by the guide but is present"
    return spec, "I10", f"{noun} {spec.ref} ({spec.name}) {unused}"


def element_usage_problems(segment: Segment, spec: SegmentSpec) -> Iterator[tuple[ElementSpec, str, str]]:
    """(element, IK403 code, message) for required elements missing, unused ones present and bad codes."""
    elements = segment.elements
    count = len(elements)
    for element in spec.required:
        if element.index > count and (missing := _usage_problem(element, "")):
            yield missing
    for element in spec.elements:
        if element.index > count:
            break
        value = elements[element.index - 1]
        if not value or element.usage == "N":
            if usage := _usage_problem(element, value):
                yield usage
            continue
        if element.components:
            for one in element.repetitions(value, segment.delimiters):
                yield from _component_usage_problems(element, one.split(segment.delimiters.component))
            continue
        problem = _code_problem(element, value)
        if problem:
            yield element, "7", problem
        elif element.regex is not None and not element.regex.fullmatch(value):
            yield element, "I12", f"{element.ref} ({element.name}) {value!r} does not match the guide's pattern"


def _component_usage_problems(element: ElementSpec, parts: list[str]) -> Iterator[tuple[ElementSpec, str, str]]:
    for part_spec in element.components:
        part = parts[part_spec.component - 1] if part_spec.component and part_spec.component <= len(parts) else ""
        if not part or part_spec.usage == "N":
            if usage := _usage_problem(part_spec, part):
                yield usage
            continue
        problem = _code_problem(part_spec, part)
        if problem:
            yield part_spec, "7", problem


def syntax_problems(segment: Segment, spec: SegmentSpec) -> Iterator[tuple[int, str, str]]:
    """(element index, IK403 code, message) for broken syntax notes (P, R, C, E, L)."""
    for kind, indexes in spec.syntax:
        present = [bool(segment.get(i)) for i in indexes]
        if kind == "P" and any(present) and not all(present):
            yield indexes[present.index(False)], "2", f"{_names(segment, indexes)} must be used together"
        elif kind == "R" and not any(present):
            yield indexes[0], "2", f"at least one of {_names(segment, indexes)} is required"
        elif kind == "C" and present[0] and not all(present[1:]):
            missing = indexes[1:][present[1:].index(False)]
            yield (
                missing,
                "2",
                f"when {segment.id}{indexes[0]:02d} is used, {_names(segment, indexes)} are all required",
            )
        elif kind == "E" and sum(present) > 1:
            second = [i for i, p in zip(indexes, present, strict=True) if p][1]
            yield second, "10", f"only one of {_names(segment, indexes)} may be used"
        elif kind == "L" and present[0] and not any(present[1:]):
            yield (
                indexes[1],
                "2",
                f"when {segment.id}{indexes[0]:02d} is used, one of {_names(segment, indexes)} is required",
            )


def _names(segment: Segment, indexes: tuple[int, ...]) -> str:
    return ", ".join(f"{segment.id}{i:02d}" for i in indexes)


@rule(2)
def element_usage(ctx: Context) -> Iterator[Issue]:
    """Required elements present, unused ones absent, codes from the guide's and external lists, syntax notes."""
    transaction = ctx.transaction
    if transaction is None or transaction.guide is None:
        return
    # A transaction read with a neighbouring guide (an errata label) gets warnings, not errors, for usage and codes.
    severity: Severity = "error" if transaction.version == transaction.guide.version else "warning"
    for segment, loop, _, spec in transaction_segments(ctx):
        if spec is None:
            continue
        for element, code, message in element_usage_problems(segment, spec):
            yield element_issue(
                ctx,
                "warning" if code == "I12" else severity,
                2,
                USAGE_RULES[code],
                message,
                segment,
                loop,
                element.ref,
                code,
                element.data_ele,
            )
        for index, code, message in syntax_problems(segment, spec):
            data_ele = spec.elements[index - 1].data_ele if index <= len(spec.elements) else None
            ref = f"{segment.id}{index:02d}"
            yield element_issue(ctx, "error", 2, "snip2.syntax_note", message, segment, loop, ref, code, data_ele)
