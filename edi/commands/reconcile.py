"""`edi reconcile`: match 835 remittances to 837 claims and show each claim's paid amount and patient share."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from edi.commands.common import handle_errors, stderr, stdout
from edi.errors import EdiError, InputError, Location


@handle_errors
def reconcile(
    claims: Annotated[list[Path], typer.Option("--claims", help="An 837 file (repeat for several).")],
    remit: Annotated[list[Path], typer.Option("--remit", help="An 835 file (repeat for several).")],
    as_json: Annotated[bool, typer.Option("--json", help="Write the reconciliation as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write one CSV row per claim line.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
) -> None:
    """Reconcile 835 remittances against 837 claims: paid, patient share by type, status, open and unmatched claims."""
    from edi.reconcile import reconcile as reconcile_files  # imported here: other commands skip it
    from edi.reconcile.render import table, to_json, write_csv

    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--json / --csv")
    result = reconcile_files(claims, remit)
    if result.skipped_files and len(result.skipped_files) == len(claims) + len(remit):
        problems = [f"{s.file}: {s.reason}" for s in result.skipped_files]
        raise InputError("none of the files could be used", problems, file="--claims/--remit")
    for skipped in result.skipped_files if as_json or as_csv else ():
        message = escape(f"{skipped.file}: {skipped.reason}")
        stderr.print(f"[yellow]skipped[/] {message}", markup=True, soft_wrap=True, emoji=False)
    try:
        out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    except OSError as exc:
        raise EdiError(f"cannot write the output: {exc.strerror}", Location(file=str(output))) from exc
    try:
        if as_json:
            json.dump(to_json(result), out, indent=2)
            out.write("\n")
        elif as_csv:
            write_csv(result, out)
        elif output:
            Console(file=out, width=160, highlight=False).print(table(result, 160))
        else:
            stdout.print(table(result, stdout.width))
    finally:
        if output:
            out.close()
