"""`edi parse` and `edi write`: X12 to the structural JSON and back."""

from __future__ import annotations

import io
import json
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.markup import escape

from edi.claims import FORMAT as CLAIMS_FORMAT
from edi.commands.common import (
    STDIN_NAME,
    Jobs,
    display_name,
    expand_inputs,
    handle_errors,
    looks_like_x12_text,
    progress,
    redactor,
    source,
    state,
    stderr,
    stdin_bytes,
    stdout,
    wants_json,
)
from edi.convert.parallel import parse_to_json
from edi.convert.structure import document_from_json, document_json, stream_json
from edi.errors import InputError, Location, ReadError
from edi.output import is_stdio, open_output
from edi.parallel import default_jobs
from edi.remit import FORMAT as REMITTANCE_FORMAT
from edi.x12.document import ReadWarning
from edi.x12.lalr import Loop
from edi.x12.reader import Reader, read_document
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import UnsafeValue, located

if TYPE_CHECKING:
    from rich.tree import Tree

    from edi.redact import Redactor

MAX_TREE_SEGMENTS = 5000


@handle_errors
def parse(
    files: Annotated[
        list[str], typer.Argument(metavar="FILE", help="X12 files, folders, globs, or - for standard input.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Write the structural JSON (default when piped).")] = False,
    output: Annotated[
        str | None, typer.Option("-o", "--output", metavar="OUT", help="Write to this file (- for standard output).")
    ] = None,
    jobs: Jobs = 0,
    redact: Annotated[bool, typer.Option("--redact", help="Mask names, IDs, birth dates, addresses.")] = False,
) -> None:
    """Read X12 files and show their interchanges, groups, transaction sets and loops.

    With several files, the JSON is one document per line (JSON Lines).
    """
    paths = expand_inputs(files)
    masker = redactor(redact)
    if as_json or output is not None or wants_json(False):
        with open_output(output, paths) as out:
            for path in progress(paths, "reading"):
                _print_warnings(_write_json(path, out, jobs or default_jobs(), masker))
        return
    for path in paths:
        document = read_document(source(path), file=display_name(path))
        if masker is not None:
            masker.learn_segments(document.segments())  # the tree shows 5,000 segments; warnings may name others
        stdout.print(_tree(document, masker))
        _print_warnings(document.warnings)


def _write_json(path: Path, out: TextIO, jobs: int, masker: Redactor | None) -> list[ReadWarning]:
    """One file's structural JSON on one line; nothing for a file that cannot be read at all."""
    if masker is not None:
        document = read_document(source(path), file=display_name(path))
        masked = masker.structure(document_json(document))  # by position first: this learns the values
        out.write(json.dumps(masker.data(masked)) + "\n")  # then wherever else they appear (warnings)
        return document.warnings
    if is_stdio(path):
        reader = Reader(STDIN_NAME)
        events = reader.events(io.BytesIO(stdin_bytes()))
        first = next(events, None)
        stream_json(chain([first] if first else [], events), out, STDIN_NAME, reader.warnings)
        return reader.warnings
    try:
        return parse_to_json(path, out, jobs)
    except OSError as exc:
        raise ReadError(f"cannot read the file: {exc.strerror}", Location(file=str(path))) from exc


def _print_warnings(warnings: list[Any]) -> None:
    masker = state.redactor
    for warning in warnings:
        text = masker.text(str(warning)) if masker else str(warning)
        stderr.print(f"[yellow]warning[/]: {escape(text)}", soft_wrap=True)


def _tree(document: Any, masker: Redactor | None) -> Tree:
    from rich.tree import Tree

    root = Tree(f"[bold]{escape(document.file)}[/]")
    budget = [MAX_TREE_SEGMENTS]
    for interchange in document.interchanges:
        label = "interchange " + (interchange.isa.get(13) if interchange.isa else "(no envelope)")
        node = root.add(f"[bold cyan]{escape(label)}[/]")
        for group in interchange.groups:
            gnode = node.add(f"[cyan]group {escape(group.gs.get(6) if group.gs else '(none)')}[/]")
            for transaction in group.transactions:
                guide = transaction.guide
                title = f"{guide.id} {guide.version}" if guide else "no guide"
                tnode = gnode.add(f"[green]transaction {escape(transaction.control_number)}[/] ({escape(title)})")
                names = {k: v["name"] for k, v in guide.loops.items()} if guide else {}
                _add_loop(tnode, transaction.root, names, budget, masker)
    return root


def _add_loop(node: Tree, loop: Loop, names: dict[str, str], budget: list[int], masker: Redactor | None) -> None:
    for item in loop.items:
        if budget[0] <= 0:
            node.add("[dim]... (more segments: use --json)[/]")
            return
        if isinstance(item, Segment):
            budget[0] -= 1
            flag = " [red](not placed by the guide)[/]" if item.unplaced else ""
            text = masker.segment(item) if masker else item.text()
            node.add(f"[dim]{item.position:>5}[/] {escape(text)}{flag}")
        else:
            child = node.add(f"[bold magenta]{escape(item.id)}[/] {escape(names.get(item.id, ''))}")
            _add_loop(child, item, names, budget, masker)


@handle_errors
def write(
    tree: Annotated[
        str, typer.Argument(metavar="TREE", help="Structural JSON written by `edi parse --json` (- for stdin).")
    ],
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="OUT", help="Write the X12 here (default and -: standard output)."),
    ] = None,
    delimiters: Annotated[
        str | None,
        typer.Option(
            "--delimiters",
            metavar="CHARS",
            help="Four characters: element, component, repetition and segment separators, e.g. '*:^~'.",
        ),
    ] = None,
) -> None:
    """Turn structural JSON back into X12, in its own delimiters or in chosen ones."""
    path = Path(tree)
    data = load_json(path)
    kind = data.get("format") if isinstance(data, dict) else None
    if kind in (CLAIMS_FORMAT, REMITTANCE_FORMAT):
        raise InputError(
            f"this is {kind} business JSON, not the structural JSON of `edi parse --json`: use `edi build` for it",
            file=display_name(path),
        )
    from edi.schemas import check_against
    from edi.x12.writer import write_document

    check_against("structure", data, display_name(path))
    chosen = _delimiters(delimiters) if delimiters else None
    try:
        document = document_from_json(data)
        with open_output(output, [path]) as out:
            write_document(document, out, chosen)
    except UnsafeValue as error:
        raise located(error, data, display_name(path)) from None


def load_json(path: Path) -> Any:
    """The JSON of a file, or of standard input for ``-``; an `InputError` when it is not JSON."""
    try:
        text = stdin_bytes().decode("utf-8") if is_stdio(path) else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the JSON: {exc}", file=display_name(path)) from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        if looks_like_x12_text(text):
            raise InputError("this is X12, not JSON: `edi read` turns it into JSON", file=display_name(path)) from exc
        raise InputError(f"cannot read the JSON: {exc}", file=display_name(path)) from exc


def _delimiters(text: str) -> Delimiters:
    if len(text) != 4:
        raise InputError("--delimiters takes four characters: element, component, repetition, segment")
    chosen = Delimiters(text[0], text[1], text[2], text[3], "\n")
    problem = chosen.check()
    if problem:
        raise InputError(f"--delimiters: {problem}")
    return chosen
