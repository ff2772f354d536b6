"""`edi parse` and `edi write`: X12 to the structural JSON and back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.tree import Tree

from edi.commands.common import handle_errors, stderr, stdout, wants_json
from edi.convert.parallel import default_jobs, parse_to_json
from edi.convert.structure import document_from_json
from edi.errors import InputError, Location, ReadError
from edi.schemas import check_against
from edi.x12.document import ReadWarning
from edi.x12.lalr import Loop
from edi.x12.reader import read_document
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import UnsafeValue, located
from edi.x12.writer import write_document

MAX_TREE_SEGMENTS = 5000


@handle_errors
def parse(
    file: Annotated[Path, typer.Argument(help="The X12 file to read.")],
    as_json: Annotated[bool, typer.Option("--json", help="Write the structural JSON (default when piped).")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Processes for large files (0: two where there are two cores).")
    ] = 0,
) -> None:
    """Read an X12 file and show its interchanges, groups, transaction sets and loops."""
    if as_json or output is not None or wants_json(False):
        try:
            warnings = _write_json(file, output, jobs or default_jobs())
        except OSError as exc:
            raise ReadError(f"cannot read the file: {exc.strerror}", Location(file=str(file))) from exc
        _print_warnings(warnings)
        return
    document = read_document(file)
    stdout.print(_tree(document))
    _print_warnings(document.warnings)


def _write_json(file: Path, output: Path | None, jobs: int) -> list[ReadWarning]:
    """The structural JSON to standard output, or to OUT through OUT.part: a failed read leaves no OUT."""
    if output is None:
        return parse_to_json(file, sys.stdout, jobs)
    partial = output.with_name(output.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", errors="surrogateescape") as out:
            warnings = parse_to_json(file, out, jobs)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    return warnings


def _print_warnings(warnings: list[Any]) -> None:
    for warning in warnings:
        stderr.print(f"[yellow]warning[/]: {escape(str(warning))}")


def _tree(document: Any) -> Tree:
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
                _add_loop(tnode, transaction.root, names, budget)
    return root


def _add_loop(node: Tree, loop: Loop, names: dict[str, str], budget: list[int]) -> None:
    for item in loop.items:
        if budget[0] <= 0:
            node.add("[dim]... (more segments: use --json)[/]")
            return
        if isinstance(item, Segment):
            budget[0] -= 1
            flag = " [red](not placed by the guide)[/]" if item.unplaced else ""
            node.add(f"[dim]{item.position:>5}[/] {escape(item.text())}{flag}")
        else:
            child = node.add(f"[bold magenta]{escape(item.id)}[/] {escape(names.get(item.id, ''))}")
            _add_loop(child, item, names, budget)


@handle_errors
def write(
    tree: Annotated[Path, typer.Argument(help="Structural JSON written by `edi parse --json`.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the X12 here (default: stdout).")] = None,
    delimiters: Annotated[
        str | None,
        typer.Option(
            "--delimiters",
            help="Four characters: element, component, repetition and segment separators, e.g. '*:^~'.",
        ),
    ] = None,
) -> None:
    """Turn structural JSON back into X12, in its own delimiters or in chosen ones."""
    try:
        data = json.loads(tree.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the JSON: {exc}", file=str(tree)) from exc
    check_against("structure", data, str(tree))
    chosen = _delimiters(delimiters) if delimiters else None
    try:
        document = document_from_json(data)
        if output:
            with output.open("w", encoding="utf-8", newline="", errors="surrogateescape") as out:
                write_document(document, out, chosen)
        else:
            write_document(document, sys.stdout, chosen)
    except UnsafeValue as error:
        raise located(error, data, str(tree)) from None


def _delimiters(text: str) -> Delimiters:
    if len(text) != 4:
        raise InputError("--delimiters takes four characters: element, component, repetition, segment")
    chosen = Delimiters(text[0], text[1], text[2], text[3], "\n")
    problem = chosen.check()
    if problem:
        raise InputError(f"--delimiters: {problem}")
    return chosen
