"""The `edi` command line. Exit codes: 0 success, 1 validation errors found, 2 unreadable input."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Annotated, NoReturn

import typer

from edi import __version__
from edi.commands import build_read, ledger, reconcile, structure, validate, view
from edi.commands.common import TidyGroup

app = typer.Typer(
    name="edi",
    help="Read, write, build, validate and reconcile X12 837 claims and 835 remittances.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    cls=TidyGroup,
)
app.command()(structure.parse)
app.command()(structure.write)
app.command()(build_read.build)
app.command()(build_read.read)
app.command()(reconcile.reconcile)
app.command()(validate.validate)
app.command()(view.view)
app.add_typer(ledger.app)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"edi {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, metavar="", help="Show the version and exit."),
    ] = False,
) -> None:
    """Read, write, build, validate and reconcile X12 837 claims and 835 remittances."""


def main() -> None:
    """Entry point of the `edi` script."""
    try:
        app()
    except SystemExit as done:
        _leave(done)


def _leave(done: SystemExit) -> NoReturn:
    """Exit with ``done``'s code at once, the outputs flushed and the exit handlers run.

    Freeing every object a run over a large file made (grammars, code lists, findings) takes a
    noticeable part of a second and changes nothing. Where another thread still runs, the code
    is not a number, or flushing fails, Python exits as usual.
    """
    code = 0 if done.code is None else done.code
    if not isinstance(code, int) or threading.active_count() > 1:
        raise done
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        raise done from None
    os._exit(code)


if __name__ == "__main__":
    main()
