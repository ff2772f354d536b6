"""The lossless structural JSON: every interchange, group, transaction set, loop and segment.

Every element up to the last one the segment holds is keyed by its reference (``CLM05``),
empty ones included, so the X12 text comes back exactly; a composite is a list of
components, a repeated element ``{"repeat": [...]}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, TextIO

from edi.errors import InputError
from edi.guides.registry import Guide, guide_by_id
from edi.jsontext import dumps
from edi.x12.document import Document, Group, Interchange, LoopUnit, ReadWarning, Transaction
from edi.x12.lalr import Loop
from edi.x12.reader import Event
from edi.x12.segment import Delimiters, Segment
from edi.x12.units import UnitWalk
from edi.x12.values import check_value

FORMAT = "edi.structure/1"
Element = str | list[str] | dict[str, list[str | list[str]]]


def element_value(value: str, delimiters: Delimiters) -> Element:
    """One raw element as JSON: a string, a list of components, or repetitions."""
    rep = delimiters.repetition
    if rep and rep in value:
        return {"repeat": [_composite(v, delimiters.component) for v in value.split(rep)]}
    return _composite(value, delimiters.component)


def _composite(value: str, component: str) -> str | list[str]:
    return value.split(component) if component in value else value


_NAMES: dict[str, tuple[str, ...]] = {}  # segment ID -> its element references, as many as any segment read had


def _element_names(segment_id: str, count: int) -> tuple[str, ...]:
    """The first ``count`` element references of the segment ID (``NM101``, ``NM102``...), kept in `_NAMES`."""
    names = _NAMES[segment_id] = tuple(f"{segment_id}{i:02d}" for i in range(1, count + 1))
    return names


def segment_json(segment: Segment) -> dict[str, Any]:
    """A segment as ``{"id": ..., "elements": {"NM101": ..., "NM102": ...}}``."""
    values = segment.elements
    seg_id = segment.id
    names = _NAMES.get(seg_id)  # zip stops at the values: names for more elements do no harm
    if names is None or len(names) < len(values):
        names = _element_names(seg_id, len(values))
    delimiters = segment.delimiters
    joined = delimiters.element.join(values)
    component, repetition = delimiters.component, delimiters.repetition
    elements: dict[str, Element]
    # The names are made for these values; any keyword (strict=) takes zip off its fast path.
    if seg_id == "ISA" or not (component in joined or (repetition and repetition in joined)):
        elements = dict(zip(names, values))  # noqa: B905
    else:  # only the elements that hold a separator change
        elements = {
            name: element_value(value, delimiters)
            if component in value or (repetition and repetition in value)
            else value
            for name, value in zip(names, values)  # noqa: B905
        }
    out: dict[str, Any] = {"id": seg_id, "elements": elements}
    if segment.unplaced:
        out["unplaced"] = True
    return out


def loop_json(loop: Loop, names: dict[str, str]) -> dict[str, Any]:
    """A loop and everything under it."""
    return {
        "loop": loop.id,
        "name": names.get(loop.id, loop.id),
        "items": [segment_json(item) if isinstance(item, Segment) else loop_json(item, names) for item in loop.items],
    }


def transaction_json(transaction: Transaction) -> dict[str, Any]:
    """A transaction set: its guide and its loop tree."""
    guide = transaction.guide
    return {
        "guide": guide.id if guide else None,
        "version": transaction.version,
        "loops": loop_json(transaction.root, _loop_names(guide)),
    }


@cache
def _loop_names(guide: Guide | None) -> dict[str, str]:
    names = {k: str(v["name"]) for k, v in guide.loops.items()} if guide else {}
    names["ST"] = "Transaction Set"
    return names


def delimiters_json(delimiters: Delimiters) -> dict[str, Any]:
    return {
        "element": delimiters.element,
        "component": delimiters.component,
        "repetition": delimiters.repetition,
        "segment": delimiters.segment,
        "suffix": delimiters.suffix,
    }


def warning_json(warning: ReadWarning) -> dict[str, Any]:
    where = warning.location
    return {"message": warning.message, "line": where.line, "segment_position": where.position}


def document_json(document: Document) -> dict[str, Any]:
    """The whole document as structural JSON."""
    return {
        "format": FORMAT,
        "file": document.file,
        "interchanges": [_interchange_json(i) for i in document.interchanges],
        "warnings": [warning_json(w) for w in document.warnings],
    }


def _interchange_json(interchange: Interchange) -> dict[str, Any]:
    return {
        **_interchange_head(interchange),
        "groups": [
            {**_group_head(g), "transactions": [transaction_json(t) for t in g.transactions], **_group_tail(g)}
            for g in interchange.groups
        ],
        **_interchange_tail(interchange),
    }


def _interchange_head(interchange: Interchange) -> dict[str, Any]:
    head: dict[str, Any] = {"delimiters": delimiters_json(interchange.delimiters)}
    if interchange.isa:
        head["ISA"] = segment_json(interchange.isa)
    if interchange.ta1:
        head["TA1"] = [segment_json(s) for s in interchange.ta1]
    return head


def _interchange_tail(interchange: Interchange) -> dict[str, Any]:
    return {"IEA": segment_json(interchange.iea)} if interchange.iea else {}


def _group_head(group: Group) -> dict[str, Any]:
    return {"GS": segment_json(group.gs)} if group.gs else {}


def _group_tail(group: Group) -> dict[str, Any]:
    return {"GE": segment_json(group.ge)} if group.ge else {}


class JsonStream:
    """Write the same JSON as `document_json`, as the reader's events arrive.

    Memory stays bounded by one claim whatever the size of the file: with a reader that
    hands out units (`Reader(units=True)`), each claim and each level that holds claims is
    written as soon as it is complete, after whatever of the loops holding it was not
    written yet. The body may be written in pieces (``resumed_at`` picks up inside an open
    group or transaction set), which lets the parts of one file be written by several
    processes and joined.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.first_interchange = self.first_group = self.first_transaction = True
        self.walk = UnitWalk(self)
        self.names: dict[str, str] = {}

    def begin(self, file: str) -> None:
        """Open the document."""
        self.out.write(f'{{"format":{dumps(FORMAT)},"file":{dumps(file)},"interchanges":[')

    def body(self, events: Iterable[Event], resumed_at: int | None = None) -> None:
        """Write the interchanges, groups and transaction sets of ``events``.

        ``resumed_at``: the events are those of a part of the file that starts at this byte
        offset, inside a group (`edi.x12.cuts`), after a part written by another stream.
        """
        if resumed_at is not None:
            self.first_interchange = self.first_group = self.first_transaction = False
            self.walk.resumed_at = resumed_at
        resumed = -1 if resumed_at is None else resumed_at
        write = self.out.write
        for event in events:
            kind, value = event.kind, event.value
            if kind in ("interchange", "group") and _trigger(value) < resumed:
                continue  # the interchange or group an earlier part opened
            if kind == "unit":
                self._unit(value)
            elif kind == "transaction":
                self._transaction(value)
            elif kind == "interchange":
                write(("" if self.first_interchange else ",") + dumps(_interchange_head(value))[:-1] + ',"groups":[')
                self.first_interchange, self.first_group = False, True
            elif kind == "group":
                head = dumps(_group_head(value))[:-1]
                write(("" if self.first_group else ",") + head + ("," if len(head) > 1 else "") + '"transactions":[')
                self.first_group, self.first_transaction = False, True
            elif kind in ("group_end", "interchange_end"):
                tail = dumps(_group_tail(value) if kind == "group_end" else _interchange_tail(value))[1:]
                write("]" + ("," + tail if len(tail) > 1 else "}"))

    def end(self, warnings: Iterable[ReadWarning]) -> None:
        """Close the document with the reader's warnings."""
        self.out.write('],"warnings":' + dumps([warning_json(w) for w in warnings]) + "}\n")

    def _unit(self, unit: LoopUnit) -> None:
        """Write a loop handed out by the reader, opening first the loops that hold it."""
        if not self.walk.started:
            self.names = _loop_names(unit.guide)
            if not self.walk.resumes(unit):
                separator = "" if self.first_transaction else ","
                self.first_transaction = False
                self.out.write(f'{separator}{{"guide":{dumps(unit.guide.id)},"version":{dumps(unit.version)},"loops":')
        self.walk.unit(unit)

    def _transaction(self, transaction: Transaction) -> None:
        """Write a transaction set, or close the one whose units were written."""
        if self.walk.started:
            self.walk.end(transaction)
            self.out.write("}")
            return
        self.out.write(("" if self.first_transaction else ",") + dumps(transaction_json(transaction)))
        self.first_transaction = False

    # The walk's visitor: loops open, items arrive, loops close.

    def open(self, loop_id: str, trigger: Segment, depth: int) -> None:
        prefix = "," if depth else ""
        name = self.names.get(loop_id, loop_id)
        self.out.write(f'{prefix}{{"loop":{dumps(loop_id)},"name":{dumps(name)},"items":[')
        self.out.write(dumps(segment_json(trigger)))

    def item(self, item: Segment | Loop, depth: int) -> None:
        value = segment_json(item) if isinstance(item, Segment) else loop_json(item, self.names)
        self.out.write("," + dumps(value))

    def close(self, depth: int) -> None:
        self.out.write("]}")


