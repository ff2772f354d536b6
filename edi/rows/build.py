"""Claims rows to an 837, streamed one transaction set at a time through the claims builder.

Each transaction set's claims JSON is checked against the claims schema (every problem
named by row and column), then built and re-read by `edi.claims.build.stream_837`, the
same code `edi build` runs on claims JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, TextIO

from edi.claims import FORMAT
from edi.claims.build import stream_837
from edi.claims.envelope import EnvelopeOptions
from edi.rows.group import MAX_CLAIMS, Assembler, ClaimReader, Located, by_column, fail
from edi.rows.levels import Problem
from edi.rows.source import Rows
from edi.schemas import validator
from edi.x12.segment import Delimiters


def claims_documents(
    rows: Rows, file: str = "", max_claims: int = MAX_CLAIMS, delimiters: str = "", now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The claims JSON of each transaction set the rows make, checked against the claims schema.

    ``delimiters`` (the four characters of ``--delimiters``) are refused in text cells; without
    them, those of the interchange_delimiters column or ``*:^~``.
    """
    reader = ClaimReader(rows.names, file, delimiters, rows.labels)
    for located in Assembler(rows.names, file, max_claims, now, rows.labels).documents(reader.claims(rows.rows)):
        yield checked(located, file, rows.labels)


def checked(located: Located, file: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The transaction set's claims JSON; `InputError` naming row and column for each schema problem."""
    document = {"format": FORMAT, **located.document}
    located.document = {}  # the caller holds the only reference, and lets it go once the set is built
    errors = validator("claims").iter_errors(document)
    problems = [
        _locate(located, list(e.absolute_path), f"what the claims schema accepts ({e.message})") for e in errors
    ]
    if problems:
        raise fail(file, sorted(problems, key=lambda p: p.row), labels)
    del document["format"]
    return document


def _locate(located: Located, path: list[str | int], message: str) -> Problem:
    """The row and column of the value at JSON ``path`` in a transaction set."""
    for size in range(len(path), -1, -1):
        prefix = tuple(path[:size])
        if prefix in located.lines and len(path) > size + 1 and path[size] == "lines":
            index = path[size + 1]
            rows = located.lines[prefix]
            row = rows[index] if isinstance(index, int) and index < len(rows) else rows[0]
            return Problem(by_column("line", path[size + 2 :]) or "(the line)", "", message, row)
        if prefix in located.loops:
            level, row = located.loops[prefix]
            return Problem(by_column(level, path[size:]) or f"(the {level} loop)", "", message, row)
    return Problem("", "", message)


def build_rows(
    rows: Rows,
    out: TextIO,
    file: str = "",
    options: EnvelopeOptions | None = None,
    delimiters: Delimiters | None = None,
    warn: Callable[[str], None] | None = None,
    max_claims: int = MAX_CLAIMS,
    now: datetime | None = None,
    check: bool = True,
) -> None:
    """Write the 837 of claims rows to ``out``; the caller discards ``out`` when this raises.

    ``check=False`` writes a faithful copy of claims that break SNIP 1-2 (see `build_837`).

    A transaction set whose rows give no BHT values gets purpose 00, a claim, created
    ``now`` (default: the time of the build) and a reference made of that time and ST02.
    """
    stamp = now or datetime.now().replace(second=0, microsecond=0)
    chosen = "".join(c for c in (delimiters.separators() if delimiters else ()) if c)
    documents: Iterable[dict[str, Any]] = claims_documents(rows, file, max_claims, chosen, stamp)
    try:
        for text in stream_837(documents, file, options, delimiters, stamp, warn, check):
            out.write(text)
    finally:
        rows.close()
