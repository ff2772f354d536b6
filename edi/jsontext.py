"""JSON text: orjson, and the standard library for text orjson refuses.

Bytes of a file that are not UTF-8 are read as lone surrogates (``surrogateescape``), so that
writing them back gives the same bytes. orjson refuses such strings; the standard library
writes them as ``\\udcXX`` escapes, which read back to the same surrogates. Only values that
hold one take that slower path, which writes dataclasses, dates and times as orjson does.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, time
from typing import Any

import orjson


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """Compact JSON text of ``value``, lone surrogates escaped; ``default`` as orjson's."""
    try:
        return orjson.dumps(value, default=default).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), default=lambda item: _plain(item, default))


def members(value: dict[str, Any]) -> str:
    """The members of a JSON object without its braces: each key and value as `dumps` writes them on its own."""
    try:
        return orjson.dumps(value).decode()[1:-1]
    except TypeError:
        return ",".join(f"{dumps(key)}:{dumps(item)}" for key, item in value.items())


def loads(text: str | bytes) -> Any:
    """The value of JSON text, lone surrogate escapes (as `dumps` writes them) included."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _plain(value: Any, default: Callable[[Any], Any] | None) -> Any:
    """What orjson writes natively for ``value`` (dataclasses, dates and times), else ``default``'s answer."""
    if isinstance(value, (date, time)):  # datetime is a date
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if default is None:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return default(value)
