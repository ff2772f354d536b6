"""The 999 implementation acknowledgment (005010X231A1) and the TA1 interchange acknowledgment.

The 999 acknowledges what SNIP types 1 and 2 check (syntax and the guide's rules): each
segment in error becomes an IK3 (with IK4 per bad element), ST/SE faults become IK5
codes and GS/GE faults AK9 codes. Findings of SNIP 3 and above (balancing, situational
rules, code sets) and warnings stay in the validation report and do not reject a set.
A broken interchange envelope (ISA13/IEA02, IEA01) is answered with a TA1 interchange.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from edi.guides import CLAIM_KIND
from edi.guides.registry import FUNCTIONAL_IDS
from edi.validate.envelope import ENVELOPE_LEVEL
from edi.validate.issue import Issue
from edi.x12.document import Document, Group, Interchange, Transaction
from edi.x12.segment import Delimiters, Segment

T = TypeVar("T")
VERSION = "005010X231A1"
ELEMENT_REF = re.compile(r"(\d{2})(?:-(\d+))?$")
UNSAFE = re.compile(r"[*:^~\r\n]")
ACK_SNIPS = (1, 2)


@dataclass(slots=True, frozen=True)
class AckOptions:
    """Control number and clock of the acknowledgment interchange."""

    control_number: int = 1
    now: datetime | None = None

    def stamp(self) -> datetime:
        """The time written into the ISA and GS: ``now`` when given, else the current UTC time."""
        return self.now or datetime.now(UTC)


def acknowledged(issue: Issue) -> bool:
    """True for the findings a 999 or TA1 reports: errors of SNIP types 1 and 2."""
    return issue.severity == "error" and issue.snip in ACK_SNIPS


def clean(value: str, size: int) -> str:
    """``value`` without delimiters or line breaks, trimmed to ``size`` characters."""
    return UNSAFE.sub(" ", value).strip()[:size]


def _pad(value: str, size: int) -> str:
    return clean(value, size).ljust(size)


def _isa(source: Segment | None, options: AckOptions) -> str:
    now = options.stamp()

    def field(index: int, default: str) -> str:
        return source.get(index) if source is not None and source.get(index) else default

    return "*".join(
        [
            "ISA", "00", " " * 10, "00", " " * 10,
            _pad(field(7, "ZZ"), 2), _pad(field(8, "RECEIVER"), 15),
            _pad(field(5, "ZZ"), 2), _pad(field(6, "SENDER"), 15),
            now.strftime("%y%m%d"), now.strftime("%H%M"), "^", "00501", f"{options.control_number:09d}", "0",
            field(15, "P")[:1], ":",
        ]
    )  # fmt: skip


def interchange_lines(source: Segment | None, body: list[str], groups: int, options: AckOptions) -> list[str]:
    """``body`` in an ISA/IEA answering the interchange whose ISA is ``source`` (sender and receiver swapped)."""
    return [_isa(source, options), *body, f"IEA*{groups}*{options.control_number:09d}"]


def envelope_faults(issues: list[Issue], level: str) -> list[Issue]:
    """The acknowledged envelope findings of one level (interchange, group or transaction)."""
    return [i for i in issues if acknowledged(i) and ENVELOPE_LEVEL.get(i.rule) == level and i.segment_error]


def build_ta1(document: Document, issues: list[Issue], options: AckOptions | None = None) -> str | None:
    """A TA1 interchange answering every interchange whose envelope is broken, or None when none is."""
    options = options or AckOptions()
    faults = envelope_faults(issues, "interchange")
    if not faults:
        return None
    rows: list[str] = []
    first: Segment | None = None
    for interchange in document.interchanges:
        isa = interchange.isa
        if isa is None:
            continue
        mine = [i for i in faults if _in_interchange(interchange, i)]
        if mine:
            first = first or isa
            rows.append(f"TA1*{isa.get(13)}*{isa.get(9)}*{isa.get(10)}*R*{mine[0].segment_error}")
    if not rows:
        return None
    return x12_text(interchange_lines(first, rows, 0, options))


def _in_interchange(interchange: Interchange, issue: Issue) -> bool:
    edges = [s for s in (interchange.isa, interchange.iea) if s is not None]
    return any(s.text() == issue.segment_text and s.line == issue.line for s in edges)


def build_999(document: Document, issues: list[Issue], options: AckOptions | None = None) -> str | None:
    """A 999 interchange with one 999 transaction set per functional group read, or None when there is none."""
    options = options or AckOptions()
    by_transaction: dict[int, list[Issue]] = defaultdict(list)
    by_group: dict[int, list[Issue]] = defaultdict(list)
    _assign(document, [i for i in issues if acknowledged(i)], by_transaction, by_group)
    body: list[str] = []
    source_isa: Segment | None = None
    source_gs: Segment | None = None
    count = 0
    for interchange in document.interchanges:
        source_isa = source_isa or interchange.isa
        for group in interchange.groups:
            source_gs = source_gs or group.gs
            count += 1
            body.extend(_group_999(group, count, by_transaction, by_group[id(group)]))
    if not count:
        return None
    now = options.stamp()
    gs = [
        "GS", "FA", clean(source_gs.get(3), 15) if source_gs else "RECEIVER",
        clean(source_gs.get(2), 15) if source_gs else "SENDER",
        now.strftime("%Y%m%d"), now.strftime("%H%M"), str(options.control_number), "X", VERSION,
    ]  # fmt: skip
    group_lines = ["*".join(gs), *body, f"GE*{count}*{options.control_number}"]
    return x12_text(interchange_lines(source_isa, group_lines, 1, options))


def _assign(
    document: Document,
    issues: list[Issue],
    by_transaction: dict[int, list[Issue]],
    by_group: dict[int, list[Issue]],
) -> None:
    """Sort each finding to its transaction set (by ST02, then line and text) or its group (GS/GE findings)."""
    sets: dict[str, list[Transaction]] = defaultdict(list)
    groups: list[Group] = []
    for _, _, transaction in document.transactions():
        sets[transaction.control_number].append(transaction)
    for interchange in document.interchanges:
        groups.extend(interchange.groups)
    group_owners = _Owners(groups, lambda g: [s for s in (g.gs, g.ge) if s is not None])
    set_owners: dict[str, _Owners[Transaction]] = {}
    for issue in issues:
        if ENVELOPE_LEVEL.get(issue.rule) == "group":
            owner = group_owners.pick(issue)
            if owner is not None:
                by_group[id(owner)].append(issue)
        elif issue.transaction is not None:
            number = issue.transaction
            if number not in set_owners:
                set_owners[number] = _Owners(sets.get(number, []), lambda t: [t.st, t.se])
            found = set_owners[number].pick(issue)
            if found is not None:
                by_transaction[id(found)].append(issue)


class _Owners(Generic[T]):
    """Finds the candidate (group or transaction set) a finding belongs to, in time independent of their number.

    The candidate whose first and last segments enclose the finding's line, else whose edge
    segment the finding quotes, else the first.
    """

    def __init__(self, candidates: list[T], bounds: Callable[[T], list[Segment]]) -> None:
        self.candidates = candidates
        spans: list[tuple[int, int, int]] = []
        self.quoted: dict[tuple[int | None, str | None], T] = {}
        for n, candidate in enumerate(candidates):
            edges = bounds(candidate)
            if edges and edges[0].line != edges[-1].line:
                spans.append((edges[0].line, edges[-1].line, n))
            for segment in edges:
                self.quoted.setdefault((segment.position, segment.text()), candidate)
        spans.sort()
        self.starts = [start for start, _, _ in spans]
        self.spans = spans

    def pick(self, issue: Issue) -> T | None:
        """The candidate ``issue`` belongs to (None when there is none)."""
        if len(self.candidates) <= 1:
            return self.candidates[0] if self.candidates else None
        if issue.line is not None:
            at = bisect_right(self.starts, issue.line) - 1
            if at >= 0 and self.spans[at][1] >= issue.line:
                return self.candidates[self.spans[at][2]]
        found = self.quoted.get((issue.segment_position, issue.segment_text))
        return found if found is not None else self.candidates[0]


def _group_999(
    group: Group, number: int, by_transaction: dict[int, list[Issue]], group_faults: list[Issue]
) -> list[str]:
    gs = group.gs
    first = group.transactions[0] if group.transactions else None
    functional_id = gs.get(1) if gs else FUNCTIONAL_IDS.get(first.st.get(1) if first else "", "HC")
    version = gs.get(8) if gs else (first.version if first else "")
    lines = [f"ST*999*{number:04d}*{VERSION}", "*".join(["AK1", functional_id, gs.get(6) if gs else "0", version])]
    accepted = 0
    for transaction in group.transactions:
        section, ok = _transaction_999(transaction, by_transaction.get(id(transaction), []))
        lines.extend(section)
        accepted += ok
    received = len(group.transactions)
    codes = list(dict.fromkeys(i.segment_error or "" for i in group_faults))[:5]
    status = "R" if codes or (received and not accepted) else "A" if accepted == received else "P"
    included = group.ge.get(1) if group.ge and group.ge.get(1).isdigit() else str(received)
    lines.append("*".join(["AK9", status, included, str(received), str(accepted), *codes]))
    lines.append(f"SE*{len(lines) + 1}*{number:04d}")
    return lines


def _transaction_999(transaction: Transaction, issues: list[Issue]) -> tuple[list[str], bool]:
    st = transaction.st
    lines = ["*".join(x for x in ["AK2", st.get(1), clean(st.get(2), 9), clean(st.get(3), 35)] if x)]
    set_codes = [i.segment_error or "" for i in issues if ENVELOPE_LEVEL.get(i.rule) == "transaction"]
    segment_issues = [i for i in issues if ENVELOPE_LEVEL.get(i.rule) is None and i.segment_id]
    if segment_issues:
        lines.extend(_segment_notes(transaction, segment_issues))
        set_codes.append("5")
    if not set_codes:
        lines.append("IK5*A")
        return lines, True
    lines.append("*".join(["IK5", "R", *list(dict.fromkeys(set_codes))[:5]]))
    return lines, False


def _segment_notes(transaction: Transaction, issues: list[Issue]) -> list[str]:
    by_segment: dict[tuple[str, int], list[Issue]] = defaultdict(list)
    for issue in issues:
        by_segment[(issue.segment_id or "", issue.segment_position or 0)].append(issue)
    delimiters = transaction.st.delimiters
    claim_loops = transaction.st.get(1) == CLAIM_KIND
    lines: list[str] = []
    for (seg_id, position), found in sorted(by_segment.items(), key=lambda item: item[0][1]):
        elements = [i for i in found if i.element_error]
        segment_codes = [i.segment_error for i in found if not i.element_error and i.segment_error]
        code = segment_codes[0] if segment_codes else "8"
        loop = (found[0].loop or "")[:4]  # IK303 holds at most 4 characters: the loop's number
        lines.append("*".join(["IK3", seg_id, str(position), loop, code]))
        if claim_loops and found[0].claim:
            lines.append(f"CTX*CLM01:{clean(found[0].claim, 35)}")
        for issue in elements:
            lines.append(_element_note(issue, delimiters))
    return lines


def _element_note(issue: Issue, delimiters: Delimiters) -> str:
    found = ELEMENT_REF.search(issue.element or "")
    index = int(found.group(1)) if found else 1
    component = int(found.group(2)) if found and found.group(2) else None
    where = f"{index}:{component}" if component else str(index)
    code = issue.element_error or "1"
    value = ""
    if issue.segment_text and code not in ("1", "2", "I6"):
        value = clean(_quoted_value(issue.segment_text, delimiters, index, component), 99)
    return "*".join(["IK4", where, issue.data_element or "", code, value]).rstrip("*")


def _quoted_value(text: str, delimiters: Delimiters, index: int, component: int | None) -> str:
    """Element ``index`` (or one of its components) of the segment text a finding quotes."""
    elements = text.split(delimiters.element)
    if index < 1 or index >= len(elements):
        return ""
    if component is None:
        return elements[index]
    parts = elements[index].split(delimiters.component)
    return parts[component - 1] if component <= len(parts) else ""


def x12_text(lines: list[str]) -> str:
    """Segments as X12 text: ``~`` and a line break after each."""
    return "".join(line + "~\n" for line in lines)
