"""`edi build` and `edi read`: business JSON (claims or remittance) to X12 and back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from edi.claims import FORMAT as CLAIMS_FORMAT
from edi.commands.common import handle_errors, stderr
from edi.commands.structure import _delimiters as parse_delimiters
from edi.errors import InputError
from edi.remit import FORMAT as REMITTANCE_FORMAT
from edi.x12.reader import read_document

MAX_NOTES = 5


@handle_errors
def build(
    file: Annotated[Path, typer.Argument(help="Claims JSON (edi.claims/1) or remittance JSON (edi.remittance/1).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the X12 here (default: stdout).")] = None,
    control_number: Annotated[
        int | None, typer.Option("--control-number", help="Interchange control number (ISA13/IEA02).")
    ] = None,
    sender: Annotated[str | None, typer.Option("--sender", help="Interchange sender ID (ISA06).")] = None,
    receiver: Annotated[str | None, typer.Option("--receiver", help="Interchange receiver ID (ISA08).")] = None,
    test: Annotated[
        bool | None, typer.Option("--test/--production", help="Mark the interchange as test (T) or production (P).")
    ] = None,
    delimiters: Annotated[
        str | None,
        typer.Option("--delimiters", help="Four characters: element, component, repetition and segment, e.g. '*:^~'."),
    ] = None,
    allow_unbalanced: Annotated[
        bool, typer.Option("--allow-unbalanced", help="835 only: write a remittance that does not balance.")
    ] = False,
) -> None:
    """Build an 837 from claims JSON, or an 835 from remittance JSON; nothing is written when the JSON is wrong."""
    data = _load(file)
    chosen = parse_delimiters(delimiters) if delimiters else None
    kind = data.get("format") if isinstance(data, dict) else None
    if kind == CLAIMS_FORMAT:
        from edi.claims.build import EnvelopeOptions, build_837  # each format's code is imported when used

        usage = None if test is None else ("T" if test else "P")
        options = EnvelopeOptions(control_number, sender, receiver, usage)
        text = build_837(data, str(file), options, chosen, warn=lambda note: _note(file, note))
    elif kind == REMITTANCE_FORMAT:
        from edi.remit.build import build_835

        text = build_835(data, str(file), allow_unbalanced, chosen)
    else:
        raise InputError(
            f'"format" is {kind!r}; expected "{CLAIMS_FORMAT}" (claims, builds an 837) '
            f'or "{REMITTANCE_FORMAT}" (remittance, builds an 835)',
            file=str(file),
        )
    _emit(text, output)


@handle_errors
def read(
    files: Annotated[list[Path], typer.Argument(help="An X12 837 or 835 file (several with --parquet).")],
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (the default).")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write one CSV row per service line.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="Write the tables of every FILE as Parquet into this folder.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="--parquet: processes (0: one per core).")] = 0,
) -> None:
    """Read an 837 into claims JSON or an 835 into remittance JSON (or CSV rows of either, or Parquet tables)."""
    if sum((as_json, as_csv, parquet is not None)) > 1:
        raise InputError("choose one of --json, --csv and --parquet")
    if parquet is not None:
        from edi.commands.parquet import write_tables

        raise typer.Exit(write_tables(parquet, files, "read", jobs))
    if len(files) != 1:
        raise InputError(f"give one FILE ({len(files)} given), or --parquet DIR to read several")
    file = files[0]
    document = read_document(file)
    kinds = {t.st.get(1) for _, _, t in document.transactions()}
    if kinds == {"835"}:
        from edi.remit.csv import write_csv
        from edi.remit.read import read_remittance

        data = read_remittance(document)
        write = write_csv
    elif kinds == {"837"}:
        from edi.claims.read import read_claims, renumbered
        from edi.claims.rows import write_claim_csv

        data = read_claims(document)
        write = write_claim_csv
        for _, _, transaction in document.transactions():
            _warn(file, transaction.control_number, renumbered(transaction))
    else:
        found = ", ".join(sorted(kinds)) or "none"
        raise InputError(f"expected 837 or 835 transaction sets (not mixed); found: {found}", file=str(file))
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if as_csv:
            write(data, out)
        else:
            out.write(json.dumps(data, indent=2) + "\n")
    finally:
        if output:
            out.close()


def _warn(file: Path, control_number: str, notes: list[str]) -> None:
    """Print the first few numbers a build will correct, and how many more there are."""
    for note in notes[:MAX_NOTES]:
        stderr.print(
            f"[yellow]warning[/]: {escape(str(file))}: transaction set {escape(control_number)}: {escape(note)}",
            soft_wrap=True,
        )
    if len(notes) > MAX_NOTES:
        stderr.print(
            f"[yellow]warning[/]: {escape(str(file))}: transaction set {escape(control_number)}: "
            f"{len(notes) - MAX_NOTES} more HL or SE numbers will be corrected by edi build",
            soft_wrap=True,
        )


def _note(file: Path, note: str) -> None:
    """Print one build warning on standard error."""
    stderr.print(f"[yellow]warning[/]: {escape(str(file))}: {escape(note)}", soft_wrap=True)


def _load(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the JSON: {exc}", file=str(file)) from exc


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    with output.open("w", encoding="utf-8", newline="", errors="surrogateescape") as out:
        out.write(text)
