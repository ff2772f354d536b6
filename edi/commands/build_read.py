"""`edi build` and `edi read`: business JSON (claims or remittance) to X12 and back."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, cast

import typer
from rich.markup import escape

from edi.claims import FORMAT as CLAIMS_FORMAT
from edi.commands.common import display_name, expand_inputs, handle_errors, progress, redactor, source, stderr
from edi.commands.structure import _delimiters as parse_delimiters
from edi.commands.structure import load_json
from edi.errors import EdiError, InputError
from edi.guides import CLAIM_ACK_KIND, CLAIM_KIND, REMITTANCE_KIND
from edi.output import copy_text, is_stdio, open_output, refuse_inputs, write_text
from edi.parallel import default_jobs
from edi.remit import FORMAT as REMITTANCE_FORMAT
from edi.x12.document import Document
from edi.x12.reader import Reader, first_kind, read_document, transaction_kinds

if TYPE_CHECKING:
    from edi.claims.stream import Notes
    from edi.redact import Redactor

MAX_NOTES = 5


@handle_errors
def build(
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="FILE",
            help="Claims JSON (edi.claims/1), remittance JSON (edi.remittance/1) or claims rows (.csv, .parquet);"
            " - for stdin (JSON).",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="OUT", help="Write the X12 here (default and -: standard output)."),
    ] = None,
    control_number: Annotated[
        int | None,
        typer.Option(
            "--control-number", metavar="N", help="Control number of the interchange and group (ISA13, GS06)."
        ),
    ] = None,
    sender: Annotated[str | None, typer.Option("--sender", metavar="ID", help="Interchange sender ID (ISA06).")] = None,
    receiver: Annotated[
        str | None, typer.Option("--receiver", metavar="ID", help="Interchange receiver ID (ISA08).")
    ] = None,
    test: Annotated[
        bool | None,
        typer.Option("--test/--production", help="Mark the interchange as test (T, the default) or production (P)."),
    ] = None,
    delimiters: Annotated[
        str | None,
        typer.Option(
            "--delimiters",
            metavar="CHARS",
            help="Four characters: element, component, repetition and segment, e.g. '*:^~'.",
        ),
    ] = None,
    allow_unbalanced: Annotated[
        bool, typer.Option("--allow-unbalanced", help="835 only: write a remittance that does not balance.")
    ] = False,
    secondary: Annotated[
        bool, typer.Option("--secondary", help="Build the claims to the next payer from --claims and --remit.")
    ] = False,
    claims: Annotated[
        Path | None, typer.Option("--claims", metavar="FILE", help="--secondary: the primary's 837.")
    ] = None,
    remit: Annotated[
        list[Path] | None,
        typer.Option("--remit", metavar="FILE", help="--secondary: the primary's 835 (repeat: applied in order)."),
    ] = None,
    payer: Annotated[
        str | None, typer.Option("--payer", metavar="ID", help="--secondary: the next payer's ID (NM109).")
    ] = None,
    column_map: Annotated[
        Path | None,
        typer.Option("--map", metavar="MAP.toml", help="Claims rows: rename a system's columns, set constants."),
    ] = None,
) -> None:
    """Build an 837 from claims JSON, an 835 from remittance JSON, or (--secondary) the 837 to the next payer."""
    from edi.claims.envelope import EnvelopeOptions
    from edi.commands.rows import build_from_rows, is_rows

    usage = None if test is None else ("T" if test else "P")
    if secondary:
        from edi.commands.secondary import build_secondary_claims

        envelope = (control_number, sender, receiver, usage)
        inputs = [p for p in (claims, *(remit or [])) if p is not None]
        text = build_secondary_claims(Path(file) if file else None, claims, remit, payer, envelope)
        write_text(output, text, inputs)
        return
    if file is None:
        raise InputError("give the JSON file to build from, or --secondary with --claims and --remit")
    path = Path(file)
    name = display_name(path)
    if is_rows(path):
        options = EnvelopeOptions(control_number, sender, receiver, usage)
        if output is not None and not is_stdio(output):
            refuse_inputs(Path(output), [path])
        target = None if is_stdio(output) else Path(str(output))
        chosen_rows = parse_delimiters(delimiters) if delimiters else None
        build_from_rows(path, column_map, target, options, chosen_rows, lambda note: _note(name, note))
        return
    if column_map is not None:
        raise InputError("--map applies to claims rows (.csv or .parquet), not to JSON", file=name)
    data = load_json(path)
    chosen = parse_delimiters(delimiters) if delimiters else None
    kind = data.get("format") if isinstance(data, dict) else None
    options = EnvelopeOptions(control_number, sender, receiver, usage)
    if kind == CLAIMS_FORMAT:
        from edi.claims.build import build_837  # each format's code is imported when used

        text = build_837(data, name, options, chosen, warn=lambda note: _note(name, note))
    elif kind == REMITTANCE_FORMAT:
        from edi.remit.build import build_835

        text = build_835(data, name, allow_unbalanced, chosen, options=options)
    else:
        raise InputError(
            f'"format" is {kind!r}; expected "{CLAIMS_FORMAT}" (claims, builds an 837) '
            f'or "{REMITTANCE_FORMAT}" (remittance, builds an 835)',
            file=name,
        )
    write_text(output, text, [path])


@handle_errors
def read(
    files: Annotated[
        list[str], typer.Argument(metavar="FILE", help="X12 837, 835 or 277CA files, folders, globs, or - for stdin.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (the default).")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write one CSV row per service line.")] = False,
    output: Annotated[
        str | None, typer.Option("-o", "--output", metavar="OUT", help="Write to this file (- for standard output).")
    ] = None,
    redact: Annotated[bool, typer.Option("--redact", help="Mask names, IDs, birth dates, addresses.")] = False,
    as_rows: Annotated[
        bool,
        typer.Option(
            "--rows", help="837: claims rows that edi build takes back (CSV; Parquet when OUT ends .parquet)."
        ),
    ] = False,
    parquet: Annotated[
        Path | None,
        typer.Option("--parquet", metavar="DIR", help="Write the tables of every FILE as Parquet into this folder."),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            metavar="N",
            help="Processes: --parquet reads files side by side; a large one-transaction 837 or 835 is read in"
            " parts (0: one per core).",
        ),
    ] = 0,
) -> None:
    """Read an 837 into claims JSON, an 835 into remittance JSON (or CSV rows of either), a 277CA into claim acks.

    With several files, the JSON is one document per line (JSON Lines) and the CSV has one header;
    --parquet writes tidy tables of them all instead (docs/tables.md).
    """
    if sum((as_json, as_csv, as_rows, parquet is not None)) > 1:
        raise InputError("choose one of --json, --csv, --rows and --parquet")
    if parquet is not None and (output is not None or redact):
        raise InputError("--parquet writes its own files, unmasked; leave out -o and --redact")
    paths = expand_inputs(files)
    if parquet is not None:
        from edi.commands.parquet import write_tables

        raise typer.Exit(write_tables(parquet, paths, "read", jobs))
    if as_rows:
        _read_rows(paths, output)
        return
    masker = redactor(redact)
    with open_output(output, paths) as out:
        for number, path in enumerate(progress(paths, "reading")):
            # One CSV header for all files: the writers only call write(), which is all _AfterFirstLine has.
            target = out if number == 0 or not as_csv else cast(TextIO, _AfterFirstLine(out))
            _read_one(path, target, as_csv, len(paths) > 1, masker, jobs or default_jobs())


def _read_rows(paths: list[Path], output: str | None) -> None:
    """One 837 as claims rows (`edi.rows`): CSV, or Parquet when the output ends in .parquet."""
    from edi.claims.read import read_claims
    from edi.commands.rows import write_rows

    if len(paths) != 1:
        raise InputError("--rows reads one 837 at a time")
    path = paths[0]
    name = display_name(path)
    document = read_document(source(path), file=name)
    kinds = {t.st.get(1) for _, _, t in document.transactions()}
    if kinds != {CLAIM_KIND}:
        raise InputError(f"--rows reads 837 claims; found transaction sets: {', '.join(sorted(kinds)) or 'none'}")
    data = read_claims(document)
    if output is not None and not is_stdio(output) and output.lower().endswith(".parquet"):
        refuse_inputs(Path(output), paths)
        write_rows(data, Path(output), parquet=True)
        return
    with open_output(output, paths) as out:
        from edi.rows.write import write_csv

        write_csv(data, None, out)


def _read_one(path: Path, out: TextIO, as_csv: bool, several: bool, masker: Redactor | None, jobs: int) -> None:
    """One file as claims, remittance or claim acknowledgment JSON (one line when ``several``) or CSV rows.

    A file is read once, its kind told by its first ST, into a spool that is copied to ``out``
    when the read succeeds. A read that fails, or meets a second kind, is done again as a
    checked read (`_read_checked`), so a broken file gives the same output and first error.
    """
    name = display_name(path)
    if is_stdio(path):
        _read_checked(path, name, out, as_csv, several, masker, jobs)
        return
    notes: list[tuple[str, list[str], int]] = []
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="", errors="surrogateescape") as spool:
        try:
            done = _read_once(path, name, spool, as_csv, several, masker, jobs, lambda *note: notes.append(note))
        except EdiError:
            done = False
        if done:
            for number, first, count in notes:
                _warn(name, number, first, count)
            spool.seek(0)
            copy_text(spool, out)
            return
    _read_checked(path, name, out, as_csv, several, masker, jobs)


def _read_once(
    path: Path, name: str, out: TextIO, as_csv: bool, several: bool, masker: Redactor | None, jobs: int, notes: Notes
) -> bool:
    """Read a file of one kind, told by its first ST; False where it holds none or another kind besides."""
    kind = first_kind(path, name)
    if kind is None:
        return False
    if masker is None and kind in (REMITTANCE_KIND, CLAIM_KIND):
        reader = _streamed(path, name, kind, None, out, as_csv, jobs, notes)
        return reader is None or set(reader.kinds) == {kind}
    _write_document(read_document(path, file=name), name, out, as_csv, several, masker, notes)
    return True


def _read_checked(
    path: Path, name: str, out: TextIO, as_csv: bool, several: bool, masker: Redactor | None, jobs: int
) -> None:
    """Read a file after counting its transaction sets by kind (refusing a mix before any output)."""
    kinds = None if is_stdio(path) else transaction_kinds(path, name)
    if kinds is not None and masker is None and _stream(path, name, kinds, out, as_csv, jobs):
        return
    notes = partial(_warn, name)
    _write_document(read_document(source(path), file=name), name, out, as_csv, several, masker, notes)


def _write_document(
    document: Document, name: str, out: TextIO, as_csv: bool, several: bool, masker: Redactor | None, notes: Notes
) -> None:
    """Write a whole document's claims, remittance or claim acknowledgments."""
    found = {t.st.get(1) for _, _, t in document.transactions()}
    write: Callable[[Any, TextIO], None] | None = None
    if found == {REMITTANCE_KIND}:
        from edi.remit.csv import write_csv
        from edi.remit.read import read_remittance

        data: Any = read_remittance(document)
        write = write_csv
    elif found == {CLAIM_KIND}:
        from edi.claims.read import read_claims, renumbered
        from edi.claims.rows import write_claim_csv

        data = read_claims(document)
        write = write_claim_csv
        for _, _, transaction in document.transactions():
            found_notes = renumbered(transaction)
            notes(transaction.control_number, found_notes[:MAX_NOTES], len(found_notes))
    elif found == {CLAIM_ACK_KIND} and not as_csv:
        from edi.ack.read277 import read_claim_acks

        data = read_claim_acks(document)
    else:
        raise _kinds_error(found, name)
    if masker is not None:
        masker.learn_segments(document.segments())
        data = masker.data(data)
    if as_csv and write is not None:
        write(data, out)
    else:
        out.write(json.dumps(data, indent=None if several else 2) + "\n")


