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
from edi.x12.reader import read_document, transaction_kinds

MAX_NOTES = 5


@handle_errors
def build(
    file: Annotated[
        Path | None, typer.Argument(help="Claims JSON (edi.claims/1) or remittance JSON (edi.remittance/1).")
    ] = None,
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
    secondary: Annotated[
        bool, typer.Option("--secondary", help="Build the claims to the next payer from --claims and --remit.")
    ] = False,
    claims: Annotated[Path | None, typer.Option("--claims", help="--secondary: the primary's 837.")] = None,
    remit: Annotated[
        list[Path] | None, typer.Option("--remit", help="--secondary: the primary's 835 (repeat: applied in order).")
    ] = None,
    payer: Annotated[str | None, typer.Option("--payer", help="--secondary: the next payer's ID (NM109).")] = None,
) -> None:
    """Build an 837 from claims JSON, an 835 from remittance JSON, or (--secondary) the 837 to the next payer."""
    usage = None if test is None else ("T" if test else "P")
    if secondary:
        from edi.commands.secondary import build_secondary_claims

        envelope = (control_number, sender, receiver, usage)
        _emit(build_secondary_claims(file, claims, remit, payer, envelope), output)
        return
    if file is None:
        raise InputError("give the JSON file to build from, or --secondary with --claims and --remit")
    data = _load(file)
    chosen = parse_delimiters(delimiters) if delimiters else None
    kind = data.get("format") if isinstance(data, dict) else None
    if kind == CLAIMS_FORMAT:
        from edi.claims.build import EnvelopeOptions, build_837  # each format's code is imported when used

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
    files: Annotated[list[Path], typer.Argument(help="An X12 837, 835 or 277CA file (several with --parquet).")],
    as_json: Annotated[bool, typer.Option("--json", help="Write JSON (the default).")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write one CSV row per service line.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="Write the tables of every FILE as Parquet into this folder.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="--parquet: processes (0: one per core).")] = 0,
) -> None:
    """Read an 837 into claims JSON, an 835 into remittance JSON (or CSV rows, or Parquet), a 277CA into claim acks."""
    if sum((as_json, as_csv, parquet is not None)) > 1:
        raise InputError("choose one of --json, --csv and --parquet")
    if parquet is not None:
        from edi.commands.parquet import write_tables

        raise typer.Exit(write_tables(parquet, files, "read", jobs))
    if len(files) != 1:
        raise InputError(f"give one FILE ({len(files)} given), or --parquet DIR to read several")
    file = files[0]
    kinds = transaction_kinds(file)
    if set(kinds) == {"835"}:
        _read_remittance(file, as_csv, output)
        return
    if set(kinds) == {"277"} and not as_csv:
        _read_claim_acks(file, output)
        return
    if set(kinds) != {"837"}:
        found = ", ".join(sorted(kinds)) or "none"
        raise InputError(
            f"expected 837, 835 or 277CA transaction sets (not mixed; no CSV for a 277CA); found: {found}",
            file=str(file),
        )
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        from edi.claims.stream import stream_claims

        def notes(number: str, first: list[str], count: int) -> None:
            _warn(file, number, first, count)

        if as_csv:
            from edi.claims.rows import csv_writer

            stream_claims(file, None, kinds["837"], notes, on_claim=csv_writer(out))
        else:
            stream_claims(file, out, kinds["837"], notes)
    finally:
        if output:
            out.close()


def _read_claim_acks(file: Path, output: Path | None) -> None:
    """A 277CA as claim acknowledgment JSON."""
    from edi.ack.read277 import read_claim_acks

    data = read_claim_acks(read_document(file))
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        out.write(json.dumps(data, indent=2) + "\n")
    finally:
        if output:
            out.close()


def _read_remittance(file: Path, as_csv: bool, output: Path | None) -> None:
    """An 835 as remittance JSON or CSV, written one claim payment at a time."""
    from edi.remit.stream import CsvWriter, JsonWriter, stream_remittance

    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if as_csv:
            stream_remittance(file, CsvWriter(out))
        else:
            writer = JsonWriter(out, str(file))
            stream_remittance(file, writer)
            writer.close()
    finally:
        if output:
            out.close()


def _warn(file: Path, control_number: str, notes: list[str], count: int) -> None:
    """Print the first few numbers a build will correct, and how many more there are."""
    for note in notes[:MAX_NOTES]:
        stderr.print(
            f"[yellow]warning[/]: {escape(str(file))}: transaction set {escape(control_number)}: {escape(note)}",
            soft_wrap=True,
        )
    if count > MAX_NOTES:
        stderr.print(
            f"[yellow]warning[/]: {escape(str(file))}: transaction set {escape(control_number)}: "
            f"{count - MAX_NOTES} more HL or SE numbers will be corrected by edi build",
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