def _trigger(opened: Interchange | Group) -> int:
    """The byte offset of the ISA or GS that opened an interchange or group (-1 for a bare one)."""
    segment = opened.isa if isinstance(opened, Interchange) else opened.gs
    return -1 if segment is None else segment.offset


def stream_json(events: Iterable[Event], out: TextIO, file: str, warnings: list[ReadWarning]) -> None:
    """Write a whole file's events as structural JSON (see `JsonStream`)."""
    stream = JsonStream(out)
    stream.begin(file)
    stream.body(events)
    stream.end(warnings)


# JSON back to X12 -------------------------------------------------------------------------


def _raw(value: Element, delimiters: Delimiters, where: str) -> str:
    """The element text of a JSON element; every string in it is checked to be data (`UnsafeValue`)."""
    if isinstance(value, str):
        return check_value(value, delimiters, where, part=False)
    if isinstance(value, list):
        return delimiters.component.join(check_value(v, delimiters, where) for v in value)
    rep = delimiters.repetition or "^"
    return rep.join(_raw(v, delimiters, where) for v in value["repeat"])


def segment_from_json(data: dict[str, Any], delimiters: Delimiters) -> Segment:
    """A `Segment` from its JSON form."""
    seg_id = str(data["id"])
    elements: dict[str, Element] = data.get("elements", {})
    indexed: dict[int, str] = {}
    for ref, value in elements.items():
        if not ref.startswith(seg_id) or not ref[len(seg_id) :].isdigit():
            raise InputError(f"segment {seg_id}: element key {ref!r} is not {seg_id}01, {seg_id}02, ...")
        indexed[int(ref[len(seg_id) :])] = _raw(value, delimiters, ref)
    count = max(indexed, default=0)
    values = [indexed.get(i, "") for i in range(1, count + 1)]
    return Segment(seg_id, values, delimiters, unplaced=bool(data.get("unplaced")))


