"""`edi reconcile`: match 835 remittances to 837 claims and show each claim's paid amount and patient share.

Every input must be usable: a file that is missing or unreadable, a folder without X12 files
or a file without a transaction set of its kind stops the command (exit 2) before anything is
written, so that a claim is never shown open because its remittance was silently skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from edi.commands.common import (
    TABLE_WIDTH,
    Jobs,
    display_name,
    expand_inputs,
    handle_errors,
    redactor,
    source,
    stdout,
)
from edi.errors import InputError
from edi.guides import CLAIM_KIND, REMITTANCE_KIND
from edi.output import is_stdio, open_output
from edi.x12.document import Document
from edi.x12.plain import transaction_kinds as plain_kinds
from edi.x12.reader import iter_events, iter_segments, read_document, transaction_kinds

if TYPE_CHECKING:
    from edi.reconcile import SkippedFile


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
    jobs: Jobs = 0,
) -> None:
    """Reconcile 835 remittances against 837 claims: paid, patient share by type, status, open and unmatched claims."""
    from edi.ledger.streamed import StreamedReconciliation  # imported here: other commands skip it
    from edi.parallel import default_jobs
    from edi.reconcile import reconciled
    from edi.reconcile.write import unmasked, write_csv, write_json, write_plain_table, write_table

    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="--json / --csv")
    masker = redactor(redact)
    claim_paths, remit_paths = expand_inputs(claims, "--claims"), expand_inputs(remit, "--remit")
    extra_paths = expand_inputs(extra, "FILE") if extra else []
    if sum(is_stdio(p) for p in (*claim_paths, *remit_paths, *extra_paths)) > 1:
        raise InputError("standard input ('-') can be read only once", file="--claims/--remit")
    claim_files = [_usable(path, CLAIM_KIND, "--claims")[0] for path in claim_paths]
    remit_files = [_usable(path, REMITTANCE_KIND, "--remit")[0] for path in remit_paths]
    for path in extra_paths:
        found, kinds = _usable(path, None, "FILE")
        (claim_files if CLAIM_KIND in kinds else remit_files).append(found)
    if masker is not None:
        for found in (*claim_files, *remit_files):
            masker.learn_segments(found.segments() if isinstance(found, Document) else iter_segments(found))
    processes = jobs or default_jobs()
    with reconciled(claim_files, remit_files, processes) as (ledger, skipped), ledger.engine.connect() as connection:
        _stop_on_unreadable(skipped, [*claim_files, *remit_files])
        result = StreamedReconciliation(connection, skipped)
        if not as_json and not as_csv and is_stdio(output) and masker is None and stdout.is_terminal:
            write_table(result, stdout, stdout.width, soft_wrap=False)
            return
        with open_output(output, [*claim_paths, *remit_paths, *extra_paths]) as out:
            if as_json:
                write_json(result, out, masker.data if masker else unmasked)
            elif as_csv:
                write_csv(result, out, masker.text if masker else unmasked)
            else:
                width = stdout.width if is_stdio(output) and stdout.is_terminal else TABLE_WIDTH
                soft_wrap = not stdout.is_terminal or not is_stdio(output)
                write_plain_table(result, out, width, soft_wrap, masker.text if masker else unmasked)


def _usable(path: Path, kind: str | None, option: str) -> tuple[Path | Document, set[str]]:
    """The file (a path, or standard input read) holding a ``kind`` transaction set (837 or 835 for None).

    Else an error naming it (exit 2), as when the file cannot be read. Its kinds are found from its
    bytes (`edi.x12.plain`) or by the tokenizer alone: the grammar reads it once, into the ledger
    (see `_stop_on_unreadable`).
    """
    name = display_name(path)
    found: Path | Document
    if is_stdio(path):
        found = read_document(source(path), file=name)
        kinds = {t.st.get(1) for _, _, t in found.transactions()}
    else:
        found = path
        kinds = set(plain_kinds(path) or transaction_kinds(path, name))
    wanted = {kind} if kind else {CLAIM_KIND, REMITTANCE_KIND}
    if not wanted & kinds:
        other = {CLAIM_KIND: "; give it to --remit", REMITTANCE_KIND: "; give it to --claims"}
        hint = other[kind] if kind and (set(other) - {kind}) & kinds else ""
        raise InputError(
            f"{option}: the file holds no {' or '.join(sorted(wanted))} transaction set "
            f"(found: {', '.join(sorted(kinds)) or 'none'}){hint}",
            file=name,
        )
    return found, kinds


def _stop_on_unreadable(skipped: list[SkippedFile], files: list[Path | Document]) -> None:
    """Stop (exit 2) with the reader's error if a skipped file cannot be read by the grammar.

    A file skipped because the ledger refused one of its values, or because it repeats an earlier
    one, stays listed in the reconciliation's ``skipped_files``. Only skipped files are read again.
    """
    names = {entry.file for entry in skipped}
    for found in files:
        if isinstance(found, Path) and str(found) in names:
            for _ in iter_events(found, display_name(found), units=True):
                pass
