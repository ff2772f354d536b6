"""Masking of protected health information (PHI) in what `edi` prints with ``--redact``.

Which elements carry PHI is said once, in `PHI`: names and IDs of people (NM1 of patients,
subscribers and every person), addresses (N3, N4 city and ZIP), birth and death dates (DMG,
PAT), member, patient and claim numbers (REF by qualifier, CLM01, CLP01, CLP07, CTX),
contacts (PER), group numbers (SBR) and free text (NTE, K3). A masked value keeps its length
and punctuation, each letter and digit becoming ``X``, so the segment's shape and the
position of a bad element stay visible (``NM1*IL*1*XXX*XXXX****MI*XXXXXXXXX``).

Positions are masked where the segment is known (segment text, structural JSON); every
value met there is also remembered by a `Redactor`, which masks it wherever else it shows
(messages, claims JSON, reconciliation tables).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from edi.x12.segment import Segment

MASK = "X"
MIN_TEXT_VALUE = 3  # shorter values are masked by position only: "M" or "TX" would mask ordinary text
MIN_NUMBER_VALUE = 5  # a shorter number ("123" of an address) would mask amounts and counts
_ALNUM = re.compile(r"[^\W_]")
_SEGMENT_ID = re.compile(r"[A-Z0-9]{2,3}")
_D8 = re.compile(r"((?:19|20)\d\d)(\d\d)(\d\d)")

PERSON_ROLES = frozenset({"IL", "QC", "74"})  # subscriber, patient, corrected insured: masked even as organizations
PHI_REFERENCES = frozenset(
    {"SY", "1W", "IG", "23", "EA", "EJ", "F8", "D9", "Y4", "3H", "1L", "6P", "G1", "9F", "9A", "9C", "BB", "HJ"}
)

Elements = Callable[[int], str]  # element by 1-based index


def _nm1(get: Elements) -> frozenset[int]:
    if get(1) in PERSON_ROLES or get(2) == "1":
        return frozenset({3, 4, 5, 7, 9})
    return frozenset()


def _ref(get: Elements) -> frozenset[int]:
    return frozenset({2, 3}) if get(1) in PHI_REFERENCES else frozenset()


def _fixed(*positions: int) -> Callable[[Elements], frozenset[int]]:
    chosen = frozenset(positions)
    return lambda get: chosen


PHI: dict[str, Callable[[Elements], frozenset[int]]] = {
    "NM1": _nm1,
    "N3": _fixed(1, 2),
    "N4": _fixed(1, 3),
    "DMG": _fixed(2),
    "PAT": _fixed(6, 8),
    "REF": _ref,
    "CLM": _fixed(1),
    "CLP": _fixed(1, 7),
    "PER": _fixed(2, 4, 6, 8),
    "SBR": _fixed(3, 4),
    "NTE": _fixed(2),
    "K3": _fixed(1),
    "CTX": _fixed(1),
}
# Keys of the ledger's reports and of business JSON whose values are PHI wherever they show.
PHI_FIELDS = frozenset({"patient_control_number", "patient_id", "patient_name", "payer_claim_control_number", "claim"})
COMPOSITE_LABELS = frozenset({"CTX"})  # the first component names the element (CLM01), the rest is the value


def phi_positions(segment_id: str, get: Elements) -> frozenset[int]:
    """The 1-based element positions of a segment that carry PHI."""
    rule = PHI.get(segment_id)
    return rule(get) if rule else frozenset()


def mask(value: str) -> str:
    """The value with every letter and digit replaced by ``X``."""
    return _ALNUM.sub(MASK, value)


def _label(value: str) -> str:
    """The first component of a CTX01-like composite (the element it names, ``CLM01``)."""
    match = re.match(r"[^\W_]*", value)
    return match.group(0) if match else ""


def _worth_masking(value: str) -> bool:
    """Long enough to mask wherever it appears without masking ordinary words or numbers."""
    if any(c.isalpha() for c in value):
        return len(value) >= MIN_TEXT_VALUE
    return len(value) >= MIN_NUMBER_VALUE


class Redactor:
    """Masks PHI by position in segments, and every PHI value it has met wherever else it appears."""

    def __init__(self) -> None:
        self.values: set[str] = set()  # masked wherever they appear in text
        self.exact: set[str] = set()  # masked where a whole JSON string equals them
        self._pattern: re.Pattern[str] | None = None

    def segment(self, segment: Segment) -> str:
        """The segment's text with its PHI elements masked, and any PHI value met before wherever it shows."""
        return self.text(self._masked(segment.id, segment.elements, segment.delimiters.element))

    def segment_text(self, text: str) -> str:
        """A segment's X12 text (``NM1*IL*1*DOE...``) masked as `segment` masks a segment."""
        found = _SEGMENT_ID.match(text)
        if not found or len(text) <= found.end() or text[found.end()].isalnum():
            return self.text(text)
        separator = text[found.end()]
        return self.text(self._masked(found.group(0), text[found.end() + 1 :].split(separator), separator))

    def _masked(self, segment_id: str, elements: list[str], separator: str) -> str:
        def get(index: int) -> str:
            return elements[index - 1] if 0 < index <= len(elements) else ""

        positions = phi_positions(segment_id, get)
        out = list(elements)
        for index in positions:
            if index <= len(out) and out[index - 1]:
                out[index - 1] = self._mask_value(out[index - 1], segment_id in COMPOSITE_LABELS)
        return separator.join([segment_id, *out])

    def _mask_value(self, value: str, labelled: bool) -> str:
        head = _label(value) if labelled else ""
        rest = value[len(head) :]
        self.learn(rest[1:] if head else rest)
        return head + mask(rest)

    def learn(self, value: str) -> None:
        """Remember a PHI value (and its parts) so that `text` masks it anywhere."""
        whole = value.strip()
        if len(whole) >= 2:
            self.exact.add(whole)
        date = _D8.fullmatch(whole)
        if date:  # business JSON and messages show dates as ISO dates
            self.learn("-".join(date.groups()))
        words = [w for w in re.split(r"[^\w.\-]+", whole) if any(c.isalpha() for c in w)]
        fresh = {p for p in (whole, *words) if _worth_masking(p) and p not in self.values}
        if fresh:
            self.values |= fresh
            self._pattern = None

    def learn_fields(self, value: Any) -> None:
        """Remember the values of every `PHI_FIELDS` key of a JSON-like value, at any depth."""
        if isinstance(value, list):
            for item in value:
                self.learn_fields(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key in PHI_FIELDS and isinstance(item, str):
                    self.learn(item)
                else:
                    self.learn_fields(item)

    def learn_segments(self, segments: Iterable[Segment]) -> None:
        """Remember the PHI values of every segment."""
        for segment in segments:
            if segment.id in PHI:
                self.segment(segment)

    def text(self, text: str) -> str:
        """``text`` with every remembered PHI value masked."""
        if not self.values or not text:
            return text
        if self._pattern is None:
            alternatives = "|".join(re.escape(v) for v in sorted(self.values, key=len, reverse=True))
            self._pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")
        return self._pattern.sub(lambda m: mask(m.group(0)), text)

    def data(self, value: Any) -> Any:
        """A JSON-like value with every string holding a remembered PHI value masked."""
        if isinstance(value, str):
            return mask(value) if value.strip() in self.exact else self.text(value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        return value

    def structure(self, value: Any) -> Any:
        """Structural JSON (``edi.structure/1``) with the PHI elements of every segment masked by position."""
        if isinstance(value, list):
            return [self.structure(v) for v in value]
        if not isinstance(value, dict):
            return value
        segment_id, elements = value.get("id"), value.get("elements")
        if isinstance(segment_id, str) and isinstance(elements, dict):
            return {**value, "elements": self._structure_elements(segment_id, elements)}
        return {k: self.structure(v) for k, v in value.items()}

    def _structure_elements(self, segment_id: str, elements: dict[str, Any]) -> dict[str, Any]:
        def get(index: int) -> str:
            found = elements.get(f"{segment_id}{index:02d}", "")
            return found if isinstance(found, str) else ""

        positions = phi_positions(segment_id, get)
        out = dict(elements)
        for index in positions:
            key = f"{segment_id}{index:02d}"
            if key in out:
                out[key] = self._mask_element(out[key], segment_id in COMPOSITE_LABELS)
        return out

    def _mask_element(self, value: Any, labelled: bool) -> Any:
        if isinstance(value, str):
            self.learn(value)
            return mask(value)
        if isinstance(value, list):
            head = [value[0]] if labelled and value else []
            return head + [self._mask_element(v, False) for v in value[len(head) :]]
        if isinstance(value, dict):
            return {k: self._mask_element(v, labelled) for k, v in value.items()}
        return value
