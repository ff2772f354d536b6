"""Validate a large file in two halves at once: this process the first, a forked one the second.

The file is cut at a transaction set near its middle (`edi.x12.split.find_cut`). The forked
process reads the second half (after the ISA and GS it continues, as context), validates
its transaction sets and writes one record per event to a temporary file, in batches: each
set's ST, SE and findings, and the envelope segments it meets. This process validates the first
half, then takes those records as if it had read them, so the envelope rules, the order
of the findings and the 999 are what one process gives.
"""

from __future__ import annotations

import io
import multiprocessing
import pickle
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from edi.errors import EdiError, ReadError
from edi.guides.registry import guide_by_id
from edi.validate.issue import Issue
from edi.validate.runner import Run
from edi.x12.document import Document, Group, Interchange, Transaction
from edi.x12.lalr import Loop
from edi.x12.reader import Event, Reader
from edi.x12.split import Cut, Part

Record = tuple[Any, ...]  # (kind, values ...), as `_record` writes and `_take` reads
# Records pickled together: what they share (the delimiters of every segment, guide IDs) is written and read once
# per batch rather than once per record, while the batch in hand stays small.
BATCH = 256


def validate_halves(path: str | Path, cut: Cut, max_snip: int, document: Document, keep_sets: bool) -> list[Issue]:
    """The findings of the whole file, the second half validated by a forked process."""
    run = Run(str(path), max_snip, None, document, keep_sets)
    forking = multiprocessing.get_context("fork")
    with tempfile.TemporaryFile() as records:
        helper = forking.Process(target=_second_half, args=(path, cut, max_snip, records), daemon=True)
        helper.start()
        try:
            with Part(Path(path), 0, cut.offset) as first:
                run.events(Reader(str(path), units=True).events(first, partial=True))
        except BaseException:
            helper.terminate()
            helper.join()
            raise
        helper.join()
        records.seek(0)
        for record in _records(records):
            _take(run, record)
    return run.issues


def _second_half(path: str | Path, cut: Cut, max_snip: int, out: IO[bytes]) -> None:
    """The forked process: validate the sets after the cut and write a record per event, then how it ended."""
    batch: list[Record] = []
    try:
        run = Run(str(path), max_snip)
        for event in Reader(str(path)).events(io.BytesIO(cut.context), partial=True):
            _follow(run, event)  # the interchange and group that the second half continues
        reader = Reader(str(path), cut.line - cut.context_lines, cut.offset - len(cut.context), units=True)
        with Part(Path(path), cut.offset, None, cut.context) as second:
            for event in reader.events(second, resume=True):
                if event.kind == "unit":
                    run.unit(event.value)
                    continue
                batch.append(_record(run, event))
                if len(batch) == BATCH:
                    pickle.dump(batch, out)
                    batch = []
        ending: Record = ("done",)
    except EdiError as error:
        ending = ("error", error.message, error.location, error.expected)
    except Exception:
        ending = ("crash", traceback.format_exc())
    pickle.dump([*batch, ending], out)
    out.flush()


def _follow(run: Run, event: Event) -> None:
    """Keep the run's open interchange and group, which the checks of the next sets read."""
    if event.kind == "interchange":
        run.interchange = event.value
    elif event.kind == "group":
        run.group = event.value


def _record(run: Run, event: Event) -> Record:
    """What the first process needs of one event of the second half."""
    kind, value = event.kind, event.value
    _follow(run, event)
    if kind == "transaction":
        transaction: Transaction = value
        guide = transaction.guide.id if transaction.guide else None
        return kind, transaction.st, transaction.se, guide, transaction.version, run.check(transaction)
    if kind == "interchange":
        return kind, value.isa, value.delimiters
    if kind == "group":
        return kind, value.gs
    if kind == "group_end":
        return kind, value.ge
    if kind == "interchange_end":
        return kind, value.iea
    return kind, value  # a TA1 segment


def _records(stream: IO[bytes]) -> Iterator[Record]:
    """The records of the second half, up to its ending (an error ending raises)."""
    while True:
        try:
            batch: list[Record] = pickle.load(stream)
        except EOFError:
            raise EdiError("the process validating the second half of the file stopped early") from None
        for record in batch:
            if record[0] == "done":
                return
            if record[0] == "error":
                raise ReadError(record[1], record[2], record[3])
            if record[0] == "crash":
                raise EdiError(f"validating the second half of the file failed:\n{record[1]}")
            yield record


def _take(run: Run, record: Record) -> None:
    """Take one record of the second half as if this process had read and validated it."""
    kind = record[0]
    if kind == "transaction":
        st, se, guide, version, found = record[1:]
        run.add(Transaction(Loop("ST", [st, se]), guide_by_id(guide) if guide else None, version), found)
    elif kind == "interchange":
        run.on(Event("interchange", Interchange(record[1], record[2])))
    elif kind == "group":
        group = Group(record[1])
        assert run.interchange is not None
        run.interchange.groups.append(group)
        run.on(Event("group", group))
    elif kind == "group_end":
        assert run.group is not None
        run.group.ge = record[1]
    elif kind == "interchange_end":
        assert run.interchange is not None
        run.interchange.iea = record[1]
        run.on(Event("interchange_end", run.interchange))
    else:
        assert run.interchange is not None
        run.interchange.ta1.append(record[1])
