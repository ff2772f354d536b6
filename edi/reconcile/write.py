"""A reconciliation written as its claims are read: JSON, CSV or the table, holding one chunk of claims at a time.

The text is the same as `edi.reconcile.render` gives for the whole `Reconciliation`. The table
needs every row to size its columns, so its rows are first spooled to a temporary file while
the widest cells are noted; rich then sizes the columns from those cells alone and draws the
rows a chunk at a time.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import IO, Any, Protocol, TextIO

import orjson
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from edi.reconcile import SkippedFile, Tally, Totals
from edi.reconcile.extract import ClaimPayment, ProviderAdjustment, Remittance
from edi.reconcile.ledger import ClaimResult
from edi.reconcile.render import (
    CSV_COLUMNS,
    FORMAT,
    HISTORY_WIDTH,
    TABLE_SETTINGS,
    _adjustment,
    _skipped,
    _totals,
    add_columns,
    claim_json,
    claim_note,
    closing,
    csv_rows,
    listed,
    plain_cells,
    renderables,
    shown_cells,
    summary,
)
from edi.reconcile.share import SHARE_TYPES, ZERO

SPOOL_IN_MEMORY = 4_000_000
ROWS_PER_DRAW = 500
Mask = Callable[[Any], Any]
MaskText = Callable[[str], str]


class Streamed(Protocol):
    """A reconciliation whose claims and unmatched CLPs are read as they are written."""

    provider_adjustments: tuple[tuple[Remittance, ProviderAdjustment], ...]
    payments: Decimal
    skipped_files: tuple[SkippedFile, ...]

    def claims(self) -> Iterator[ClaimResult]:
        """Every claim reconciled, in order."""

    def unmatched(self) -> Iterator[ClaimPayment]:
        """The CLPs that answer no claim, in order."""


def unmasked(value: Any) -> Any:
    """A value as it is (no mask)."""
    return value


def _spool() -> IO[str]:
    return tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY, mode="w+", encoding="utf-8")


def _lines(spool: IO[str]) -> Iterator[str]:
    """Each line written to ``spool``, without its newline; the spool is closed after."""
    spool.seek(0)
    with spool:
        for line in spool:
            yield line[:-1]


def write_json(result: Streamed, out: TextIO, mask: Mask = unmasked) -> None:
    """The reconciliation as `json.dumps(to_json(...), indent=2)` writes it, one claim at a time."""
    tally = Tally()
    with _spool() as open_claims:
        out.write("{\n  " + f'"format": {json.dumps(mask(FORMAT))},\n  "claims": ')
        _json_list(out, (claim_json(c) for c in _counted(result.claims(), tally, open_claims)), mask)
        out.write(',\n  "unmatched_remittance_claims": ')
        _json_list(out, (p.patient_control_number for p in _unmatched(result.unmatched(), tally)), mask)
        out.write(',\n  "open_claims": ')
        _json_list(out, _lines(open_claims), mask)
    out.write(',\n  "provider_adjustments": ')
    _json_list(out, (_adjustment(r, a) for r, a in result.provider_adjustments), mask)
    out.write(',\n  "skipped_files": ')
    _json_list(out, (_skipped(s) for s in result.skipped_files), mask)
    totals = tally.totals(result.provider_adjustments, result.payments)
    out.write(',\n  "totals": ' + _indented(mask(_totals(totals)), "  ") + "\n}\n")


def _indented(value: Any, indent: str) -> str:
    """``value`` as `json.dumps(value, indent=2)` writes it, its lines after the first indented by ``indent``.

    orjson writes the same text many times faster, except where the standard library escapes
    a character that orjson does not (outside ASCII, or DEL) or orjson refuses a value: those take
    the slow way.
    """
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except TypeError:
        text = ""
    if not text or not text.isascii() or "\x7f" in text:
        text = json.dumps(value, indent=2)
    return text.replace("\n", "\n" + indent)


def _json_list(out: TextIO, items: Iterable[Any], mask: Mask) -> None:
    """A list of the top-level object, written item by item."""
    first = True
    for item in items:
        out.write(("[\n    " if first else ",\n    ") + _indented(mask(item), "    "))
        first = False
    out.write("[]" if first else "\n  ]")


def _counted(claims: Iterator[ClaimResult], tally: Tally, open_claims: IO[str]) -> Iterator[ClaimResult]:
    """The claims, each added to ``tally`` and the open ones' numbers noted, as they pass."""
    for claim in claims:
        tally.add(claim)
        if claim.status == "open":
            open_claims.write(claim.patient_control_number + "\n")
        yield claim


def _unmatched(payments: Iterator[ClaimPayment], tally: Tally) -> Iterator[ClaimPayment]:
    for payment in payments:
        tally.add_unmatched(payment.paid)
        yield payment


