"""``python -m edi``: the `edi` command."""

from __future__ import annotations

from edi.cli import main

if __name__ == "__main__":
    main()