def _stream(path: Path, name: str, kinds: Any, out: TextIO, as_csv: bool, jobs: int) -> bool:
    """Write an 837 or 835 one claim at a time (a large one in ``jobs`` parts); False where the whole is needed."""
    found = set(kinds)
    if found in ({REMITTANCE_KIND}, {CLAIM_KIND}):
        kind = next(iter(found))
        _streamed(path, name, kind, kinds[kind], out, as_csv, jobs, partial(_warn, name))
        return True
    if found != {CLAIM_ACK_KIND}:
        raise _kinds_error(found, name)
    return False


def _streamed(
    path: Path, name: str, kind: str, count: int | None, out: TextIO, as_csv: bool, jobs: int, notes: Notes
) -> Reader | None:
    """Stream an 837 or 835 of ``count`` transaction sets (None: not known); the reader, or None if read in parts."""
    from edi.readparts import read_in_parts

    if count in (None, 1) and read_in_parts(path, name, kind, out, as_csv, jobs, notes):
        return None
    reader = Reader(name, units=True)
    if kind == REMITTANCE_KIND:
        from edi.remit.stream import CsvWriter, JsonWriter, stream_remittance

        if as_csv:
            stream_remittance(path, CsvWriter(out), name, reader=reader)
        else:
            writer = JsonWriter(out, name)
            stream_remittance(path, writer, name, reader=reader)
            writer.close()
        return reader
    from edi.claims.rows import csv_writer
    from edi.claims.stream import stream_claims

    if as_csv:
        stream_claims(path, None, count, notes, name, on_claim=csv_writer(out), reader=reader)
    else:
        stream_claims(path, out, count, notes, name, reader=reader)
    return reader


