"""Writing an output file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from edi.errors import EdiError, Location


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise EdiError(f"cannot write the file: {exc.strerror}", Location(file=str(path))) from exc