def write_csv(result: Streamed, out: TextIO, mask: MaskText = unmasked) -> None:
    """One CSV row per submitted claim line, as `edi.reconcile.render.write_csv` writes them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for claim in result.claims():
        writer.writerows(csv_rows(claim))
        if buffer.tell() >= SPOOL_IN_MEMORY // 16:
            _move(buffer, out, mask)
    _move(buffer, out, mask)


def _move(buffer: io.StringIO, out: TextIO, mask: MaskText) -> None:
    """Write what ``buffer`` holds (whole lines) to ``out``, masked, and empty it."""
    out.write(mask(buffer.getvalue()))
    buffer.seek(0)
    buffer.truncate()


class _Fixed(Table):
    """A table whose column widths, once measured, stay the same for every table drawn with them."""

    widths: list[int] | None = None

    def _calculate_column_widths(self, console: Console, options: ConsoleOptions) -> list[int]:
        if self.widths is None:
            self.widths = super()._calculate_column_widths(console, options)
        return self.widths


def _table(totals: Totals, by_type: dict[str, Decimal], history: bool, **options: Any) -> _Fixed:
    """The claims table of `edi.reconcile.render.table`; ``options`` change its settings."""
    view = _Fixed(**{**TABLE_SETTINGS, **options})
    add_columns(view, totals, by_type, history)
    return view


@dataclass(slots=True)
class _Widest:
    """Per column, the plain cell with the longest word and the one with the longest line: what sizes it."""

    words: list[tuple[int, str]] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)

    def see(self, cells: list[str]) -> None:
        if not self.words:
            self.words = [(-1, "")] * len(cells)
            self.lines = [(-1, "")] * len(cells)
        for column, (cell, shown) in enumerate(zip(cells, shown_cells(cells), strict=True)):
            whole = cell_len(shown)
            word = max((cell_len(w) for w in shown.split()), default=whole)
            if word > self.words[column][0]:
                self.words[column] = (word, cell)
            if whole > self.lines[column][0]:
                self.lines[column] = (whole, cell)


class _Draw:
    """Writes renderables to a console, then moves what it wrote to the output (masked)."""

    def __init__(self, console: Console, soft_wrap: bool, flush: Callable[[], None]) -> None:
        self.console, self.soft_wrap, self.flush = console, soft_wrap, flush
        options = console.options
        self.options = options.update(no_wrap=True, overflow="ignore") if soft_wrap else options

    def lines(self, renderable: RenderableType) -> list[list[Segment]]:
        return self.console.render_lines(renderable, self.options, pad=False, new_lines=True)

    def segments(self, lines: Iterable[list[Segment]]) -> None:
        self.console.print(Segments([s for line in lines for s in line]), end="")
        self.flush()

    def text(self, parts: Iterable[Text]) -> None:
        for part in parts:
            self.console.print(part, soft_wrap=self.soft_wrap)
        self.flush()


def write_plain_table(result: Streamed, out: TextIO, width: int, soft_wrap: bool, mask: MaskText = unmasked) -> None:
    """The table of `write_table` as plain text (no colours) to ``out``, each chunk passed through ``mask``."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, highlight=False, color_system=None, force_terminal=False)

    def flush() -> None:
        out.write(mask(buffer.getvalue()))
        buffer.seek(0)
        buffer.truncate()

    write_table(result, console, width, soft_wrap, flush)


def write_table(
    result: Streamed, console: Console, width: int, soft_wrap: bool, flush: Callable[[], None] = lambda: None
) -> None:
    """The table of `edi.reconcile.render.table` and what follows it, printed to ``console`` a chunk at a time.

    ``flush`` is called after each chunk, to move what ``console`` wrote to the output.
    """
    history = width >= HISTORY_WIDTH
    tally = Tally()
    by_type = dict.fromkeys(SHARE_TYPES, ZERO)
    widest = _Widest()
    draw = _Draw(console, soft_wrap, flush)
    with _spool() as rows, _spool() as notes, _spool() as open_claims, _spool() as unmatched:
        for claim in _counted(result.claims(), tally, open_claims):
            cells = plain_cells(claim, history)
            widest.see(cells)
            rows.write(json.dumps(cells) + "\n")
            notes.writelines(json.dumps([claim.patient_control_number, note]) + "\n" for note in claim.notes)
            share = claim.share.by_type() if claim.share else {}
            for name in SHARE_TYPES:
                by_type[name] += share.get(name, ZERO)
        for payment in _unmatched(result.unmatched(), tally):
            unmatched.write(payment.patient_control_number + "\n")
        totals = tally.totals(result.provider_adjustments, result.payments)
        _draw_table(draw, totals, by_type, history, widest, _lines(rows))
        draw.text(summary(totals))
        draw.text(claim_note(*json.loads(line)) for line in _lines(notes))
        draw.text(listed(_lines(unmatched), _lines(open_claims)))
    draw.text(closing(result.provider_adjustments, result.skipped_files))


def _draw_table(
    draw: _Draw, totals: Totals, by_type: dict[str, Decimal], history: bool, widest: _Widest, rows: Iterator[str]
) -> None:
    """Size the columns from the widest cells, then draw the header, the rows a chunk at a time, and the totals."""
    sizing = _table(totals, by_type, history)
    for found in (widest.words, widest.lines):
        if found:
            sizing.add_row(*renderables([cell for _, cell in found]))
    draw.lines(sizing)
    whole, head = (_table(totals, by_type, history, show_footer=f) for f in (True, False))
    whole.widths = head.widths = sizing.widths
    top = draw.lines(head)[:-1]  # without the bottom edge
    draw.segments(top)
    while True:
        chunk = [renderables(json.loads(row)) for row in islice(rows, ROWS_PER_DRAW)]
        if not chunk:
            break
        body = _table(totals, by_type, history, show_header=False, show_footer=False, title=None)
        body.widths = sizing.widths
        for cells in chunk:
            body.add_row(*cells)
        draw.segments(draw.lines(body)[1:-1])  # without the top and bottom edges
    draw.segments(draw.lines(whole)[len(top) :])
