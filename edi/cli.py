"""The `edi` command line. Exit codes: 0 success, 1 validation errors found, 2 unreadable input."""

from __future__ import annotations

from typing import Annotated

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
    app()


if __name__ == "__main__":
    main()
