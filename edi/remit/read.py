"""835 remittance advice -> remittance JSON: one walk over each transaction set's segments.

Each claim payment is read into its model (`edi.remit.model`) and written from its segments,
its lines included; the sink gets both. Each segment the JSON names is read through its field
map (edi.remit.fields, on the engine of edi.fields). A whole segment no named field covers goes to ``extra_segments`` at
its level, so the builder can give back every segment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from edi.convert.structure import segment_json
from edi.fields import SegmentMap, read_fields
from edi.guides import REMITTANCE_KIND
from edi.kinds import decode
from edi.remit import FORMAT
from edi.remit.adjustments import read_cas, read_plb
from edi.remit.fields import (
    BPR,
    CLAIM_DATES,
    CLAIM_NAMES,
    CLP,
    LX,
    MIA,
    MOA,
    N1,
    N3,
    N4,
    NM1,
    PER,
    REF,
    SERVICE_PERIOD,
    SVC,
    TRN,
    TS2,
    TS3,
    read_pair,
)
from edi.remit.labels import CLAIM_STATUS, CREDIT_DEBIT, HANDLING, PAYMENT_METHODS, label
from edi.remit.model import ClaimPayment, RemittanceSplit
from edi.remit.positions import UNKNOWN_POSITION, guide_position
from edi.x12.document import Document, Group, Interchange
from edi.x12.segment import Segment
from edi.x12.values import x12_date

# A group whose keys have gone to the sink.
_SENT: dict[str, Any] = {}
LOOPS = {"header": "ST", "payer": "1000A", "payee": "1000B", "group": "2000", "claim": "2100", "line": "2110"}


class Sink(Protocol):
    """Where a transaction set's remittance JSON goes, one claim at a time, in file order."""

    def groups(self, head: dict[str, Any]) -> None:
        """The transaction set's keys before its groups (payment, payer, payee...): all of them by now."""

    def group(self, head: dict[str, Any]) -> None:
        """A group (LX) opens; its keys before its claims are all read."""

    def claim(self, claim: dict[str, Any], payment: ClaimPayment) -> None:
        """One claim payment (CLP) with its lines, complete: its JSON and its model."""

    def end_group(self) -> None:
        """The open group is complete."""

    def end(self, data: dict[str, Any]) -> None:
        """The transaction set is complete; ``data`` holds every key but the groups."""


class Collect:
    """A `Sink` that builds each transaction set's remittance JSON whole."""

    def __init__(self) -> None:
        self.transactions: list[dict[str, Any]] = []
        self._groups: list[dict[str, Any]] | None = None
        self._head: list[str] = []

    def groups(self, head: dict[str, Any]) -> None:
        self._groups, self._head = [], list(head)

    def group(self, head: dict[str, Any]) -> None:
        assert self._groups is not None
        self._groups.append(head)

    def claim(self, claim: dict[str, Any], payment: ClaimPayment) -> None:
        assert self._groups is not None
        self._groups[-1].setdefault("claims", []).append(claim)

    def end_group(self) -> None:
        pass

    def end(self, data: dict[str, Any]) -> None:
        if self._groups is None:
            self.transactions.append(data)
            return
        whole = {k: data[k] for k in self._head}
        whole["groups"] = self._groups
        whole.update((k, v) for k, v in data.items() if k not in whole)
        self.transactions.append(whole)
        self._groups = None


def read_remittance(document: Document) -> dict[str, Any]:
    """Remittance JSON for every 835 transaction set in ``document``."""
    sink = Collect()
    for interchange, group, transaction in document.transactions():
        if transaction.st.get(1) == REMITTANCE_KIND:
            TransactionReader(interchange, group, sink).read(transaction.segments())
    return {"format": FORMAT, "file": document.file, "transactions": sink.transactions}


def envelope_json(interchange: Interchange, group: Group) -> dict[str, Any]:
    """The envelope values worth keeping: parties, usage, date, time and control numbers."""
    out: dict[str, Any] = {}
    isa, gs = interchange.isa, group.gs
    if isa is not None:
        out["sender_qualifier"], out["sender_id"] = isa.get(5), isa.get(6).rstrip()
        out["receiver_qualifier"], out["receiver_id"] = isa.get(7), isa.get(8).rstrip()
        out["interchange_control_number"] = isa.get(13)
        out["acknowledgment_requested"], out["usage"] = isa.get(14), isa.get(15)
    if gs is not None:
        out["application_sender"], out["application_receiver"] = gs.get(2), gs.get(3)
        when = x12_date(gs.get(4))
        if when:
            out["date"] = when.isoformat()
        out["time"], out["group_control_number"] = gs.get(5), gs.get(6)
    return {key: value for key, value in out.items() if value}