def _loop_from_json(data: dict[str, Any], delimiters: Delimiters) -> Loop:
    items: list[Segment | Loop] = []
    for item in data["items"]:
        items.append(_loop_from_json(item, delimiters) if "loop" in item else segment_from_json(item, delimiters))
    return Loop(str(data["loop"]), items)


def document_from_json(data: dict[str, Any]) -> Document:
    """A `Document` from structural JSON (as checked by the structure schema)."""
    document = Document(str(data.get("file", "")))
    for inter in data["interchanges"]:
        delimiters = Delimiters(**inter["delimiters"])
        interchange = Interchange(
            segment_from_json(inter["ISA"], delimiters) if "ISA" in inter else None,
            delimiters,
            segment_from_json(inter["IEA"], delimiters) if "IEA" in inter else None,
            ta1=[segment_from_json(s, delimiters) for s in inter.get("TA1", [])],
        )
        for grp in inter["groups"]:
            group = Group(
                segment_from_json(grp["GS"], delimiters) if "GS" in grp else None,
                segment_from_json(grp["GE"], delimiters) if "GE" in grp else None,
            )
            for txn in grp["transactions"]:
                guide = guide_by_id(txn["guide"]) if txn.get("guide") else None
                root = _loop_from_json(txn["loops"], delimiters)
                _number(root)
                group.transactions.append(Transaction(root, guide, str(txn.get("version", ""))))
            interchange.groups.append(group)
        document.interchanges.append(interchange)
    return document


def _number(root: Loop) -> None:
    for position, (segment, _) in enumerate(root.walk(), start=1):
        segment.position = position
