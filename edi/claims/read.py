"""An 837 loop tree to claims JSON: named fields where the JSON has names, structure for the rest."""

from __future__ import annotations

from functools import cache
from typing import Any

from edi.claims import FORMAT
from edi.claims.codelists import code_lists_by_qualifier, read_code_list
from edi.claims.levels import hl_levels
from edi.claims.maps import ROLES, UNIT_TRIGGERS, Child, LoopKind, loop_kind, trigger_key
from edi.claims.maps import ROOT as ROOT_KIND
from edi.claims.order import source_order
from edi.claims.segments import date_value, diagnosis_segments
from edi.convert.structure import segment_json
from edi.errors import InputError, Location, ReadError
from edi.fields import OTHER, read_fields
from edi.guides import CLAIM_GUIDES, claim_guide
from edi.guides.registry import Guide, guide_by_id
from edi.kinds import iso_date, iso_time
from edi.x12.document import Document, Group, Interchange, Transaction
from edi.x12.lalr import Detached, Loop
from edi.x12.segment import Segment
from edi.x12.values import UnsafeValue


class Spliced:
    """Stands for a list of loops that a streaming read writes on its own (see `edi.claims.stream`)."""


SPLICED = Spliced()
# Present-on-admission indicators the 5010 guides allow in HI0x-9.
POA_VALUES = frozenset({"Y", "N", "U", "W"})


def read_claims(document: Document) -> dict[str, Any]:
    """Claims JSON for every 837 in ``document``: one object, or a ``batch`` when there are several."""
    found = [transaction_claims(i, g, t, document.file) for i, g, t in document.transactions()]
    if not found:
        raise InputError("no 837 transaction set in the file", file=document.file)
    if len(found) == 1:
        return found[0]
    for entry in found:
        del entry["format"]
    return {"format": FORMAT, "batch": found}


def claims_guide(guide: Guide | None, st: Segment, version: str, file: str = "") -> Guide:
    """The guide of an 837 claim transaction set; an error for a set of any other kind."""
    if guide is None or guide.id not in CLAIM_GUIDES:
        name = guide.id if guide else f"ST01 {st.get(1)!r} version {version or st.get(3)!r}"
        raise ReadError(
            f"transaction set {st.get(2)} is {name}, not an 837 claim (837P, 837I or 837D)",
            Location(file=file, position=1, line=st.line, segment=st.text()),
            "an 837P, 837I or 837D transaction set of version 005010",
        )
    return guide


def transaction_claims(
    interchange: Interchange, group: Group, transaction: Transaction, file: str = ""
) -> dict[str, Any]:
    """Claims JSON for one 837 transaction set (``file`` names it in errors)."""
    guide = claims_guide(transaction.guide, transaction.st, transaction.version, file)
    body = read_loop(transaction.root, ROOT_KIND, guide.id)
    out: dict[str, Any] = {"format": FORMAT}
    if interchange.isa is not None:
        out["interchange"] = _interchange(interchange.isa, interchange)
    if group.gs is not None:
        out["group"] = _group(group.gs)
    out["transaction"] = {"type": guide.id, **body.pop("transaction")}
    out.update(body)
    return out


def _interchange(isa: Segment, interchange: Interchange) -> dict[str, Any]:
    d = interchange.delimiters
    out: dict[str, Any] = {}
    if isa.get(1) != "00" or isa.get(2).strip():
        out.update(authorization_qualifier=isa.get(1), authorization=isa.get(2).strip())
    if isa.get(3) != "00" or isa.get(4).strip():
        out.update(security_qualifier=isa.get(3), security=isa.get(4).strip())
    out |= {
        "sender_qualifier": isa.get(5),
        "sender_id": isa.get(6).strip(),
        "receiver_qualifier": isa.get(7),
        "receiver_id": isa.get(8).strip(),
    }
    if isa.get(13).strip().isdigit():
        out["control_number"] = int(isa.get(13))
    out["usage"] = isa.get(15)
    try:
        out["date"] = iso_date("20" + isa.get(9))
        out["time"] = iso_time(isa.get(10))
    except ValueError:
        pass
    out["acknowledgment_requested"] = isa.get(14) == "1"
    out["delimiters"] = d.element + d.component + (d.repetition or "") + d.segment
    return out