class TransactionReader:
    """Walks one transaction set's segments in order: LX starts a group, CLP a claim payment (`RemittanceSplit`).

    Each claim goes to the sink as soon as the next claim, group or trailer segment shows it
    is complete, so the reader holds one claim at a time.
    """

    def __init__(self, interchange: Interchange, group: Group, sink: Sink) -> None:
        self.data: dict[str, Any] = {}
        envelope = envelope_json(interchange, group)
        if envelope:
            self.data["envelope"] = envelope
        self.sink = sink
        self.level = "header"
        self.current: dict[str, Any] = self.data
        self._group: dict[str, Any] | None = None
        self._in_groups = False
        self.split = RemittanceSplit()

    def read(self, segments: Iterable[Segment]) -> None:
        """Read an ST..SE in order and pass its claims, then the rest, to the sink."""
        ordered = iter(segments)
        st = next(ordered)
        self.data["control_number"] = st.get(2)
        if st.get(3):
            self.data["version"] = st.get(3)
        self.data["payment"] = {}
        last: Segment | None = None
        for segment in ordered:
            if last is not None:
                self._segment(last)
            last = segment  # the SE is not read
        finished = self.split.finish()
        if finished is not None:
            self.sink.claim(claim_json(finished), finished)
        self._close_group()
        self._label_payment()
        self.sink.end(self.data)

    def _label_payment(self) -> None:
        """Add the labels of the payment's codes (BPR precedes every group, so this is final once groups start)."""
        payment = self.data["payment"]
        for key, table in (("handling", HANDLING), ("method", PAYMENT_METHODS), ("credit_debit", CREDIT_DEBIT)):
            if key in payment:
                payment[f"{key}_label"] = label(table, payment[key])

    def _segment(self, segment: Segment) -> None:
        split = self.split
        finished = split.feed(segment)
        if finished is not None:
            self.sink.claim(claim_json(finished), finished)
        if split.open:
            if segment.id == "CLP":
                self._claim_opens()
            return
        seg_id, qualifier = segment.id, segment.get(1)
        if seg_id == "N1" and qualifier in ("PR", "PE") and self.level in ("header", "payer"):
            role = "payer" if qualifier == "PR" else "payee"
            if role not in self.data:
                self._enter(role, self.data, role)
                read_fields(segment, N1[qualifier], self.current)
                return
        if seg_id == "LX":
            self._open_group()
            read_fields(segment, LX, self.current)
            return
        if seg_id == "PLB":
            self._close_group()
            self.level = "trailer"
            plb = read_plb(segment)
            if plb is not None:
                self.data.setdefault("provider_adjustments", []).append(plb)
                return
        if not _named(self.level, segment, self.current):
            key = "extra_trailer_segments" if self.level == "trailer" else "extra_segments"
            target = self.data if self.level == "trailer" else self.current
            target.setdefault(key, []).append(segment_json(segment))

    def _claim_opens(self) -> None:
        """A CLP opens a claim payment: in a group (a new one unless one is open), whose keys are now complete."""
        if self.level not in ("group", "claim"):
            self._open_group()
        if self._group is not None and self._group is not _SENT:
            self.sink.group(self._group)
            self._group = _SENT
        self.level = "claim"

    def _open_group(self) -> None:
        """Close the open group, if any, and open a new one (announcing the groups the first time)."""
        self._close_group()
        if not self._in_groups:
            self._in_groups = True
            self._label_payment()
            self.sink.groups(self.data)
        self._group = {}
        self.current, self.level = self._group, "group"

    def _close_group(self) -> None:
        if self._group is None:
            return
        if self._group is not _SENT:
            self.sink.group(self._group)
        self.sink.end_group()
        self._group = None

    def _enter(self, level: str, parent: dict[str, Any] | list[dict[str, Any]], key: str = "") -> None:
        self.current = {}
        if isinstance(parent, list):
            parent.append(self.current)
        else:
            parent[key] = self.current
        self.level = level


def claim_json(payment: ClaimPayment) -> dict[str, Any]:
    """The remittance JSON of one claim payment, its lines included."""
    data: dict[str, Any] = {}
    clp, *own = payment.segments
    read_fields(clp, CLP, data)
    if "status_code" in data:
        data["status"] = label(CLAIM_STATUS, data["status_code"])
    _read_rest(own, "claim", data)
    for line in payment.lines:
        item: dict[str, Any] = {}
        data.setdefault("lines", []).append(item)
        svc, *rest = line.segments
        read_fields(svc, SVC, item)
        _read_rest(rest, "line", item)
    return data


def _read_rest(segments: list[Segment], level: str, data: dict[str, Any]) -> None:
    """Name each segment into ``data``, or keep it whole under ``extra_segments``."""
    for segment in segments:
        if not _named(level, segment, data):
            data.setdefault("extra_segments", []).append(segment_json(segment))


def _named(level: str, segment: Segment, data: dict[str, Any]) -> bool:
    """Whether ``segment``, which the 835 guide places in the loop of ``level``, was named into ``data``."""
    name = _LEVELS.get(level)
    if name is None or guide_position(LOOPS[level], segment) == UNKNOWN_POSITION:
        return False
    return name(segment, data)


