"""Structural JSON of a large file, its parts read by several processes at once and joined in order.

The file is cut at transaction sets or at claims (`edi.x12.cuts`); each part's JSON is
written by its own process (`edi.parallel`) and the pieces are joined, which gives byte
for byte what one process writes. Where no cut can be made, or a part cannot be read
alone, the file is read by one process.
"""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import TextIO

from edi.convert.structure import JsonStream
from edi.output import copy_text
from edi.parallel import Unusual, own_warnings, run_parts
from edi.x12.cuts import Slice, plan
from edi.x12.document import ReadWarning
from edi.x12.reader import Reader


def parse_to_json(path: Path, out: TextIO, jobs: int, minimum: int | None = None) -> list[ReadWarning]:
    """Write the structural JSON of ``path`` to ``out``; return the reader's warnings.

    With ``jobs`` above 1, a file of ``minimum`` bytes or more (`MINIMUM_SIZE`) is read in that many parts at once.
    """
    slices = plan(path, jobs, minimum)
    done = run_parts(slices, lambda part, spool: _part(path, part, spool)) if slices else None
    stream = JsonStream(out)
    if done is None:
        reader = Reader(str(path), units=True)
        with path.open("rb") as source:
            events = reader.events(source)
            first = next(events, None)  # a file that cannot be read at all writes nothing
            stream.begin(str(path))
            stream.body(chain([first] if first else [], events))
        warnings = reader.warnings
    else:
        stream.begin(str(path))
        warnings = []
        for part in done:
            copy_text(part.output, out)
            part.output.close()
            warnings.extend(part.result)
    stream.end(warnings)
    return warnings


def _part(path: Path, part: Slice, out: TextIO) -> list[ReadWarning]:
    """Write one part's JSON; return its own warnings."""
    reader = Reader(str(path), units=True)
    resumed_at = part.resume.offset if part.resume else None
    JsonStream(out).body(reader.slice_events(path, part), resumed_at)
    if reader.spanning_unplaced:
        raise Unusual("segments the guide did not place, in a transaction set cut between parts")
    return own_warnings(reader.warnings, part.resume)
