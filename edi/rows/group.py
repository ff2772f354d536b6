"""Claims rows to claims JSON, streamed: rows into claims, claims into loops and transaction sets.

A claim is a run of adjacent rows with the same ``claim_key`` or, without that column,
the same billing provider (NPI and ID) and patient control number; every row of a claim
carries the same values in every column above the line. A new billing provider,
subscriber, patient or transaction set starts where its key (or, without one, any of its
values) changes from the claim before. Transaction sets without a control number are cut
at ``max_claims`` claims (5,000, as the guides recommend) or before a claim would take
them past MAX_LINES service lines: the build holds one set at a time, so this bounds its
memory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from edi.errors import InputError
from edi.guides import CLAIM_GUIDES, PROFESSIONAL
from edi.rows.columns import LEVELS, columns, of_level
from edi.rows.levels import Problem, Reader
from edi.rows.write import CLAIM_IDENTITY

UPPER = LEVELS[:4]
MAX_CLAIMS = 5000
MAX_LINES = 10000
MAX_PROBLEMS = 20
DEFAULT_SEPARATORS = "*:^~"
UNCHECKED = ("interchange_delimiters",)
BHT_FIELDS = {"purpose", "reference", "created", "claim_or_encounter", "other_elements"}


@dataclass(slots=True)
class Claim:
    """One claim read from its rows, with the loops above it."""

    rows: list[int]
    guide: str
    heads: dict[str, dict[str, Any] | None]
    cells: dict[str, tuple[str, ...]]
    body: dict[str, Any]


@dataclass(slots=True)
class Located:
    """A transaction set's claims JSON and the row where each of its loops began."""

    document: dict[str, Any]
    loops: dict[tuple[str | int, ...], tuple[str, int]] = field(default_factory=dict)
    lines: dict[tuple[str | int, ...], list[int]] = field(default_factory=dict)


def fail(file: str, problems: list[Problem], labels: dict[str, str] | None = None) -> InputError:
    """The error for rows that cannot be used, each problem with its row and column (``labels``: the file's names)."""
    shown = [p.describe(labels) for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"... and {len(problems) - MAX_PROBLEMS} more")
    return InputError("the rows cannot be turned into claims", shown, file=file)


