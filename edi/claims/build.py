"""Claims JSON to an 837: loops and segments, HL and LX numbering, envelope, and a re-read of the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from edi.claims.codelists import CODE_LISTS, code_list_segments
from edi.claims.envelope import Envelope, build_interchange, transaction_set
from edi.claims.fields import write_fields
from edi.claims.hints import check_claims
from edi.claims.levels import hl_levels
from edi.claims.maps import ROLE_CODES, ROOT, LoopKind, loop_kind, party
from edi.claims.order import entry_codes, follow, guide_order, loop_spec
from edi.claims.segments import date_segment, diagnosis_segments
from edi.convert.structure import segment_from_json
from edi.errors import InputError
from edi.guides.registry import Guide, guide_by_id
from edi.x12.lalr import Loop
from edi.x12.reader import read_document
from edi.x12.segment import DEFAULT_DELIMITERS, Delimiters, Segment
from edi.x12.writer import segment_text

DEFAULT_CONTROL = "0001"


@dataclass(frozen=True, slots=True)
class EnvelopeOptions:
    """Envelope values given on the command line; they win over those in the JSON."""

    control_number: int | None = None
    sender: str | None = None
    receiver: str | None = None
    usage: str | None = None


def build_837(
    data: dict[str, Any],
    file: str = "",
    options: EnvelopeOptions | None = None,
    delimiters: Delimiters | None = None,
    now: datetime | None = None,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The 837 text for claims JSON ``data``, checked against the schema and re-read before it is returned.

    ``warn`` is called once for each segment written where the guide does not place it (marked ``unplaced``).
    """
    check_claims(data, file)
    documents = data.get("batch", [data])
    chosen = delimiters or _json_delimiters(documents[0]) or DEFAULT_DELIMITERS
    stamp = now or datetime.now().replace(second=0, microsecond=0)
    segments: list[Segment] = []
    pending: list[list[Segment]] = []
    marked: list[set[int]] = []
    current: Envelope | None = None
    for document in documents:
        envelope = _envelope(document, options or EnvelopeOptions(), stamp)
        if current is not None and envelope != current:
            segments += build_interchange(pending, current, chosen)
            pending = []
        current = envelope
        pending.append(transaction_segments(document, chosen))
        marked.append({n for n, s in enumerate(pending[-1], start=1) if s.unplaced})
    assert current is not None
    segments += build_interchange(pending, current, chosen)
    text = segment_text(segments, chosen)
    notes = _check_placed(text, marked, file)
    if warn is not None:
        for note in notes:
            warn(note)
    return text


def transaction_segments(document: dict[str, Any], delimiters: Delimiters) -> list[Segment]:
    """ST..SE for one claims document, with HL numbering and SE01."""
    transaction = document["transaction"]
    guide = guide_by_id(transaction["type"])
    head = {**transaction, "control_number": transaction.get("control_number", DEFAULT_CONTROL)}
    head.setdefault("version", guide.version)
    root = _Builder(guide, delimiters).loop({**document, "transaction": head}, ROOT, "ST")
    for trigger, elements in hl_levels(root):
        trigger.elements[:] = elements
    body = [s for s, _ in root.walk()][1:]
    return transaction_set("837", head["control_number"], head["version"], body, delimiters)


class _Builder:
    """Builds loops of one guide from their JSON objects."""

    def __init__(self, guide: Guide, delimiters: Delimiters) -> None:
        self.guide = guide
        self.delimiters = delimiters

    def loop(self, obj: dict[str, Any], kind: LoopKind, loop_id: str) -> Loop:
        d = self.delimiters
        maps = kind.maps
        if kind.hl:
            trigger = Segment("HL", ["", "", kind.hl, ""], d)
        else:
            trigger = write_fields(maps[0], _target(obj, maps[0].key), d)
            maps = maps[1:]
        items: list[Segment | Loop] = []
        for smap in maps:
            source: Any = obj.get(smap.key) if smap.key else obj
            if smap.many:
                items += [write_fields(smap, entry, d) for entry in source or []]
            elif isinstance(source, dict) and smap.present_in(source):
                items.append(write_fields(smap, source, d))
        items += self._dates(obj, kind)
        if kind.diagnoses and obj.get("diagnoses"):
            items += diagnosis_segments(obj["diagnoses"], self.guide.id, d)
        for codes in CODE_LISTS[self.guide.id] if kind.diagnoses else ():
            items += code_list_segments(codes, obj[codes.key], d) if codes.key in obj else []
        items += [segment_from_json(s, d) for s in obj.get("extra_segments", [])]
        items += self._children(obj, kind, loop_id)
        items += [_structure(s, d) for s in obj.get("extra_loops", [])]
        ordered = follow(self.guide, guide_order(self.guide, loop_id, items), obj.get("source_order"))
        return Loop(loop_id, [trigger, *ordered])

    def _dates(self, obj: dict[str, Any], kind: LoopKind) -> list[Segment]:
        qualifiers = {name: code for code, name in kind.dates.items()}
        unknown = sorted(set(obj.get("dates", {})) - set(qualifiers))
        if unknown:
            raise InputError(
                f"dates.{unknown[0]} is not a date the {self.guide.id} guide has in this loop",
                [f"its dates: {', '.join(sorted(qualifiers))}"],
            )
        out = [date_segment(qualifiers[name], value, self.delimiters) for name, value in obj.get("dates", {}).items()]
        for key in ("service_date", "service_period"):
            if kind.service_date and key in obj:
                out.append(date_segment("472", obj[key], self.delimiters))
        return out

    def _children(self, obj: dict[str, Any], kind: LoopKind, loop_id: str) -> list[Loop]:
        out: list[Loop] = []
        for key, child in kind.children.items():
            if child.key not in obj:
                continue
            child_kind = loop_kind(key, self.guide.id)
            assert child_kind is not None
            child_id = _child_id(self.guide, loop_id, key)
            value = obj[child.key]
            for n, entry in enumerate(value if child.mode == "many" else [value], start=1):
                if key[0] == "LX" and "line_number" not in entry:
                    entry = {**entry, "line_number": n}
                out.append(self.loop(entry, child_kind, child_id))
        for role, value in obj.get(kind.roles, {}).items() if kind.roles else ():
            code = ROLE_CODES[role]
            child_id = _child_id(self.guide, loop_id, ("NM1", code))
            for entry in value if isinstance(value, list) else [value]:
                out.append(self.loop(entry, party(code), child_id))
        return out


