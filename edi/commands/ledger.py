"""`edi ledger`: keep claims and remittances in a database and ask it about open claims, balances, denials, payments."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from edi.commands.common import TABLE_WIDTH, handle_errors, redactor, stdout
from edi.errors import InputError
from edi.output import open_output

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from sqlalchemy import Connection

    from edi.ledger import Ledger
    from edi.ledger.reports import Report
    from edi.redact import Redactor

app = typer.Typer(
    name="ledger",
    help="Keep 837 claims, 835 remittances and 999/277CA acknowledgments in a database and report on them over time.",
    no_args_is_help=True,
)

Db = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (postgresql://...) or SQLite path. Default: EDI_DB, else the user file."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Write JSON.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Write CSV rows.")]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")]
Redact = Annotated[bool, typer.Option("--redact", help="Mask claim numbers, patient IDs and names.")]


@contextmanager
def _out(output: Path | None, masker: Redactor | None = None) -> Iterator[TextIO]:
    """The report's stream: standard output, or a file replaced atomically when the report is complete.

    With ``masker``, the report is written whole once complete, every PHI value it has learned masked.
    """
    if masker is None:
        with open_output(output) as stream:
            yield stream
        return
    buffer = io.StringIO()
    yield buffer
    with open_output(output) as stream:
        stream.write(masker.text(buffer.getvalue()))


def _format(as_json: bool, as_csv: bool) -> Literal["json", "csv", "table"]:
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--json / --csv")
    return "json" if as_json else "csv" if as_csv else "table"


def _show(renderable: RenderableType, output: Path | None, out: TextIO) -> None:
    if output:
        Console(file=out, width=TABLE_WIDTH, highlight=False).print(renderable)
    elif out is not sys.stdout:  # a report being masked: rendered as standard output shows it
        with stdout.capture() as captured:
            stdout.print(renderable)
        out.write(captured.get())
    else:
        stdout.print(renderable)


def _masker(redact: bool, *private: str) -> Redactor | None:
    """With ``redact``, the run's `Redactor` (errors are masked too), knowing the ``private`` values already."""
    masker = redactor(redact)
    if masker is not None:
        for value in private:
            masker.learn(value)
    return masker


def _emit(
    make: Callable[[], Report], as_json: bool, as_csv: bool, output: Path | None, redact: bool, *private: str
) -> None:
    """Build a report and write it as a table, JSON or CSV; with ``redact``, its PHI and ``private`` masked."""
    kind = _format(as_json, as_csv)
    masker = _masker(redact, *private)
    report = make()
    if masker is not None:
        masker.learn_fields([report.rows, report.summary])
    with _out(output, masker) as out:
        if kind == "json":
            totals = {"totals": report.totals} if report.totals is not None else {}
            json.dump({"title": report.title, **report.summary, "rows": report.rows, **totals}, out, indent=2)
            out.write("\n")
        elif kind == "csv":
            import csv

            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([c.key for c in report.columns])
            writer.writerows(
                [["" if row[c.key] is None else row[c.key] for c in report.columns] for row in report.rows]
            )
        else:
            _show(_table(report), output, out)
            for key, value in report.summary.items():
                _show(f"{key.replace('_', ' ')}: {escape(str(value))}", output, out)


