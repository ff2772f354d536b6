"""One level's claims JSON object as cells, and back.

`flatten` moves each value a named column can hold exactly into its cell and leaves the
rest (as claims JSON) for the ``<level>_json`` column; `unflatten` reverses it and fills
the few values a billing export leaves out (procedure qualifier, unit type, PRV01).
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any

from edi.guides import claim_guide
from edi.rows.cells import KINDS, CellError
from edi.rows.columns import Column, of_level

PROVIDER_CODES = {"rendering": "PE", "attending": "AT"}


@dataclass(slots=True)
class Problem:
    """A cell that cannot be used: its column, its text and what was expected."""

    column: str
    cell: str
    expected: str
    row: int = 0

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """``row N, column C: 'cell' expected ...``; C names the file's own column when a map renamed it."""
        found = f" {self.cell!r}" if self.cell else ""
        label = (labels or {}).get(self.column)
        column = f"{label} ({self.column})" if label else self.column
        where = ", ".join(filter(None, (f"row {self.row}" if self.row else "", f"column {column}" if column else "")))
        return f"{where}:{found} expected {self.expected}"


@dataclass(slots=True)
class Reader:
    """Reads the cells of one level for the columns present in a file."""

    level: str
    present: tuple[Column, ...]
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def for_columns(cls, level: str, names: set[str]) -> Reader:
        chosen = [c for c in of_level(level) if c.name in names and c.kind != "key"]
        return cls(level, tuple(sorted(chosen, key=lambda c: c.kind != "json")))

    def read(self, cells: dict[str, str], guide: str) -> dict[str, Any]:
        """The level's object from ``cells``; problems are added to ``self.problems`` (without row numbers)."""
        obj: dict[str, Any] = {}
        for column in self.present:
            cell = cells.get(column.name, "")
            if not cell:
                if column.required:
                    self.problems.append(Problem(column.name, "", f"a value: every row needs {column.name}"))
                continue
            if not column.applies(guide):
                self.problems.append(
                    Problem(column.name, cell, f"an empty cell: the column is for {' '.join(column.guides)}")
                )
                continue
            try:
                value = KINDS[column.kind].decode(cell)
            except CellError as error:
                self.problems.append(Problem(column.name, cell, str(error)))
                continue
            if column.kind == "json":
                obj = value
            elif not _put(obj, column.path, value):
                self.problems.append(Problem(column.name, cell, f"an empty cell: {self.level}_json already gives it"))
        _complete(self.level, obj, guide)
        return obj


def flatten(obj: dict[str, Any], level: str, guide: str) -> dict[str, str]:
    """The cells of one level's object (its child loops already taken out)."""
    rest = copy.deepcopy(obj)
    if level == "line":
        _split_period(rest)
    cells: dict[str, str] = {}
    if not (level == "patient" and rest.get("relationship") == "18"):
        for column in of_level(level):
            if column.path and column.applies(guide):
                taken = _take(rest, column.path.split("."), KINDS[column.kind].encode)
                if taken is not None:
                    cells[column.name] = taken
    if rest:
        cells[f"{level}_json"] = str(KINDS["json"].encode(rest))
    return cells


def _take(obj: Any, parts: list[str], encode: Any) -> str | None:
    """Remove the value at ``parts`` and return its cell, when it has one; drop containers left empty."""
    head, rest = parts[0], parts[1:]
    if isinstance(obj, list):
        if head != "0" or not obj:
            return None
        found = obj[0]
    elif isinstance(obj, dict) and head in obj:
        found = obj[head]
    else:
        return None
    if rest:
        cell = _take(found, rest, encode)
        if cell is not None and found in ({}, [{}]):
            _drop(obj, head)
        return cell
    cell = encode(found)
    if cell is not None:
        _drop(obj, head)
    return cell if cell is None else str(cell)


def _drop(obj: Any, head: str) -> None:
    if isinstance(obj, list):
        obj[0] = {}
    else:
        del obj[head]


def _put(obj: dict[str, Any], path: str, value: Any) -> bool:
    """Set ``value`` at ``path`` (``0`` = the first list item); False when something is already there."""
    parts = path.split(".")
    target: Any = obj
    for part, after in itertools.pairwise(parts):
        empty: Any = [] if after == "0" else {}
        if isinstance(target, list):
            if not target:
                target.append({})
            target = target[0]
        else:
            target = target.setdefault(part, empty)
        if not isinstance(target, dict | list):
            return False
    last = parts[-1]
    if last in target:
        return False
    target[last] = value
    return True


def _split_period(line: dict[str, Any]) -> None:
    """A service period reads as service_date (its start) and service_date_end."""
    period = line.get("service_period")
    if "service_date" in line or not isinstance(period, dict) or set(period) != {"start", "end"}:
        return
    line["service_date"] = period["start"]
    line["service_period"] = {"end": period["end"]}


def _complete(level: str, obj: dict[str, Any], guide: str) -> None:
    """Fill what a billing export leaves out and the claims JSON needs."""
    if level == "line":
        period = obj.get("service_period")
        if isinstance(period, dict) and set(period) == {"end"} and "service_date" in obj:
            obj["service_period"] = {"start": obj.pop("service_date"), "end": period["end"]}
        procedure = obj.get("procedure")
        if isinstance(procedure, dict) and "code" in procedure:
            procedure.setdefault("qualifier", claim_guide(guide).procedure_qualifier)
        if "units" in obj and claim_guide(guide).unit_type:
            obj.setdefault("unit_type", "UN")
        drug = obj.get("drug")
        if isinstance(drug, dict) and "product_id" in drug:
            drug.setdefault("product_qualifier", "N4")
    elif level == "claim":
        for role, code in PROVIDER_CODES.items():
            provider = obj.get("providers", {}).get(role)
            if isinstance(provider, dict) and "taxonomy" in provider:
                provider.setdefault("provider_code", code)
        other = obj.get("other_payers")
        if isinstance(other, list) and other and isinstance(other[0], dict):
            _qualify(other[0])
    elif level == "subscriber":
        _qualify(obj)


def _qualify(coverage: dict[str, Any]) -> None:
    """A member ID without its qualifier is MI, a payer ID without one PI (NM108 of 2010BA/BB, 2330A/B)."""
    for key, qualifier in (("subscriber", "MI"), ("payer", "PI")):
        party = coverage.get(key)
        if isinstance(party, dict) and "id" in party:
            party.setdefault("id_qualifier", qualifier)
