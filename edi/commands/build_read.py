"""`edi build` and `edi read`: business JSON (claims or remittance) to X12 and back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TextIO, cast

import typer
from rich.markup import escape

from edi.claims import FORMAT as CLAIMS_FORMAT
from edi.commands.common import display_name, expand_inputs, handle_errors, progress, redactor, source, stderr
from edi.commands.structure import _delimiters as parse_delimiters
from edi.commands.structure import load_json
from edi.errors import InputError
from edi.output import is_stdio, open_output, write_text
from edi.redact import Redactor
from edi.remit import FORMAT as REMITTANCE_FORMAT
from edi.x12.reader import read_document, transaction_kinds

MAX_NOTES = 5


@handle_errors
def build(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="Claims JSON (edi.claims/1) or remittance JSON (edi.remittance/1); - for stdin."
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="OUT", help="Write the X12 here (default and -: standard output)."),
    ] = None,
    control_number: Annotated[
        int | None, typer.Option("--control-number", metavar="N", help="Interchange control number (ISA13/IEA02).")
    ] = None,
    sender: Annotated[str | None, typer.Option("--sender", metavar="ID", help="Interchange sender ID (ISA06).")] = None,
    receiver: Annotated[
        str | None, typer.Option("--receiver", metavar="ID", help="Interchange receiver ID (ISA08).")
    ] = None,
    test: Annotated[
        bool | None, typer.Option("--test/--production", help="Mark the interchange as test (T) or production (P).")
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
) -> None:
    """Build an 837 from claims JSON, or an 835 from remittance JSON; nothing is written when the JSON is wrong."""
    path = Path(file)
    file = display_name(path)
    data = load_json(path)
    chosen = parse_delimiters(delimiters) if delimiters else None
    kind = data.get("format") if isinstance(data, dict) else None
    if kind == CLAIMS_FORMAT:
        from edi.claims.build import EnvelopeOptions, build_837  # each format's code is imported when used

        usage = None if test is None else ("T" if test else "P")
        options = EnvelopeOptions(control_number, sender, receiver, usage)
        text = build_837(data, file, options, chosen, warn=lambda note: _note(file, note))
    elif kind == REMITTANCE_FORMAT:
        from edi.remit.build import build_835

        text = build_835(data, file, allow_unbalanced, chosen)
    else:
        raise InputError(
            f'"format" is {kind!r}; expected "{CLAIMS_FORMAT}" (claims, builds an 837) '
            f'or "{REMITTANCE_FORMAT}" (remittance, builds an 835)',
            file=file,
        )
    write_text(output, text, [path])


@handle_errors
def read(
    files: Annotated[
        list[str], typer.Argument(metavar="FILE", help="X12 837 or 835 files, folders, globs, or - for stdin.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (the default).")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write one CSV row per service line.")] = False,
    output: Annotated[
        str | None, typer.Option("-o", "--output", metavar="OUT", help="Write to this file (- for standard output).")
    ] = None,
    redact: Annotated[bool, typer.Option("--redact", help="Mask names, IDs, birth dates, addresses.")] = False,
) -> None:
    """Read an 837 into claims JSON or an 835 into remittance JSON (or CSV rows of either).

    With several files, the JSON is one document per line (JSON Lines) and the CSV has one header.
    """
    if as_json and as_csv:
        raise InputError("choose one of --json and --csv")
    paths = expand_inputs(files)
    masker = redactor(redact)
    with open_output(output, paths) as out:
        for number, path in enumerate(progress(paths, "reading")):
            # One CSV header for all files: the writers only call write(), which is all _AfterFirstLine has.
            target = out if number == 0 or not as_csv else cast(TextIO, _AfterFirstLine(out))
            _read_one(path, target, as_csv, len(paths) > 1, masker)


def _read_one(path: Path, out: TextIO, as_csv: bool, several: bool, masker: Redactor | None) -> None:
    """One file as claims or remittance JSON (one line when ``several``) or CSV rows."""
    name = display_name(path)
    if masker is None and not is_stdio(path) and transaction_kinds(path, name) == {"835"}:
        _stream_remittance(path, name, out, as_csv)
        return
    document = read_document(source(path), file=name)
    kinds = {t.st.get(1) for _, _, t in document.transactions()}
    write: Callable[[Any, TextIO], None]
    if kinds == {"835"}:
        from edi.remit.csv import write_csv
        from edi.remit.read import read_remittance

        data: Any = read_remittance(document)
        write = write_csv
    elif kinds == {"837"}:
        from edi.claims.read import read_claims, renumbered
        from edi.claims.rows import write_claim_csv

        data = read_claims(document)
        write = write_claim_csv
        for _, _, transaction in document.transactions():
            _warn(name, transaction.control_number, renumbered(transaction))
    else:
        found = ", ".join(sorted(kinds)) or "none"
        raise InputError(f"expected 837 or 835 transaction sets (not mixed); found: {found}", file=name)
    if masker is not None:
        masker.learn_segments(document.segments())
        data = masker.data(data)
    if as_csv:
        write(data, out)
    else:
        out.write(json.dumps(data, indent=None if several else 2) + "\n")


def _stream_remittance(path: Path, name: str, out: TextIO, as_csv: bool) -> None:
    """An 835 as remittance JSON (one line) or CSV, written one claim payment at a time."""
    from edi.remit.stream import CsvWriter, JsonWriter, stream_remittance

    if as_csv:
        stream_remittance(path, CsvWriter(out), name)
    else:
        writer = JsonWriter(out, name)
        stream_remittance(path, writer, name)
        writer.close()


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


def _warn(file: str, control_number: str, notes: list[str]) -> None:
    """Print the first few numbers a build will correct, and how many more there are."""
    for note in notes[:MAX_NOTES]:
        stderr.print(
            f"[yellow]warning[/]: {escape(file)}: transaction set {escape(control_number)}: {escape(note)}",
            soft_wrap=True,
        )
    if len(notes) > MAX_NOTES:
        stderr.print(
            f"[yellow]warning[/]: {escape(file)}: transaction set {escape(control_number)}: "
            f"{len(notes) - MAX_NOTES} more HL or SE numbers will be corrected by edi build",
            soft_wrap=True,
        )


def _note(file: str, note: str) -> None:
    """Print one build warning on standard error."""
    stderr.print(f"[yellow]warning[/]: {escape(file)}: {escape(note)}", soft_wrap=True)