def _group(gs: Segment) -> dict[str, Any]:
    out: dict[str, Any] = {"sender": gs.get(2), "receiver": gs.get(3)}
    if gs.get(6).isdigit():
        out["control_number"] = int(gs.get(6))
    clock = gs.get(5)
    try:
        out["date"] = iso_date(gs.get(4))
        out["time"] = iso_time(clock[:6]) + (f".{clock[6:]}" if clock[6:].isdigit() else "")
    except ValueError:
        pass
    return out


class _LoopReader:
    """Reads one loop into its object."""

    def __init__(self, kind: LoopKind, guide: str) -> None:
        self.kind = kind
        self.guide = guide
        self.obj: dict[str, Any] = {}
        self.extras: list[dict[str, Any]] = []
        self.used: set[int] = set()
        self.filled: set[str] = set()
        self.diagnoses: list[Segment] = []
        self.dx_codes = _dx_codes(guide) if kind.diagnoses else frozenset()
        self.lists = code_lists_by_qualifier(guide) if kind.diagnoses else {}
        self.listed: dict[str, list[Segment]] = {}

    def segment(self, segment: Segment, first: bool) -> None:
        """Place one of the loop's own segments: a named field, a date, a diagnosis or an extra segment."""
        kind, seg_id = self.kind, segment.id
        if (first and kind.hl) or (kind is ROOT_KIND and seg_id == "SE"):
            return
        if segment.unplaced:
            self.extras.append(segment_json(segment))
        elif seg_id == "HI" and segment.get(1, 1) in self.dx_codes:
            self.diagnoses.append(segment)
        elif seg_id == "HI" and segment.get(1, 1) in self.lists:
            self.listed.setdefault(self.lists[segment.get(1, 1)].key, []).append(segment)
        elif seg_id != "DTP" or not self._date(segment):
            self._named(segment)

    def _named(self, segment: Segment) -> None:
        own = segment.elements
        count = len(own)
        for smap in self.kind.by_segment.get(segment.id, ()):
            for index, code in smap.match:  # `SegmentMap.matches`, without a call per map or element
                if (own[index - 1] if index <= count else "") != code:
                    break
            else:
                if not smap.many and id(smap) in self.used:
                    continue
                self.used.add(id(smap))
                if smap.many:
                    self.obj.setdefault(smap.key, []).append(read_fields(segment, smap))
                    return
                target = self.obj.setdefault(smap.key, {}) if smap.key else self.obj
                if OTHER in target:
                    merge(target, read_fields(segment, smap))
                else:  # nothing to join: the fields go straight in
                    read_fields(segment, smap, target)
                return
        self.extras.append(segment_json(segment))

    def _date(self, segment: Segment) -> bool:
        qualifier = segment.get(1)
        value = date_value(segment)
        if value is None:
            return False
        if self.kind.service_date and qualifier == "472":
            key = "service_period" if isinstance(value, dict) else "service_date"
            if key in self.obj or ("service_date" if key == "service_period" else "service_period") in self.obj:
                return False
            self.obj[key] = value
            return True
        name = self.kind.dates.get(qualifier)
        if name is None or name in self.obj.get("dates", {}) or (segment.get(2) == "TM") != name.endswith("_hour"):
            return False
        self.obj.setdefault("dates", {})[name] = value
        return True

    def loop(self, loop: Loop) -> None:
        """Place a child loop under its key, or keep it whole in ``extra_loops``.

        A loop handed out by a streaming read (`Detached`) was written already: its list
        keeps its place in the object, holding `SPLICED` for the writer to fill.
        """
        if type(loop) is Detached:
            self.obj.setdefault(self.kind.children[UNIT_TRIGGERS[loop.id]].key, SPLICED)
            return
        key = trigger_key(loop)
        child = self.kind.children.get(key)
        if child is None and self.kind.roles and key[0] == "NM1" and key[1] in ROLES:
            child = Child(self.kind.roles, "role")
        kind = loop_kind(key, self.guide)
        if child is None or kind is None or (not kind.maps[0].matches(loop.trigger) and not kind.hl):
            self.obj.setdefault("extra_loops", []).append(loop_structure(loop))
            return
        data = read_loop(loop, kind, self.guide)
        if child.mode == "many":
            self.obj.setdefault(child.key, []).append(data)
        elif child.mode == "role":
            roles = self.obj.setdefault(child.key, {})
            role = ROLES[key[1]]
            if role in roles:
                held = roles[role]
                roles[role] = [*held, data] if isinstance(held, list) else [held, data]
            else:
                roles[role] = data
        elif child.key in self.filled:
            self.obj.setdefault("extra_loops", []).append(loop_structure(loop))
        else:
            self.filled.add(child.key)
            merge(self.obj.setdefault(child.key, {}), data)

    def finish(self) -> dict[str, Any]:
        """The loop's object, with its diagnoses checked to give back the same HI segments."""
        if self.diagnoses:
            component = self.diagnoses[0].delimiters.component
            found = [_diagnosis(c.split(component)) for s in self.diagnoses for c in s.elements]
            try:
                built = diagnosis_segments(found, self.guide, self.diagnoses[0].delimiters)
            except UnsafeValue:  # a code holding a separator stays in its segment
                built = []
            poa_known = all(d.get("present_on_admission", "Y") in POA_VALUES for d in found)
            if poa_known and [s.text() for s in built] == [s.text() for s in self.diagnoses]:
                self.obj["diagnoses"] = found
            else:
                self.extras.extend(segment_json(s) for s in self.diagnoses)
        for key, segments in self.listed.items():
            value = read_code_list(self.lists[segments[0].get(1, 1)], segments)
            if value is None:
                self.extras.extend(segment_json(s) for s in segments)
            else:
                self.obj[key] = value
        if self.extras:
            self.obj["extra_segments"] = self.extras
        return self.obj


