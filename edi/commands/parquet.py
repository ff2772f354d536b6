"""`--parquet DIR` for `edi read` and `edi validate`: files to the tidy tables, one file per pool process."""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from rich.markup import escape

from edi.commands.common import stderr, stdout
from edi.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, InputError
from edi.output import is_stdio
from edi.table_files import Mode, file_batches
from edi.tables import FINDING_TABLES, SCHEMAS, write_parquet

READ_TABLES = tuple(name for name in SCHEMAS if name != "findings")

Batches = list[tuple[str, pa.RecordBatch]]


def write_tables(directory: Path, files: list[Path], mode: Mode, jobs: int = 0, snip: int = 5) -> int:
    """Write the tables of ``files`` under ``directory`` with ``jobs`` processes (0: one per core).

    Every file is read, whatever happens to the others; one that cannot be read becomes rows of the
    errors table. Returns the exit code: 2 when the errors table has rows, else (validate) 1 when a
    finding is an error, else 0.
    """
    if any(is_stdio(file) for file in files):
        raise InputError("--parquet reads files by path, not standard input ('-')")
    names = FINDING_TABLES if mode == "validate" else READ_TABLES
    processes = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    tally = _Tally()
    counts = write_parquet(directory, tally.watch(_results(files, mode, snip, processes)), names)
    for message in tally.errors:
        stderr.print(f"[bold red]error[/]: {escape(message)}", soft_wrap=True, emoji=False)
    tables = ", ".join(f"{name} {counts[name]}" for name in names)
    stdout.print(f"{escape(str(directory))}: {len(files)} files, rows per table: {tables}", soft_wrap=True)
    if tally.errors:
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if tally.error_findings else EXIT_OK


def _results(files: list[Path], mode: Mode, snip: int, processes: int) -> Iterator[Batches]:
    """Each file's batches, in the order of ``files``: read here, or by a pool of ``processes``."""
    if processes == 1:
        for file in files:
            yield file_batches(file, mode, snip)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        yield from pool.map(file_batches, files, itertools.repeat(mode), itertools.repeat(snip), chunksize=1)


class _Tally:
    """Watches the batches go by: the error messages, and how many findings are errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.error_findings = 0

    def watch(self, results: Iterable[Batches]) -> Iterator[tuple[str, pa.RecordBatch]]:
        for batches in results:
            for name, batch in batches:
                if name == "errors":
                    self.errors += [str(message) for message in batch.column("message").to_pylist()]
                elif name == "findings":
                    self.error_findings += pc.sum(pc.equal(batch.column("severity"), "error")).as_py() or 0
                yield name, batch
