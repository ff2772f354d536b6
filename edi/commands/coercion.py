"""Plain option values (text, whole numbers in range) taken as they are, without typer's pydantic adapters.

typer converts each value through a pydantic adapter, and importing pydantic alone takes about
a tenth of a second of every run. A text value, a list of them, a flag's `bool` or a whole number
within the option's range comes out of that adapter unchanged (the number as `int`); anything else (a path,
a number out of range, where the message must be typer's own) still goes through it.
"""

from __future__ import annotations

import re
from typing import Any

try:  # typer's coercion layer; versions without it convert values without pydantic
    from typer._coercion import RuntimeParam, build_runtime_param

    BASE: Any = RuntimeParam
except ImportError:  # pragma: no cover - depends on the installed typer
    BASE = None

DIGITS = re.compile(r"[0-9]{1,18}")


def take_plain(param: Any) -> None:
    """Let ``param`` (a typer option or argument) take plain values as they are."""
    descriptor = getattr(param, "type_descriptor", None)
    if BASE is None or descriptor is None or getattr(param, "_runtime_param", 0) is not None:
        return
    info = descriptor.parameter_info
    if descriptor.annotation in (str, int, bool, list[str]) and info.parser is None and not info.clamp:
        param._runtime_param = _Plain(info, descriptor.annotation)


class _Plain(BASE or object):  # type: ignore[misc]
    """A `str`, `list[str]`, `bool` or `int` parameter: plain values as they are, others through typer's adapter."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        plain = _plain(self.annotation, value, self.parameter_info)
        if plain is not None:
            return plain
        return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)


def _plain(annotation: Any, value: Any, info: Any) -> Any:
    """The value the adapter gives for a plain ``value``; None where the adapter must answer."""
    if annotation in (str, bool):
        return value if isinstance(value, annotation) else None
    if annotation is int:
        if isinstance(value, str) and DIGITS.fullmatch(value):
            value = int(value)
        if type(value) is not int:
            return None
        return value if (info.min is None or value >= info.min) and (info.max is None or value <= info.max) else None
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return list(value)
    return None