class ClaimReader:
    """Reads rows into `Claim` objects, one claim at a time."""

    def __init__(self, names: list[str], file: str, delimiters: str = "", labels: dict[str, str] | None = None) -> None:
        present = set(names)
        self.file = file
        self.labels = labels
        self.delimiters = delimiters
        self.separators = re.compile("[" + re.escape(delimiters or DEFAULT_SEPARATORS) + "]")
        self.texts = [
            c.name for c in columns() if c.name in present and c.kind in ("text", "list") and c.name not in UNCHECKED
        ]
        self.readers = {level: Reader.for_columns(level, present) for level in LEVELS}
        self.level_names = {level: [c.name for c in of_level(level) if c.name in present] for level in LEVELS}
        self.upper = [n for level in LEVELS[:5] for n in self.level_names[level]]
        self.keyed = "claim_key" in present
        self.seen: dict[bytes, int] = {}  # a digest of each claim's identity: its first row

    def claims(self, rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[Claim]:
        """Each claim of ``rows`` (row number, cells by column) in order."""
        current: Claim | None = None
        first: dict[str, str] = {}
        identity: tuple[str, ...] = ()
        for number, cells in rows:
            found = self._identity(cells)
            if current is not None and found == identity:
                self._same_claim(number, cells, first, current)
            else:
                if current is not None:
                    yield self._finish(current)
                key = _digest(found)
                if key in self.seen:
                    raise fail(self.file, [self._scattered(number, found)], self.labels)
                self.seen[key] = number
                current, first, identity = self._start(number, cells), cells, found
            self._line(number, cells, current)
        if current is not None:
            yield self._finish(current)

    def _identity(self, cells: dict[str, str]) -> tuple[str, ...]:
        if self.keyed:
            return (cells.get("claim_key", ""),)
        return tuple(cells.get(n, "") for n in CLAIM_IDENTITY)

    def _scattered(self, number: int, identity: tuple[str, ...]) -> Problem:
        column = "claim_key" if self.keyed else "patient_control_number"
        return Problem(
            column,
            identity[-1],
            "the rows of one claim next to each other: this claim began before another claim's rows "
            f"(first at row {self.seen[_digest(identity)]}); sort the rows by claim, or set claim_key",
            number,
        )

    def _same_claim(self, number: int, cells: dict[str, str], first: dict[str, str], claim: Claim) -> None:
        for name in self.upper:
            if cells.get(name, "") != first.get(name, ""):
                expected = (
                    f"{first.get(name, '')!r} as in row {claim.rows[0]}, where claim "
                    f"{first.get('patient_control_number', '')!r} began: every line of a claim carries the same "
                    "claim, patient, subscriber, provider and envelope values"
                )
                raise fail(self.file, [Problem(name, cells.get(name, ""), expected, number)], self.labels)

    def _start(self, number: int, cells: dict[str, str]) -> Claim:
        problems: list[Problem] = []
        if not self.delimiters:
            chosen = cells.get("interchange_delimiters") or DEFAULT_SEPARATORS
            self.separators = re.compile("[" + re.escape(chosen) + "]")
        guide = cells.get("transaction_type", "")
        if guide not in CLAIM_GUIDES:
            if guide:
                problems.append(Problem("transaction_type", guide, "837P, 837I or 837D"))
            guide = PROFESSIONAL
        heads: dict[str, dict[str, Any] | None] = {}
        for level in UPPER:
            heads[level] = self._read(level, cells, guide, problems)
        heads["patient"] = self._patient(cells, heads, problems)
        body = self._read("claim", cells, guide, problems)
        body["lines"] = []
        for problem in problems:
            problem.row = number
        if problems:
            raise fail(self.file, problems, self.labels)
        levels = {level: tuple(cells.get(n, "") for n in self.level_names[level]) for level in UPPER}
        return Claim([], guide, heads, levels, body)

    def _read(self, level: str, cells: dict[str, str], guide: str, problems: list[Problem]) -> dict[str, Any]:
        reader = self.readers[level]
        obj = reader.read(cells, guide)
        problems += reader.problems
        reader.problems.clear()
        return obj

    def _patient(
        self, cells: dict[str, str], heads: dict[str, dict[str, Any] | None], problems: list[Problem]
    ) -> dict[str, Any] | None:
        """The 2000C patient loop, or None when the subscriber is the patient."""
        patient = heads["patient"]
        names = [n for n in self.level_names["patient"] if cells.get(n)]
        if not names:
            return None
        if cells.get("patient_relationship") != "18" or cells.get("patient_json") or cells.get("patient_key"):
            return patient
        subscriber = heads["subscriber"]
        if subscriber is not None:
            subscriber.setdefault("relationship", "18")
        for name in names:
            twin = "subscriber" + name.removeprefix("patient")
            if name != "patient_relationship" and cells.get(twin, "") != cells[name]:
                expected = (
                    f"{cells.get(twin, '')!r} as in {twin}: patient_relationship 18 says the patient is the subscriber"
                )
                problems.append(Problem(name, cells[name], expected))
        return None

    def _line(self, number: int, cells: dict[str, str], claim: Claim) -> None:
        reader = self.readers["line"]
        line = reader.read(cells, claim.guide)
        if reader.problems or self._separated(cells):
            problems = list(reader.problems) + self._separated(cells)
            reader.problems.clear()
            for problem in problems:
                problem.row = number
            raise fail(self.file, problems, self.labels)
        claim.rows.append(number)
        claim.body["lines"].append(line)

    def _separated(self, cells: dict[str, str]) -> list[Problem]:
        """Cells holding a character the 837 uses as a separator."""
        out = []
        for name in self.texts:
            found = self.separators.search(cells.get(name, ""))
            if found:
                expected = (
                    f"no {found.group()!r}: the 837 separates elements and segments with it (or other --delimiters)"
                )
                out.append(Problem(name, cells[name], expected))
        return out

    def _finish(self, claim: Claim) -> Claim:
        body = claim.body
        if "charge" not in body and all("charge" in line for line in body["lines"]):
            body["charge"] = str(sum((Decimal(line["charge"]) for line in body["lines"]), Decimal(0)))
        return claim


class Assembler:
    """Puts claims into billing provider, subscriber and patient loops and transaction sets."""

    def __init__(
        self,
        names: list[str],
        file: str,
        max_claims: int = MAX_CLAIMS,
        now: datetime | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        present = set(names)
        self.file = file
        self.labels = labels
        self.now = now or datetime.now()
        self.max_claims = max_claims
        self.keys = {level: f"{level}_key" in present for level in UPPER}
        self.names = {level: [c.name for c in of_level(level) if c.name in present] for level in UPPER}
        self.current: Located | None = None
        self.path: dict[str, tuple[str | int, ...]] = {}
        self.held: dict[str, tuple[tuple[str, ...], int]] = {}
        self.objects: dict[str, dict[str, Any]] = {}
        self.count = self.lines = 0
        self.sets = 0

    def documents(self, claims: Iterable[Claim]) -> Iterator[Located]:
        """Each transaction set's claims JSON, as soon as the claims after it belong elsewhere."""
        for claim in claims:
            done = self._add(claim)
            if done is not None:
                yield done
        if self.current is not None:
            yield self.current

    def _changed(self, level: str, claim: Claim) -> bool:
        held = self.held.get(level)
        if held is None:
            return True
        cells, row = held
        new = claim.cells[level]
        if not self.keys[level]:
            return new != cells
        index = self.names[level].index(f"{level}_key")
        if new[index] != cells[index]:
            return True
        for name, was, now in zip(self.names[level], cells, new, strict=True):
            if was != now:
                expected = (
                    f"{was!r} as in row {row}, where {level}_key {cells[index]!r} began: "
                    f"rows with one {level}_key carry the same {level} values"
                )
                raise fail(self.file, [Problem(name, now, expected, claim.rows[0])], self.labels)
        return False

    def _add(self, claim: Claim) -> Located | None:
        done: Located | None = None
        start = next((n for n, level in enumerate(UPPER) if self._changed(level, claim)), len(UPPER))
        if start == 0 or (self._cut_due(claim) and start > 0):
            done, start = self.current, 0
            self._open_set(claim)
        for level in UPPER[max(start, 1) :]:
            self._open(level, claim)
        self._place(claim)
        return done

    def _cut_due(self, claim: Claim) -> bool:
        if self.keys["transaction"]:
            return False
        if self.count < self.max_claims and self.lines + len(claim.rows) <= MAX_LINES:
            return False
        head = claim.heads["transaction"] or {}
        return "control_number" not in head.get("transaction", {})

    def _open_set(self, claim: Claim) -> None:
        self.sets += 1
        self.count = self.lines = 0
        document = dict(claim.heads["transaction"] or {})
        transaction = dict(document.get("transaction", {}))
        transaction.setdefault("control_number", f"{self.sets:04d}")
        if not _has_bht(document, transaction):
            created = self.now.strftime("%Y-%m-%dT%H:%M")
            reference = f"{self.now:%Y%m%d%H%M}-{transaction['control_number']}"
            transaction.update(purpose="00", reference=reference, created=created, claim_or_encounter="claim")
        document["transaction"] = transaction
        document["billing_providers"] = []
        self.current = Located(document)
        self.current.loops[()] = ("transaction", claim.rows[0])
        self.path = {"transaction": ()}
        self.objects = {"transaction": document}
        self.held = {"transaction": (claim.cells["transaction"], claim.rows[0])}

    def _open(self, level: str, claim: Claim) -> None:
        assert self.current is not None
        self.held[level] = (claim.cells[level], claim.rows[0])
        head = claim.heads[level]
        if head is None:
            self.objects.pop(level, None)
            return
        parent, key = {
            "billing": ("transaction", "billing_providers"),
            "subscriber": ("billing", "subscribers"),
            "patient": ("subscriber", "patients"),
        }[level]
        obj = dict(head)
        siblings = self.objects[parent].setdefault(key, [])
        path = (*self.path[parent], key, len(siblings))
        siblings.append(obj)
        self.objects[level] = obj
        self.path[level] = path
        self.current.loops[path] = (level, claim.rows[0])

    def _place(self, claim: Claim) -> None:
        assert self.current is not None
        owner = "patient" if claim.heads["patient"] is not None else "subscriber"
        claims = self.objects[owner].setdefault("claims", [])
        path = (*self.path[owner], "claims", len(claims))
        claims.append(claim.body)
        self.current.loops[path] = ("claim", claim.rows[0])
        self.current.lines[path] = claim.rows
        self.count += 1
        self.lines += len(claim.rows)


def _digest(identity: tuple[str, ...]) -> bytes:
    """16 bytes that stand for a claim's identity, so that memory does not grow with whole keys."""
    return hashlib.blake2b("\x1f".join(identity).encode("utf-8", "surrogateescape"), digest_size=16).digest()


def _has_bht(document: dict[str, Any], transaction: dict[str, Any]) -> bool:
    """True when the rows give a BHT: named values, its other elements, or a whole segment."""
    extra = document.get("extra_segments", [])
    return bool(BHT_FIELDS & set(transaction)) or any(s.get("id") == "BHT" for s in extra if isinstance(s, dict))


def by_column(level: str, rest: list[str | int]) -> str:
    """The column holding the value at ``rest`` (a JSON path inside one level's object)."""
    text = [str(p) for p in rest]
    found = [c for c in of_level(level) if c.path and text[: c.path.count(".") + 1] == c.path.split(".")]
    if found:
        return max(found, key=lambda c: c.path.count(".")).name
    return f"{level}_json" if rest else ""
