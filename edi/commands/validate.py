"""`edi validate`: check X12 files by WEDI SNIP type, report the findings, optionally write the 999/TA1."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from edi.commands.common import handle_errors, stderr, stdout
from edi.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, EdiError, Location

if TYPE_CHECKING:
    from edi.validate.issue import Issue
    from edi.x12.document import Document


@handle_errors
def validate(
    files: Annotated[list[Path], typer.Argument(help="The X12 files to validate.")],
    as_json: Annotated[bool, typer.Option("--json", help="Write the findings as JSON, for machines.")] = False,
    ack: Annotated[
        Path | None,
        typer.Option(
            "--ack", help="Write the 999 (and a TA1 when the envelope is broken) here; a folder for several files."
        ),
    ] = None,
    ack277: Annotated[
        Path | None,
        typer.Option("--ack277", help="Write the 277CA claim acknowledgment of each 837 here; a folder for several."),
    ] = None,
    snip: Annotated[int, typer.Option("--snip", min=1, max=5, help="Run SNIP types 1 up to this one.")] = 5,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help="Processes for large files (0: two where there are two cores); with --parquet, for the files.",
        ),
    ] = 0,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="Write the findings as Parquet tables into this folder.")
    ] = None,
) -> None:
    """Validate X12 837/835/999 files: envelope, guide rules, balancing, situational rules, code sets."""
    if parquet is not None:
        if as_json or ack is not None:
            raise EdiError("--parquet writes the findings alone; leave out --json and --ack")
        from edi.commands.parquet import write_tables

        raise typer.Exit(write_tables(parquet, files, "validate", jobs, snip))
    from edi.validate.report import FileResult, counts, render, report_json  # imported here: other commands skip it
    from edi.validate.runner import default_jobs, validate_file

    results: list[FileResult] = []
    processes = jobs or default_jobs()
    for file in files:
        try:
            document, issues = validate_file(file, snip, keep_sets=ack is not None, jobs=processes)
        except EdiError as error:
            results.append(FileResult(str(file), unreadable=str(error)))
            continue
        results.append(FileResult(document.file, issues))
        if ack is not None:
            _write_ack(document, issues, _ack_path(ack, file, several=len(files) > 1))
        if ack277 is not None:
            _write_ack277(file, issues, _ack_path(ack277, file, several=len(files) > 1, suffix=".277"))
    if as_json:
        sys.stdout.write(json.dumps(report_json(results), indent=2) + "\n")
    else:
        render(stdout, results)
    for result in results:
        if result.unreadable is not None:
            stderr.print(f"[bold red]error[/]: {result.unreadable}", markup=True, soft_wrap=True, emoji=False)
    summary = counts(results)
    code = EXIT_UNREADABLE if summary["unreadable"] else EXIT_FINDINGS if summary["error"] else EXIT_OK
    raise typer.Exit(code)


def _ack_path(ack: Path, file: Path, several: bool, suffix: str = ".999") -> Path:
    if not several:
        return ack
    ack.mkdir(parents=True, exist_ok=True)
    return ack / f"{file.stem}{suffix}"


def _write_ack(document: Document, issues: list[Issue], path: Path) -> None:
    from edi.ack.ack999 import build_999, build_ta1

    parts = [text for text in (build_ta1(document, issues), build_999(document, issues)) if text]
    try:
        path.write_text("".join(parts), encoding="utf-8")
    except OSError as exc:
        raise EdiError(f"cannot write the acknowledgment: {exc.strerror}", Location(file=str(path))) from exc


def _write_ack277(file: Path, issues: list[Issue], path: Path) -> None:
    from edi.ack.ack277 import build_277ca
    from edi.ack.files import write_atomic
    from edi.x12.reader import read_document

    text = build_277ca(read_document(file), issues)
    if text is None:
        note = f"{escape(str(file))}: no 837 claim could be read, no 277CA written"
        stderr.print(f"[yellow]warning[/]: {note}", soft_wrap=True)
        return
    write_atomic(path, text)
