"""A small on-disk cache of data that is slow to build (LALR tables, ICD-10-CM), stored as JSON.

The folder is the platform's user cache folder (``platformdirs.user_cache_dir("edi")``, which
honours ``XDG_CACHE_HOME`` on Linux), with one subfolder per `edi` version so that two versions
never read each other's files. A file holds data only, never code: it is read with orjson and
turned back into objects by the caller's ``restore`` function. A file that is corrupt or does not
hold what is expected is rebuilt, with a note on standard error.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson
import platformdirs

from edi import __version__

T = TypeVar("T")
LAYOUT = 1  # bump when the wrapper around the cached data changes


def cache_dir() -> Path:
    """The folder of this version's cache files."""
    return Path(platformdirs.user_cache_dir("edi")) / f"{__version__}-{LAYOUT}"


def load(name: str, restore: Callable[[Any], T]) -> T | None:
    """The object cached under ``name`` (rebuilt from its JSON by ``restore``), or None to build it anew.

    A missing file gives None quietly; an unreadable, corrupt or foreign one gives None and a note.
    """
    path = cache_dir() / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _note(path, exc.strerror or str(exc))
        return None
    collecting = gc.isenabled()
    gc.disable()  # the data is many small objects and no cycles: collecting while they are made only costs time
    try:
        wrapper = orjson.loads(raw)
        if not isinstance(wrapper, dict) or wrapper.get("name") != name:
            raise ValueError("it holds another cache entry")
        return restore(wrapper["data"])
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        _note(path, str(exc) or type(exc).__name__)
        return None
    finally:
        if collecting:
            gc.enable()


def store(name: str, value: Any) -> None:
    """Cache ``value`` (JSON data: dicts, lists, tuples, strings, numbers, dataclasses) under ``name``, atomically.

    A read-only or full cache folder is not an error: the value is simply built again next time.
    """
    target = cache_dir() / name
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{name}.", delete=False) as handle:
            temporary = handle.name
            handle.write(orjson.dumps({"name": name, "data": value}))
        os.replace(temporary, target)
    except OSError:
        if temporary:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _note(path: Path, reason: str) -> None:
    print(f"edi: note: the cache file {path} cannot be used ({reason}); it is rebuilt", file=sys.stderr)
