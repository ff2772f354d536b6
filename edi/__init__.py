"""edi: read, write, build, validate and reconcile X12 837 claims and 835 remittances.

The public API, each name imported on first use so that ``import edi`` stays cheap:

* `read_document`, `iter_events`, `write_document`: X12 to a loop tree and back.
* `read_claims`, `build_837`: 837 to claims JSON and back.
* `read_remittance`, `build_835`: 835 to remittance JSON and back.
* `validate_file`: findings by SNIP type and code ordering rules.
* `edi.reconcile.reconcile`: 835 remittances against the 837 claims they pay (the package
  shares the name, so the function is not re-exported here).
* `EdiError`, `ReadError`, `InputError`: input that cannot be used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edi.claims.build import build_837
    from edi.claims.read import read_claims
    from edi.errors import EdiError, InputError, ReadError
    from edi.remit.build import build_835
    from edi.remit.read import read_remittance
    from edi.validate.runner import validate_file
    from edi.x12.reader import iter_events, read_document
    from edi.x12.writer import write_document

__version__ = "0.1.0"

_EXPORTS = {
    "EdiError": "edi.errors",
    "InputError": "edi.errors",
    "ReadError": "edi.errors",
    "iter_events": "edi.x12.reader",
    "read_document": "edi.x12.reader",
    "write_document": "edi.x12.writer",
    "read_claims": "edi.claims.read",
    "build_837": "edi.claims.build",
    "read_remittance": "edi.remit.read",
    "build_835": "edi.remit.build",
    "validate_file": "edi.validate.runner",
}
__all__ = [
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
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is used."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'edi' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
