"""Read one large file with several processes at once, one part each (`edi.x12.cuts`), joined in order.

This process reads the first part and forked processes the others, each into a temporary
file (and a result: `validate` returns its findings); the caller joins the parts' outputs
in order, which gives byte for byte what one process writes. Where a part meets anything
a part cannot answer for alone (a read error, segments its guide does not place in a
transaction set cut between parts), the caller reads the whole file in one process
instead, so the output and the error are always those of one read.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any, TextIO, cast

from edi.x12.cuts import Resume, Slice
from edi.x12.document import ReadWarning

MAX_JOBS = 4  # past this, the parts' contexts and joins cost more than they save


class Unusual(Exception):
    """A part met something that only a read of the whole file answers for."""


def default_jobs() -> int:
    """One process per core (at most `MAX_JOBS`); one where processes cannot be forked."""
    if not hasattr(os, "fork"):
        return 1
    return max(
        1, min(MAX_JOBS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    )


@dataclass(slots=True)
class Done:
    """What one part wrote (a temporary file, at its start) and what its work returned."""

    output: TextIO
    result: Any


Work = Callable[[Slice, TextIO], Any]


def run_parts(slices: list[Slice], work: Work) -> list[Done] | None:
    """Run ``work`` on every slice at once; its outputs in order, or None when a part could not be read alone.

    The caller owns the outputs and closes them.
    """
    outputs = [_spool() for _ in slices]
    statuses = [tempfile.TemporaryFile("w+b") for _ in slices[1:]]  # noqa: SIM115 - closed below
    sys.stdout.flush()
    sys.stderr.flush()
    children = []
    try:
        for part, output, status in zip(slices[1:], outputs[1:], statuses, strict=True):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the forked process; its output is checked by the parent
                os._exit(_child(work, part, output, status))
            children.append(pid)
        try:
            first = work(slices[0], outputs[0])
        except Exception:
            first = _FAILED
        results = [first]
        for pid, status in zip(children, statuses, strict=True):
            os.waitpid(pid, 0)
            status.seek(0)
            try:
                outcome, value = pickle.load(status)
            except (EOFError, pickle.UnpicklingError):
                outcome, value = "crash", None
            results.append(value if outcome == "ok" else _FAILED)
        children = []
    finally:
        for pid in children:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        for status in statuses:
            status.close()
    if any(result is _FAILED for result in results):
        for output in outputs:
            output.close()
        return None
    for output in outputs:
        output.seek(0)
    return [Done(output, result) for output, result in zip(outputs, results, strict=True)]


_FAILED = object()


def _spool() -> TextIO:
    return cast(TextIO, tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape"))


def _child(work: Work, part: Slice, output: TextIO, status: IO[bytes]) -> int:  # pragma: no cover - forked
    try:
        result: tuple[str, Any] = ("ok", work(part, output))
        output.flush()
        code = 0
    except Exception:
        result, code = ("failed", traceback.format_exc()), 2
    pickle.dump(result, status)
    status.flush()
    return code


def own_warnings(warnings: Iterable[ReadWarning], resume: Resume | None) -> list[ReadWarning]:
    """The warnings of a part about its own segments, not about the context it read again."""
    if resume is None:
        return list(warnings)
    return [w for w in warnings if _after(w.location.offset, w.location.line, resume)]


def _after(offset: int | None, line: int | None, resume: Resume) -> bool:
    if offset is not None:
        return offset >= resume.offset
    return line is None or line >= resume.line
