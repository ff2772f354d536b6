"""The claims rows side of `edi build` and `edi read`: CSV or Parquet rows to an 837, and back."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from edi.errors import InputError

if TYPE_CHECKING:
    from edi.claims.envelope import EnvelopeOptions
    from edi.x12.segment import Delimiters

ROW_FORMATS = (".csv", ".parquet")


def is_rows(file: Path) -> bool:
    """True for a file of claims rows (by its extension)."""
    return file.suffix.lower() in ROW_FORMATS


def build_from_rows(
    file: Path,
    column_map: Path | None,
    output: Path | None,
    options: EnvelopeOptions,
    delimiters: Delimiters | None,
    warn: Callable[[str], None],
) -> None:
    """Build the 837 of a rows file; on any error nothing is written."""
    from edi.rows.build import build_rows
    from edi.rows.source import load_map, open_rows

    rows = open_rows(file, load_map(column_map) if column_map else None)
    with _all_or_nothing(output) as out:
        build_rows(rows, out, str(file), options, delimiters, warn)


@contextlib.contextmanager
def _all_or_nothing(output: Path | None) -> Iterator[TextIO]:
    """A text stream that reaches ``output`` (or standard output) only when the block ends without an error."""
    options: dict[str, Any] = {"encoding": "utf-8", "newline": "", "errors": "surrogateescape"}
    if output is None:
        with tempfile.TemporaryFile("w+", **options) as spool:
            yield spool
            spool.seek(0)
            shutil.copyfileobj(spool, sys.stdout)
        return
    part = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        with part.open("x", **options) as handle:
            yield handle
        os.replace(part, output)
    finally:
        part.unlink(missing_ok=True)


def write_rows(data: dict[str, Any], output: Path | None, parquet: bool) -> None:
    """Write claims JSON as claims rows: CSV to ``output`` or standard output, Parquet to ``output``."""
    from edi.rows.write import write_csv, write_parquet

    if parquet or (output is not None and output.suffix.lower() == ".parquet"):
        if output is None:
            raise InputError("--parquet needs -o OUT: Parquet is not written to standard output")
        write_parquet(data, output)
    else:
        write_csv(data, output, sys.stdout)