def _first(segment: Segment, smap: SegmentMap, data: dict[str, Any], key: str = "") -> bool:
    target = data.get(key, {}) if key else data
    if smap.present_in(target):
        return False
    read_fields(segment, smap, target)
    if key:
        data[key] = target
    return True


def _listed(segment: Segment, smap: SegmentMap, data: dict[str, Any], key: str) -> bool:
    data.setdefault(key, []).append(read_fields(segment, smap))
    return True


def _reference(segment: Segment, data: dict[str, Any]) -> bool:
    return _listed(segment, REF, data, "references")


def _contact(segment: Segment, data: dict[str, Any]) -> bool:
    return _listed(segment, PER, data, "contacts")


def _keyed(segment: Segment, data: dict[str, Any], key: str, kind: str, names: dict[str, str] | None = None) -> bool:
    pair = read_pair(segment, kind)
    if pair is None:
        return False
    qualifier, value = pair
    name = names.get(qualifier) if names is not None else qualifier
    target = data.get(key, {})
    if name is None or name in target:
        return False
    target[name] = value
    data[key] = target
    return True


def _single(segment: Segment, data: dict[str, Any], qualifier: str, name: str, kind: str) -> bool:
    """Read a two-element segment with ``qualifier`` into the field ``name``, the first time only."""
    elements = segment.elements
    if len(elements) != 2 or elements[0] != qualifier or name in data:
        return False
    value = decode(elements[1], kind, segment.delimiters)
    if value is None or decode(qualifier, "raw", segment.delimiters) is None:
        return False
    data[name] = value
    return True


def _adjustments(segment: Segment, data: dict[str, Any]) -> bool:
    items = read_cas(segment, data.get("adjustments", []))
    if items is None:
        return False
    data.setdefault("adjustments", []).extend(items)
    return True


def _header(segment: Segment, data: dict[str, Any]) -> bool:
    seg_id = segment.id
    if seg_id in ("BPR", "TRN"):
        return _first(segment, BPR if seg_id == "BPR" else TRN, data["payment"])
    if seg_id == "REF":
        return _reference(segment, data)
    if seg_id == "DTM":
        return _single(segment, data, "405", "production_date", "exact_date")
    return False


def _party(segment: Segment, data: dict[str, Any]) -> bool:
    seg_id = segment.id
    if seg_id in ("N3", "N4"):
        return _first(segment, N3 if seg_id == "N3" else N4, data, "address")
    if seg_id == "REF":
        return _reference(segment, data)
    if seg_id == "PER":
        return _contact(segment, data)
    return False


def _group(segment: Segment, data: dict[str, Any]) -> bool:
    if segment.id == "TS3":
        return _first(segment, TS3, data, "provider_summary")
    if segment.id == "TS2":
        return _first(segment, TS2, data, "provider_supplemental_summary")
    return False


def _claim(segment: Segment, data: dict[str, Any]) -> bool:
    seg_id = segment.id
    if seg_id == "CAS":
        return _adjustments(segment, data)
    if seg_id == "NM1":
        role = CLAIM_NAMES.get(segment.get(1))
        if role is None or role in data:
            return False
        data[role] = read_fields(segment, NM1[segment.get(1)])
        return True
    if seg_id in ("MIA", "MOA"):
        return _first(segment, MIA if seg_id == "MIA" else MOA, data, "inpatient" if seg_id == "MIA" else "outpatient")
    if seg_id == "REF":
        return _reference(segment, data)
    if seg_id == "DTM":
        return _keyed(segment, data, "dates", "exact_date", CLAIM_DATES)
    if seg_id == "PER":
        return _contact(segment, data)
    if seg_id in ("AMT", "QTY"):
        return _keyed(segment, data, "amounts" if seg_id == "AMT" else "quantities", "amount")
    return False


def _line(segment: Segment, data: dict[str, Any]) -> bool:
    seg_id = segment.id
    if seg_id == "DTM":
        return _single(segment, data, "472", "service_date", "exact_date") or _keyed(
            segment, data, "service_period", "exact_date", SERVICE_PERIOD
        )
    if seg_id == "CAS":
        return _adjustments(segment, data)
    if seg_id == "REF":
        return _single(segment, data, "6R", "line_control_number", "raw") or _reference(segment, data)
    if seg_id == "AMT":
        return _single(segment, data, "B6", "allowed", "amount") or _keyed(segment, data, "amounts", "amount")
    if seg_id == "QTY":
        return _keyed(segment, data, "quantities", "amount")
    if seg_id == "LQ":
        pair = read_pair(segment, "raw")
        if pair:
            data.setdefault("remarks", []).append({"qualifier": pair[0], "code": pair[1]})
            return True
    return False


# How each level's segments are named (`_named`).
_LEVELS: dict[str, Callable[[Segment, dict[str, Any]], bool]] = {
    "header": _header,
    "payer": _party,
    "payee": _party,
    "group": _group,
    "claim": _claim,
    "line": _line,
}
