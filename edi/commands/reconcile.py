"""`edi reconcile`: match 835 remittances to 837 claims and show each claim's paid amount and patient share.

Every input must be usable: a file that is missing or unreadable, a folder without X12 files
or a file without a transaction set of its kind stops the command (exit 2) before anything is
written, so that a claim is never shown open because its remittance was silently skipped.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from edi.commands.common import display_name, expand_inputs, handle_errors, redactor, source, stdout
from edi.errors import InputError
from edi.output import is_stdio, open_output
from edi.x12.reader import read_document

if TYPE_CHECKING:
    from edi.x12.document import Document

TABLE_WIDTH = 160


@handle_errors
def reconcile(
    claims: Annotated[
        list[str],
        typer.Option("--claims", metavar="FILE", help="837 files, folders or globs (repeat or list several)."),
    ],
    remit: Annotated[
        list[str],
        typer.Option("--remit", metavar="FILE", help="835 files, folders or globs (repeat or list several)."),
    ],
    extra: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILE",
            help="More 837 or 835 files (as a shell expands --remit remits/*.835), each placed by what it holds.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Write the reconciliation as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write one CSV row per claim line.")] = False,
    output: Annotated[
        str | None, typer.Option("-o", "--output", metavar="OUT", help="Write to this file (- for standard output).")
    ] = None,
    redact: Annotated[bool, typer.Option("--redact", help="Mask names, IDs, claim numbers, birth dates.")] = False,
) -> None:
    """Reconcile 835 remittances against 837 claims: paid, patient share by type, status, open and unmatched claims."""
    from edi.reconcile import reconcile as reconcile_files  # imported here: other commands skip it
    from edi.reconcile.render import table, to_json, write_csv

    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--json / --csv")
    masker = redactor(redact)
    claim_paths, remit_paths = expand_inputs(claims, "--claims"), expand_inputs(remit, "--remit")
    extra_paths = expand_inputs(extra, "FILE") if extra else []
    if sum(is_stdio(p) for p in (*claim_paths, *remit_paths, *extra_paths)) > 1:
        raise InputError("standard input ('-') can be read only once", file="--claims/--remit")
    claim_docs = [_usable(path, "837", "--claims") for path in claim_paths]
    remit_docs = [_usable(path, "835", "--remit") for path in remit_paths]
    for path in extra_paths:
        document = _usable(path, None, "FILE")
        kinds = {t.st.get(1) for _, _, t in document.transactions()}
        (claim_docs if "837" in kinds else remit_docs).append(document)
    if masker is not None:
        for document in (*claim_docs, *remit_docs):
            masker.learn_segments(document.segments())
    result = reconcile_files(claim_docs, remit_docs)
    if as_json:
        data = to_json(result)
        text = json.dumps(masker.data(data) if masker else data, indent=2) + "\n"
    elif as_csv:
        buffer = io.StringIO()
        write_csv(result, buffer)
        text = masker.text(buffer.getvalue()) if masker else buffer.getvalue()
    elif is_stdio(output) and masker is None and stdout.is_terminal:
        stdout.print(table(result, stdout.width))
        return
    else:
        width = stdout.width if is_stdio(output) and stdout.is_terminal else TABLE_WIDTH
        console = Console(file=io.StringIO(), width=width, highlight=False, record=True)
        console.print(table(result, width), soft_wrap=not stdout.is_terminal or not is_stdio(output))
        plain = console.export_text()
        text = masker.text(plain) if masker else plain
    with open_output(output, [*claim_paths, *remit_paths, *extra_paths]) as out:
        out.write(text)


def _usable(path: Path, kind: str | None, option: str) -> Document:
    """The file read, holding a ``kind`` transaction set (837 or 835 for None); else an error naming it (exit 2)."""
    name = display_name(path)
    document = read_document(source(path), file=name)
    found = sorted({t.st.get(1) for _, _, t in document.transactions()})
    wanted = {kind} if kind else {"837", "835"}
    if not wanted & set(found):
        other = {"837": "; give it to --remit", "835": "; give it to --claims"}
        hint = other[kind] if kind and ({"837", "835"} - {kind}) & set(found) else ""
        raise InputError(
            f"{option}: the file holds no {' or '.join(sorted(wanted))} transaction set "
            f"(found: {', '.join(found) or 'none'}){hint}",
            file=name,
        )
    return document
