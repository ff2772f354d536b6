"""The public API: a handful of names, each importable from `edi`, none loaded by `import edi`."""

from __future__ import annotations

import subprocess
import sys

import edi

PUBLIC = {
    "EdiError",
    "InputError",
    "ReadError",
    "build_835",
    "build_837",
    "iter_events",
    "read_claims",
    "read_document",
    "read_remittance",
    "validate_file",
    "write_document",
}


def test_every_public_name_resolves() -> None:
    assert set(edi.__all__) == PUBLIC
    for name in PUBLIC:
        assert callable(getattr(edi, name)), name


def test_import_edi_loads_no_grammar_rules_or_lark() -> None:
    code = "import edi, sys; print(sorted(m for m in sys.modules if m == 'lark' or m.startswith(('edi.', 'lark.'))))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
