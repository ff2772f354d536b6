"""Claims rows from a CSV or Parquet file, renamed and completed by a column map.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first claim row
is row 2. Cells are read as text with surrounding spaces removed; Parquet values are
turned into text (dates as YYYY-MM-DD, decimals as written, never through a float).
"""

from __future__ import annotations

import csv
import difflib
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from edi.errors import InputError
from edi.rows.columns import by_name, columns
from edi.rows.group import fail
from edi.rows.levels import Problem

HEADER = 1
BATCH = 1024  # Parquet rows turned into Python text at a time: with one thread, reading costs about 30 MB
FORMATS = (".csv", ".parquet")


@dataclass(slots=True)
class ColumnMap:
    """How a billing system's export becomes claims rows: renamed columns, constants, ignored columns."""

    rename: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    ignore: set[str] = field(default_factory=set)


def load_map(path: Path) -> ColumnMap:
    """Read a TOML column map: ``[columns]`` export name = our name, ``[constants]`` our name = value, ``ignore``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the column map: {exc}", file=str(path)) from exc
    problems = [f"unknown key {k!r}; expected columns, constants or ignore" for k in data if k not in _MAP_KEYS]
    rename = _table(data, "columns", problems)
    constants = _table(data, "constants", problems)
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        problems.append("ignore: expected a list of column names")
        ignore = []
    for source, target in rename.items():
        if target not in by_name():
            problems.append(f"columns: {source!r} = {target!r}: expected {_unknown(target)}")
    for target in constants:
        if target not in by_name():
            problems.append(f"constants: {target!r}: expected {_unknown(target)}")
    if problems:
        raise InputError("the column map cannot be used", problems, file=str(path))
    return ColumnMap(rename, constants, set(ignore))


_MAP_KEYS = ("columns", "constants", "ignore")


def _table(data: dict[str, Any], name: str, problems: list[str]) -> dict[str, str]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        problems.append(f"{name}: expected a table")
        return {}
    out = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            problems.append(f"{name}: {key!r}: expected text")
            continue
        out[key] = str(value)
    return out


def _unknown(name: str) -> str:
    close = difflib.get_close_matches(name, list(by_name()), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"a column of the claims rows layout{hint}"


@dataclass(slots=True)
class Rows:
    """The columns a file gives (after the map) and its rows, read as they are asked for."""

    names: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    labels: dict[str, str] = field(default_factory=dict)
    close: Callable[[], None] = lambda: None


def open_rows(path: Path, column_map: ColumnMap | None = None) -> Rows:
    """The claims rows of a CSV or Parquet file; the header is checked before any row is read."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"expected a .csv or .parquet file of claims rows, not {suffix or 'no extension'!r}", file=file
        )
    header, records, close = _parquet(path) if suffix == ".parquet" else _csv(path)
    chosen = column_map or ColumnMap()
    try:
        names, targets = _columns(header, chosen, file)
    except InputError:
        close()
        raise
    constants = dict(chosen.constants)

    unnamed = {n for n, name in enumerate(header) if not name}

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, values in records:
            extra = [n for n, v in enumerate(values) if (n >= len(header) or n in unnamed) and v.strip()]
            if extra:
                where = f"number {extra[0] + 1} (unnamed)"
                raise fail(
                    file, [Problem(where, values[extra[0]], "no value where the header names no column", number)]
                )
            cells = {t: v.strip() for t, v in zip(targets, values, strict=False) if t}
            cells.update(constants)
            yield number, cells

    labels = {t: name for name, t in zip(header, targets, strict=True) if t and t != name}
    labels.update({name: "a --map constant" for name in constants})
    return Rows(names, rows(), labels, close)


def _columns(header: list[str], column_map: ColumnMap, file: str) -> tuple[list[str], list[str]]:
    """Our name for each header column ("" for an ignored one) and every column given."""
    problems: list[Problem] = []
    targets: list[str] = []
    given: dict[str, str] = {}
    for name in header:
        target = column_map.rename.get(name, name)
        if name in column_map.ignore or not name:
            targets.append("")
            continue
        if target not in by_name():
            problems.append(Problem(name, "", f"{_unknown(target)}, a [columns] entry of --map, or ignore", HEADER))
        elif target in given:
            problems.append(Problem(name, "", f"one column for {target} (also given by {given[target]!r})", HEADER))
        given[target] = name
        targets.append(target)
    for target in column_map.constants:
        if target in given:
            problems.append(Problem(given[target], "", f"no column: --map sets {target} as a constant", HEADER))
    present = set(given) | set(column_map.constants)
    for column in columns():
        if column.required and column.name not in present:
            problems.append(Problem(column.name, "", "this column in the header row (or from --map)", HEADER))
    if problems:
        raise fail(file, problems)
    return [c.name for c in columns() if c.name in present], targets


Records = tuple[list[str], Iterator[tuple[int, list[str]]], Callable[[], None]]


def _csv(path: Path) -> Records:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"cannot read the rows: {exc}", file=str(path)) from exc
    reader = csv.reader(handle)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        handle.close()
        raise InputError("the file is empty; expected a header row and claim rows", file=str(path)) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise InputError(f"cannot read the header row: {exc}", file=str(path)) from exc

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(reader, start=HEADER + 1):
                if any(values):
                    yield number, values
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"row {reader.line_num}: cannot read the CSV: {exc}", file=str(path)) from exc

    return header, records(), handle.close


def _parquet(path: Path) -> Records:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read the Parquet file: {exc}", file=str(path)) from exc
    header = list(parquet.schema_arrow.names)

    def records() -> Iterator[tuple[int, list[str]]]:
        number = HEADER
        for batch in parquet.iter_batches(batch_size=BATCH, use_threads=False):
            values = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for row in zip(*values, strict=True):
                number += 1
                yield number, [_text(v) for v in row]

    return header, records(), parquet.close


def _text(value: Any) -> str:
    """A Parquet value as cell text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes") if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