def _target(obj: dict[str, Any], key: str) -> dict[str, Any]:
    if not key:
        return obj
    found = obj.get(key, {})
    return found if isinstance(found, dict) else {}


def _structure(data: dict[str, Any], delimiters: Delimiters) -> Loop:
    return Loop(
        str(data["loop"]),
        [_structure(i, delimiters) if "loop" in i else segment_from_json(i, delimiters) for i in data["items"]],
    )


def _child_id(guide: Guide, loop_id: str, key: tuple[str, str]) -> str:
    for entry in loop_spec(guide, loop_id)["items"]:
        if entry.get("items"):
            trigger = entry["items"][0]
            if trigger["id"] == key[0] and (not key[1] or key[1] in entry_codes(guide, trigger)):
                return str(entry["id"])
    raise InputError(f"the {guide.id} guide has no loop opened by {'*'.join(filter(None, key))} inside loop {loop_id}")


def _json_delimiters(document: dict[str, Any]) -> Delimiters | None:
    text = document.get("interchange", {}).get("delimiters")
    if not text:
        return None
    return Delimiters(text[0], text[1], text[2] if len(text) == 4 else None, text[-1], "\n")


def _envelope(document: dict[str, Any], options: EnvelopeOptions, stamp: datetime) -> Envelope:
    isa = document.get("interchange", {})
    gs = document.get("group", {})
    guide = guide_by_id(document["transaction"]["type"])
    created = stamp
    if "date" in isa:
        created = datetime.combine(date.fromisoformat(isa["date"]), time.fromisoformat(isa.get("time", "00:00")))
    envelope = Envelope(
        sender_id=isa.get("sender_id", gs.get("sender", "SENDER")),
        receiver_id=isa.get("receiver_id", gs.get("receiver", "RECEIVER")),
        functional_id="HC",
        version=document["transaction"].get("version", guide.version),
        created=created,
        control_number=isa.get("control_number", 1),
        group_control_number=gs.get("control_number"),
        sender_qualifier=isa.get("sender_qualifier", "ZZ"),
        receiver_qualifier=isa.get("receiver_qualifier", "ZZ"),
        usage=isa.get("usage", "P"),
        acknowledgment_requested=isa.get("acknowledgment_requested", False),
        application_sender=gs.get("sender"),
        application_receiver=gs.get("receiver"),
    )
    return replace(
        envelope,
        control_number=options.control_number or envelope.control_number,
        sender_id=options.sender or envelope.sender_id,
        receiver_id=options.receiver or envelope.receiver_id,
        application_sender=options.sender or envelope.application_sender,
        application_receiver=options.receiver or envelope.application_receiver,
        usage=options.usage or envelope.usage,
    )


def _check_placed(text: str, marked: list[set[int]], file: str) -> list[str]:
    """Re-read the built text: a segment the guide does not place is refused unless the JSON marked it ``unplaced``.

    ``marked`` holds, per transaction set in order, the positions of the segments built from marked JSON.
    Returns one note per marked segment that stays unplaced.
    """
    document = read_document(text.encode("utf-8", "surrogateescape"))
    problems: list[str] = []
    notes: list[str] = []
    for n, (_, _, transaction) in enumerate(document.transactions()):
        allowed = marked[n] if n < len(marked) else set()
        guide = transaction.guide.id if transaction.guide else "837"
        for segment, loop in transaction.root.walk():
            if not segment.unplaced:
                continue
            where = f"segment {segment.position} {segment.text()!r}"
            if segment.position in allowed:
                notes.append(
                    f"transaction set {transaction.control_number}: {where} in loop {loop.id} "
                    f"is not placed by the {guide} guide; it is written where the JSON keeps it"
                )
            else:
                problems.append(
                    f"{where} is not where the {guide} guide places it "
                    '(mark it "unplaced": true in extra_segments to keep it there)'
                )
    if problems:
        raise InputError("the built 837 does not follow its guide", problems, file=file)
    return notes
