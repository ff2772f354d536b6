"""`edi view`: one self-contained HTML page for an X12 file, its findings in place."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edi.commands.common import handle_errors, redactor
from edi.output import write_text


@handle_errors
def view(
    file: Annotated[Path, typer.Argument(help="An X12 837, 835, 999 or 277CA file.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", metavar="OUT", help="Write the page here (default and -: stdout).")
    ] = None,
    redact: Annotated[
        bool, typer.Option("--redact", help="Mask names, IDs, birth dates, addresses and claim numbers.")
    ] = False,
) -> None:
    """Write an HTML page of the file: loops folded by the guide's names, elements named, findings in place."""
    from edi.view import render_html

    masker = redactor(redact)
    if masker is None:
        page = render_html(file)
    else:
        page = masker.text(render_html(file, lambda s: masker.segment(s).split(s.delimiters.element)[1:]))
    write_text(output, page, [file])