def _table(report: Report) -> Table:
    from rich import box
    from rich.table import Table

    view = Table(title=report.title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in report.columns:
        view.add_column(column.title, justify="right" if column.numeric else "left")
    for row in report.rows:
        view.add_row(*(escape("-" if row[c.key] is None else str(row[c.key])) for c in report.columns))
    if report.totals is not None:
        view.add_section()
        view.add_row(*(escape(str(report.totals.get(c.key, ""))) for c in report.columns), style="bold")
    return view


def _ledger(db: str | None) -> Ledger:
    from edi.ledger import Ledger  # imported here: other commands skip the database libraries

    return Ledger.open(db)


@contextmanager
def _connection(db: str | None) -> Iterator[Connection]:
    """A connection to the ledger at ``db``, closed with the ledger afterwards."""
    with _ledger(db) as ledger, ledger.engine.connect() as connection:
        yield connection


@app.command("import")
@handle_errors
def import_files(
    files: Annotated[list[Path], typer.Argument(help="837, 835, 999 and 277CA files, or folders of them.")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """Import 837 claims, 835 remittances and 999/277CA acknowledgments; what was imported before changes nothing."""
    with _ledger(db) as ledger:
        outcomes = ledger.import_paths(files)
    if as_json:
        rows = [
            {
                "file": o.file,
                "status": o.status,
                "reason": o.reason,
                "claims": o.claims,
                "payments": o.payments,
                "already_imported": o.duplicates,
                "acknowledgments": o.acknowledgments,
                "unmatched_acknowledgments": o.unmatched,
            }
            for o in outcomes
        ]
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        styles = {"imported": "green", "already imported": "yellow", "skipped": "red"}
        for outcome in outcomes:
            stdout.print(f"[{styles[outcome.status]}]{escape(outcome.describe())}[/]", soft_wrap=True, emoji=False)
    if outcomes and all(o.status == "skipped" for o in outcomes):
        raise InputError("none of the files could be imported", [o.describe() for o in outcomes], file="FILES")


@app.command("open")
@handle_errors
def open_claims(
    aging: Annotated[
        bool, typer.Option("--aging", help="Count open claims per payer in 0-30/31-60/61-90/90+ days.")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Age claims at this date (YYYY-MM-DD; default today).")
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    output: Output = None,
    redact: Redact = False,
) -> None:
    """Open claims (no payer answered, or every answer was reversed) with their 999/277CA state, or their aging."""
    from edi.ledger import reports

    try:
        when = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {as_of!r}", param_hint="--as-of") from None
    report = reports.aging if aging else reports.open_claims
    with _connection(db) as connection:
        _emit(lambda: report(connection, when), as_json, as_csv, output, redact)


@app.command()
@handle_errors
def acks(
    unmatched: Annotated[
        bool, typer.Option("--unmatched", help="Only those answering no 837 set or claim in the ledger.")
    ] = False,
    db: Db = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    output: Output = None,
    redact: Redact = False,
) -> None:
    """Every 999 answer and 277CA claim status imported, and whether it answers a set or claim of the ledger."""
    from edi.ledger.ack_report import acknowledgments

    with _connection(db) as connection:
        _emit(lambda: acknowledgments(connection, unmatched), as_json, as_csv, output, redact)


@app.command()
@handle_errors
def patient(
    patient_id: Annotated[str, typer.Argument(help="The subscriber's member ID (NM109 of 2010BA).")],
    db: Db = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    output: Output = None,
    redact: Redact = False,
) -> None:
    """A patient's claims and the balance the patient owes."""
    from edi.ledger import reports

    with _connection(db) as connection:
        _emit(lambda: reports.patient(connection, patient_id), as_json, as_csv, output, redact, patient_id)


@app.command()
@handle_errors
def denials(
    by: Annotated[
        str | None, typer.Option("--by", help="Sum the denials by 'carc' (group and reason) or by 'payer'.")
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    output: Output = None,
    redact: Redact = False,
) -> None:
    """The adjustments that deny denied and partially paid claims, each or summed."""
    from edi.ledger import reports

    if by not in (None, "carc", "payer"):
        raise typer.BadParameter(f"expected carc or payer, got {by!r}", param_hint="--by")
    grouping: reports.DenialGrouping = "carc" if by == "carc" else "payer" if by == "payer" else "claim"
    with _connection(db) as connection:
        _emit(lambda: reports.denials(connection, grouping), as_json, as_csv, output, redact)


@app.command()
@handle_errors
def payments(
    trace: Annotated[str | None, typer.Option("--trace", help="Show one payment (TRN02) claim by claim.")] = None,
    db: Db = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    output: Output = None,
    redact: Redact = False,
) -> None:
    """Each payment's BPR02 against the claims it paid and its provider adjustments (PLB)."""
    from edi.ledger import reports

    with _connection(db) as connection:
        if trace is None:
            _emit(lambda: reports.payments(connection), as_json, as_csv, output, redact)
        else:
            _emit(lambda: reports.payment(connection, trace), as_json, as_csv, output, redact)


@app.command()
@handle_errors
def claim(
    pcn: Annotated[str, typer.Argument(help="The patient control number (CLM01).")],
    db: Db = None,
    as_json: AsJson = False,
    output: Output = None,
    redact: Redact = False,
) -> None:
    """One claim's whole history: submissions, 999/277CA acknowledgments, remittance answers, lines, notes, status."""
    from edi.ledger.reports import claim_history

    masker = _masker(redact, pcn)
    with _connection(db) as connection:
        history = claim_history(connection, pcn)
    if masker is not None:
        masker.learn_fields(history)
    with _out(output, masker) as out:
        if as_json:
            json.dump(history, out, indent=2)
            out.write("\n")
            return
        data = history["claim"]
        _show(
            f"[bold]{escape(pcn)}[/]: {data['status']}, billed {data['billed']}, paid {data['paid'] or '-'},"
            f" patient owes {data['patient_responsibility'] or '-'},"
            f" acknowledgment {escape(history['acknowledgment'])}",
            output,
            out,
        )
        for part in _history_tables(history):
            _show(part, output, out)
        for note in data["notes"]:
            _show(f"[yellow]{escape(note)}[/]", output, out)


def _history_tables(history: dict[str, Any]) -> list[Table]:
    from rich import box
    from rich.table import Table

    submitted = Table(title="Submissions", box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for title in ("File", "Interchange", "Billed", "Payers"):
        submitted.add_column(title)
    for s in history["submissions"]:
        payers = ", ".join(f"{p['order']} {p['name']}" for p in s["payers"])
        submitted.add_row(escape(s["file"]), s["interchange_control_number"], s["billed"], escape(payers))
    answers = Table(title="Remittances", box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for title in ("File", "Trace", "Payer", "CLP02", "Kind", "Paid", "Patient"):
        answers.add_column(title)
    for r in history["claim"]["remittances"]:
        answers.add_row(
            escape(r["file"]),
            r["trace_number"],
            escape(r["payer"]),
            r["status_code"],
            r["kind"],
            r["paid"],
            r["patient_responsibility"] or "-",
        )
    events = Table(title="History", box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for title in ("Date", "Kind", "Event", "File"):
        events.add_column(title)
    for e in history["history"]:
        events.add_row(e["date"] or "-", e["kind"], escape(e["event"]), escape(e["file"]))
    return [submitted, answers, events]


@app.command()
@handle_errors
def claims(
    db: Db = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    output: Output = None,
    redact: Redact = False,
) -> None:
    """Every claim of the ledger reconciled, in the formats of `edi reconcile`, read a chunk of claims at a time."""
    from edi.ledger.streamed import StreamedReconciliation
    from edi.reconcile.render import claim_json
    from edi.reconcile.write import unmasked, write_csv, write_json, write_plain_table, write_table

    kind = _format(as_json, as_csv)
    masker = _masker(redact)
    with _connection(db) as connection:
        result = StreamedReconciliation(connection)
        if masker is not None:
            for claim in result.claims():
                masker.learn_fields(claim_json(claim))
            for payment in result.unmatched():
                masker.learn(payment.patient_control_number)
        with open_output(output) as out:
            if kind == "json":
                write_json(result, out, masker.data if masker else unmasked)
            elif kind == "csv":
                write_csv(result, out, masker.text if masker else unmasked)
            elif output or masker is not None:
                width, soft_wrap = (TABLE_WIDTH, False) if output else (stdout.width, not stdout.is_terminal)
                write_plain_table(result, out, width, soft_wrap, masker.text if masker else unmasked)
            else:
                write_table(result, stdout, stdout.width, not stdout.is_terminal)


@app.command()
@handle_errors
def export(
    parquet: Annotated[Path, typer.Option("--parquet", metavar="DIR", help="Write the tables into this folder.")],
    db: Db = None,
) -> None:
    """The ledger's claims, lines, diagnoses, payments and adjustments as Parquet tables (docs/tables.md)."""
    from edi.ledger.export import export_parquet

    with _connection(db) as connection:
        counts = export_parquet(connection, parquet)
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    stdout.print(f"wrote {escape(str(parquet))}: {escape(summary)}", soft_wrap=True)