def _kinds_error(found: set[str], name: str) -> InputError:
    listed = ", ".join(sorted(found)) or "none"
    return InputError(
        f"expected 837, 835 or 277CA transaction sets (not mixed; no CSV for a 277CA); found: {listed}", file=name
    )


class _AfterFirstLine:
    """A text stream that drops everything up to its first line break (a CSV header already written)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.skipping = True

    def write(self, text: str) -> int:
        if self.skipping:
            end = text.find("\n")
            if end < 0:
                return len(text)
            self.skipping = False
            text = text[end + 1 :]
        return self.out.write(text)


def _warn(file: str, control_number: str, notes: list[str], count: int) -> None:
    """Print the first few numbers a build will correct, and how many more there are."""
    for note in notes[:MAX_NOTES]:
        stderr.print(
            f"[yellow]warning[/]: {escape(file)}: transaction set {escape(control_number)}: {escape(note)}",
            soft_wrap=True,
        )
    if count > MAX_NOTES:
        stderr.print(
            f"[yellow]warning[/]: {escape(file)}: transaction set {escape(control_number)}: "
            f"{count - MAX_NOTES} more HL or SE numbers will be corrected by edi build",
            soft_wrap=True,
        )


def _note(file: str, note: str) -> None:
    """Print one build warning on standard error."""
    stderr.print(f"[yellow]warning[/]: {escape(file)}: {escape(note)}", soft_wrap=True)
