"""Claims JSON to an 837: loops and segments, HL and LX numbering, envelope, and a re-read of the result."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from edi.claims import FORMAT
from edi.claims.codelists import code_list_segments, code_lists
from edi.claims.envelope import Envelope, EnvelopeOptions, build_interchange, transaction_set
from edi.claims.hints import check_claims
from edi.claims.levels import hl_levels
from edi.claims.maps import ROLE_CODES, ROOT, LoopKind, loop_kind, party
from edi.claims.order import entry_codes, follow, guide_order, loop_spec
from edi.claims.segments import date_segment, diagnosis_segments
from edi.convert.structure import segment_from_json
from edi.errors import InputError
from edi.fields import write_fields
from edi.guides import CLAIM_KIND
from edi.guides.registry import Guide, guide_by_id
from edi.kinds import x12_date
from edi.validate.gate import refuse_invalid
from edi.x12.document import Document
from edi.x12.lalr import Loop
from edi.x12.reader import read_document
from edi.x12.segment import DEFAULT_DELIMITERS, Delimiters, Segment
from edi.x12.values import UnsafeValue, check_charset, located
from edi.x12.writer import segment_text

DEFAULT_CONTROL = "0001"


def build_837(
    data: dict[str, Any],
    file: str = "",
    options: EnvelopeOptions | None = None,
    delimiters: Delimiters | None = None,
    now: datetime | None = None,
    warn: Callable[[str], None] | None = None,
    check: bool = True,
    schema: bool = True,
) -> str:
    """The 837 text for claims JSON ``data``, checked against the schema and re-read before it is returned.

    ``schema=False`` skips the schema check for JSON its caller has checked already.

    With ``check`` (the default) the text must also pass SNIP types 1 and 2 of `edi validate` and hold
    only X12 characters; each error is named by its JSON path. Without, the grammar alone re-reads it
    (a faithful copy of a file that breaks those rules). ``warn`` is called once for each segment
    written where the guide does not place it (marked ``unplaced``).
    """
    if schema:
        check_claims(data, file)
    paths: dict[tuple[str, int], str] = {}
    stamp = now or datetime.now().replace(second=0, microsecond=0)
    try:
        text, marked = _build(data, options or EnvelopeOptions(), delimiters, stamp, paths, check)
    except UnsafeValue as error:
        raise located(error, data, file) from None
    except InputError as error:
        if error.location.file or not file:
            raise
        raise InputError(error.message, error.problems, file=file) from None
    document = read_document(text.encode("utf-8", "surrogateescape"), file=file or "<built 837>")
    notes = _check_placed(document, marked, file)
    if check:
        controls = [t.control_number for _, _, t in document.transactions()]
        unplaced = frozenset((c, n) for c, positions in zip(controls, marked, strict=False) for n in positions)
        refuse_invalid(document, data, file, CLAIM_KIND, paths, unplaced)
    if warn is not None:
        for note in notes:
            warn(note)
    return text


def stream_837(
    documents: Iterable[dict[str, Any]],
    file: str = "",
    options: EnvelopeOptions | None = None,
    delimiters: Delimiters | None = None,
    now: datetime | None = None,
    warn: Callable[[str], None] | None = None,
    check: bool = True,
) -> Iterator[str]:
    """The 837 text of claims documents (checked against the schema already), one transaction set at a time.

    Each document is built and checked by `build_837` on its own (values, SNIP 1-2 unless not
    ``check``, re-read), so memory holds one set at a time; consecutive documents with the same
    envelope share one interchange and group, whose trailers count them.
    """
    stamp = now or datetime.now().replace(second=0, microsecond=0)
    chosen = delimiters
    current: Envelope | None = None
    count = 0
    for document in documents:
        chosen = chosen or _json_delimiters(document) or DEFAULT_DELIMITERS
        envelope = _envelope(document, options or EnvelopeOptions(), stamp)
        if envelope != current:
            if current is not None:
                yield segment_text(_frame(current, count, chosen)[1], chosen)
            current, count = envelope, 0
            yield segment_text(_frame(envelope, 0, chosen)[0], chosen)
        text = build_837({"format": FORMAT, **document}, file, options, chosen, stamp, warn, check, schema=False)
        end = chosen.segment + chosen.suffix
        yield end.join(text.split(end)[2:-3]) + end  # its ST..SE, without the envelope of one
        count += 1
    if current is not None and chosen is not None:
        yield segment_text(_frame(current, count, chosen)[1], chosen)


def _frame(envelope: Envelope, count: int, delimiters: Delimiters) -> tuple[list[Segment], list[Segment]]:
    """ISA and GS, and GE and IEA, of an interchange holding ``count`` transaction sets."""
    segments = build_interchange([()] * count, envelope, delimiters)
    return segments[:2], segments[2:]


def _build(
    data: dict[str, Any],
    options: EnvelopeOptions,
    delimiters: Delimiters | None,
    stamp: datetime,
    paths: dict[tuple[str, int], str],
    check: bool,
) -> tuple[str, list[set[int]]]:
    """The X12 text and, per transaction set, the positions of the segments the JSON marks unplaced."""
    documents = data.get("batch", [data])
    chosen = delimiters or _json_delimiters(documents[0]) or DEFAULT_DELIMITERS
    segments: list[Segment] = []
    pending: list[list[Segment]] = []
    marked: list[set[int]] = []
    current: Envelope | None = None
    for number, document in enumerate(documents):
        envelope = _envelope(document, options, stamp)
        if current is not None and envelope != current:
            segments += build_interchange(pending, current, chosen)
            pending = []
        current = envelope
        by_id: dict[int, str] = {}
        built = transaction_segments(document, chosen, f"$.batch[{number}]" if "batch" in data else "$", by_id)
        control = built[0].get(2)
        for position, segment in enumerate(built, start=1):
            paths.setdefault((control, position), by_id.get(id(segment), ""))
        pending.append(built)
        marked.append({n for n, s in enumerate(built, start=1) if s.unplaced})
    assert current is not None
    segments += build_interchange(pending, current, chosen)
    if check:
        check_charset(segments)
    return segment_text(segments, chosen), marked


def transaction_segments(
    document: dict[str, Any], delimiters: Delimiters, path: str = "$", paths: dict[int, str] | None = None
) -> list[Segment]:
    """ST..SE for one claims document, with HL numbering and SE01.

    ``paths`` (when given) receives the JSON path each segment was built from, by ``id(segment)``.
    """
    transaction = document["transaction"]
    guide = guide_by_id(transaction["type"])
    head = {**transaction, "control_number": transaction.get("control_number", DEFAULT_CONTROL)}
    head.setdefault("version", guide.version)
    builder = _Builder(guide, delimiters)
    root = builder.loop({**document, "transaction": head}, ROOT, "ST", path)
    for trigger, elements in hl_levels(root):
        trigger.elements[:] = elements
    body = [s for s, _ in root.walk()][1:]
    segments = transaction_set(CLAIM_KIND, head["control_number"], head["version"], body, delimiters)
    if paths is not None:
        paths.update(builder.paths)
        paths[id(segments[0])] = paths[id(segments[-1])] = f"{path}.transaction"
    return segments


class _Builder:
    """Builds loops of one guide from their JSON objects, noting the JSON path of each segment."""

    def __init__(self, guide: Guide, delimiters: Delimiters) -> None:
        self.guide = guide
        self.delimiters = delimiters
        self.paths: dict[int, str] = {}

    def _mark(self, item: Segment | Loop, path: str) -> Segment | Loop:
        for segment in [item] if isinstance(item, Segment) else [s for s, _ in item.walk()]:
            self.paths.setdefault(id(segment), path)
        return item

    def loop(self, obj: dict[str, Any], kind: LoopKind, loop_id: str, path: str) -> Loop:
        d = self.delimiters
        mark = self._mark
        maps = kind.maps
        if kind.hl:
            trigger = Segment("HL", ["", "", kind.hl, ""], d)
            mark(trigger, path)
        else:
            trigger = write_fields(maps[0], _target(obj, maps[0].key), d)
            mark(trigger, f"{path}.{maps[0].key}" if maps[0].key else path)
            maps = maps[1:]
        items: list[Segment | Loop] = []
        for smap in maps:
            source: Any = obj.get(smap.key) if smap.key else obj
            where = f"{path}.{smap.key}" if smap.key else path
            if smap.many:
                items += [mark(write_fields(smap, e, d), f"{where}[{n}]") for n, e in enumerate(source or [])]
            elif isinstance(source, dict) and smap.present_in(source):
                items.append(mark(write_fields(smap, source, d), where))
        items += [mark(s, f"{path}.dates") for s in self._dates(obj, kind)]
        if kind.diagnoses and obj.get("diagnoses"):
            items += [mark(s, f"{path}.diagnoses") for s in diagnosis_segments(obj["diagnoses"], self.guide.id, d)]
        for codes in code_lists(self.guide.id) if kind.diagnoses else ():
            if codes.key in obj:
                listed = code_list_segments(codes, obj[codes.key], d)
                items += [mark(s, f"{path}.{codes.key}") for s in listed]
        extras = obj.get("extra_segments", [])
        items += [mark(segment_from_json(s, d), f"{path}.extra_segments[{n}]") for n, s in enumerate(extras)]
        items += self._children(obj, kind, loop_id, path)
        items += [mark(_structure(s, d), f"{path}.extra_loops[{n}]") for n, s in enumerate(obj.get("extra_loops", []))]
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

    def _children(self, obj: dict[str, Any], kind: LoopKind, loop_id: str, path: str) -> list[Loop]:
        out: list[Loop] = []
        for key, child in kind.children.items():
            if child.key not in obj:
                continue
            child_kind = loop_kind(key, self.guide.id)
            assert child_kind is not None
            child_id = _child_id(self.guide, loop_id, key)
            value = obj[child.key]
            many = child.mode == "many"
            for n, entry in enumerate(value if many else [value], start=1):
                if key[0] == "LX" and "line_number" not in entry:
                    entry = {**entry, "line_number": n}
                where = f"{path}.{child.key}[{n - 1}]" if many else f"{path}.{child.key}"
                out.append(self.loop(entry, child_kind, child_id, where))
        for role, value in obj.get(kind.roles, {}).items() if kind.roles else ():
            code = ROLE_CODES[role]
            child_id = _child_id(self.guide, loop_id, ("NM1", code))
            entries = value if isinstance(value, list) else [value]
            for n, entry in enumerate(entries):
                where = f"{path}.{kind.roles}.{role}" + (f"[{n}]" if isinstance(value, list) else "")
                out.append(self.loop(entry, party(code), child_id, where))
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
        try:
            created = datetime.combine(date.fromisoformat(isa["date"]), time.fromisoformat(isa.get("time", "00:00")))
        except ValueError:
            raise UnsafeValue(f"{isa['date']} {isa.get('time', '')}", "is not a date and time of day") from None
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
        usage=isa.get("usage", "T"),
        acknowledgment_requested=isa.get("acknowledgment_requested", False),
        application_sender=gs.get("sender"),
        application_receiver=gs.get("receiver"),
        authorization=(isa.get("authorization_qualifier", "00"), isa.get("authorization", "")),
        security=(isa.get("security_qualifier", "00"), isa.get("security", "")),
        group_date=x12_date(gs["date"]) if "date" in gs else None,
        group_time=gs["time"].replace(":", "").replace(".", "") if "time" in gs else None,
    )
    return options.applied(envelope)


def _check_placed(document: Document, marked: list[set[int]], file: str) -> list[str]:
    """Re-read the built text: a segment the guide does not place is refused unless the JSON marked it ``unplaced``.

    ``marked`` holds, per transaction set in order, the positions of the segments built from marked JSON.
    Returns one note per marked segment that stays unplaced.
    """
    problems: list[str] = []
    notes: list[str] = []
    for n, (_, _, transaction) in enumerate(document.transactions()):
        allowed = marked[n] if n < len(marked) else set()
        guide = transaction.guide.id if transaction.guide else CLAIM_KIND
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
