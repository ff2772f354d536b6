"""Structural JSON of a large file, read by two processes: one per half, joined in order.

The file is cut at a transaction set near its middle (`edi.x12.split.find_cut`). A forked
process reads the second half into a temporary file while this one reads the first half
and writes it out; the second half is then copied after it. The output is byte for byte
what one process would write. Where no safe cut exists, or ``fork`` is not available,
the file is read by one process.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
import tempfile
import traceback
from itertools import chain
from pathlib import Path
from typing import BinaryIO, TextIO

from edi.convert.structure import JsonStream
from edi.errors import EdiError, ReadError
from edi.x12.document import ReadWarning
from edi.x12.reader import Reader
from edi.x12.split import MINIMUM_SIZE, Cut, Part, find_cut


def default_jobs() -> int:
    """Two processes where the machine has two cores or more."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def parse_to_json(path: Path, out: TextIO, jobs: int, minimum: int = MINIMUM_SIZE) -> list[ReadWarning]:
    """Write the structural JSON of ``path`` to ``out``; return the reader's warnings.

    With ``jobs`` above 1, a file of ``minimum`` bytes or more is read in two halves at once.
    """
    cut = find_cut(path, minimum) if jobs > 1 and hasattr(os, "fork") else None
    stream = JsonStream(out)
    if cut is None:
        reader = Reader(str(path), units=True)
        with path.open("rb") as source:
            events = reader.events(source)
            first = next(events, None)  # a file that cannot be read at all writes nothing
            stream.begin(str(path))
            stream.body(chain([first] if first else [], events))
        warnings = reader.warnings
    else:
        stream.begin(str(path))
        warnings = _two_halves(path, cut, stream, out)
    stream.end(warnings)
    return warnings


def _two_halves(path: Path, cut: Cut, stream: JsonStream, out: TextIO) -> list[ReadWarning]:
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape") as second,
        tempfile.TemporaryFile("w+b") as status,
    ):
        out.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the forked process; its output is checked by the parent
            os._exit(_read_second_half(path, cut, second, status))
        reader = Reader(str(path), units=True)
        try:
            with Part(path, 0, cut.offset) as first:
                stream.body(reader.events(first, partial=True))
        except BaseException:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise
        os.waitpid(pid, 0)
        status.seek(0)
        outcome, payload = pickle.load(status)
        if outcome == "error":
            message, location, expected = payload
            raise ReadError(message, location, expected)
        if outcome != "ok":
            raise RuntimeError(f"reading the second half of {path} failed:\n{payload}")
        second.seek(0)
        shutil.copyfileobj(second, out)
    # The second half read the ISA and GS again as context: keep its warnings from the cut on.
    later = [w for w in payload if w.location.line is None or w.location.line >= cut.line]
    return reader.warnings + later


def _read_second_half(path: Path, cut: Cut, out: TextIO, status: BinaryIO) -> int:  # pragma: no cover - forked
    reader = Reader(str(path), cut.line - cut.context_lines, cut.offset - len(cut.context), units=True)
    try:
        with Part(path, cut.offset, None, cut.context) as second:
            JsonStream(out).body(reader.events(second, resume=True), continuing=True)
        out.flush()
        result: tuple[str, object] = ("ok", reader.warnings)
        code = 0
    except EdiError as error:
        result, code = ("error", (error.message, error.location, error.expected)), 2
    except BaseException:
        result, code = ("crash", traceback.format_exc()), 3
    pickle.dump(result, status)
    status.flush()
    return code
