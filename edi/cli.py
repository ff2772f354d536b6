"""The `edi` command line. Exit codes: 0 success, 1 validation errors found, 2 unreadable input."""

from __future__ import annotations

import typer

from edi.commands import build_read, reconcile, structure, validate, view

app = typer.Typer(
    name="edi",
    help="Read, write, build, validate and reconcile X12 837 claims and 835 remittances.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(structure.parse)
app.command()(structure.write)
app.command()(build_read.build)
app.command()(build_read.read)
app.command()(reconcile.reconcile)
app.command()(validate.validate)
app.command()(view.view)


def main() -> None:
    """Entry point of the `edi` script."""
    app()


if __name__ == "__main__":
    main()