@cache
def _dx_codes(guide: str) -> frozenset[str]:
    """The qualifiers of every class of diagnosis code of ``guide``."""
    return frozenset().union(*claim_guide(guide).diagnosis_classes)


def read_loop(loop: Loop, kind: LoopKind, guide: str) -> dict[str, Any]:
    reader = _LoopReader(kind, guide)
    first = True
    for item in loop.items:
        if type(item) is Segment:
            reader.segment(item, first)
        else:
            reader.loop(item)  # type: ignore[arg-type]
        first = False
    out = reader.finish()
    items = loop.items[1:]
    if kind is ROOT_KIND:
        items = [i for i in items if not (isinstance(i, Segment) and i.id == "SE")]
    order = source_order(guide_by_id(guide), loop.id, items)
    if order is not None:
        out["source_order"] = order
    return out


def _diagnosis(parts: list[str]) -> dict[str, str]:
    out = {"qualifier": parts[0] if parts else "", "code": parts[1] if len(parts) > 1 else ""}
    if len(parts) > 8 and parts[8]:
        out["present_on_admission"] = parts[8]
    return out


def merge(target: dict[str, Any], values: dict[str, Any]) -> None:
    """Add ``values`` to ``target``, joining their ``other_elements``."""
    if OTHER not in values:
        target.update(values)
        return
    for key, value in values.items():
        if key == OTHER:
            target.setdefault(OTHER, {}).update(value)
        else:
            target[key] = value


def loop_structure(loop: Loop) -> dict[str, Any]:
    """A loop the claims JSON has no names for, in the structural JSON shape."""
    return {
        "loop": loop.id,
        "items": [segment_json(i) if isinstance(i, Segment) else loop_structure(i) for i in loop.items],
    }


def renumbered(transaction: Transaction) -> list[str]:
    """Where building from the claims JSON will correct this transaction set: HL numbering and the SE01 count."""
    notes: list[str] = []
    for trigger, expected in hl_levels(transaction.root):
        if trigger.elements != expected:
            notes.append(f"segment {trigger.position} {trigger.text()!r} is built as HL*{'*'.join(expected)}")
    count = str(sum(1 for _ in transaction.segments()))
    if transaction.se.get(1) != count:
        notes.append(f"SE01 is {transaction.se.get(1)!r} but the transaction set has {count} segments")
    return notes
