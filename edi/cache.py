"""A small on-disk cache for tables that are slow to build (LALR tables, ICD-10-CM)."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/edi``, or ``~/.cache/edi``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "edi"


def load(name: str) -> Any | None:
    """The object cached under ``name``, or None when it is missing or unreadable."""
    try:
        with (cache_dir() / name).open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
        return None


def store(name: str, value: Any) -> None:
    """Cache ``value`` under ``name``, atomically; a read-only cache is not an error."""
    target = cache_dir() / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
            pickle.dump(value, temporary, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary.name, target)
    except OSError:
        pass
