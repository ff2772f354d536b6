"""The reconciliation facts (edi.reconcile.extract dataclasses) as JSON text and back, exactly: amounts as strings."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from edi.jsontext import dumps as json_text
from edi.jsontext import loads as json_loads

T = TypeVar("T")


def dumps(value: Any) -> str:
    """JSON text for a fact dataclass or plain data holding Decimals and dates."""
    return json_text(value, _default)


def loads(kind: type[T], text: str) -> T:
    """The ``kind`` dataclass that `dumps` wrote as ``text``."""
    value: T = _decode(kind, json_loads(text))
    return value


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot store {type(value).__name__} in the ledger")


Decoder = Callable[[Any], Any]


def _decode(kind: Any, value: Any) -> Any:
    return _decoder(kind)(value)


@cache
def _decoder(kind: Any) -> Decoder:
    """A function turning the JSON of ``kind`` back into it, built once per type."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(a for a in typing.get_args(kind) if a is not type(None)))
        return _same if inner is _same else lambda value: None if value is None else inner(value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return tuple if item is _same else lambda value: tuple(map(item, value))
        items = [_decoder(a) for a in args]
        return lambda value: tuple(d(v) for d, v in zip(items, value, strict=True))
    if kind is Decimal:
        return Decimal
    if kind is date:
        return date.fromisoformat
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass_decoder(kind)
    return _same


def _dataclass_decoder(kind: type) -> Decoder:
    """Decode a dataclass's JSON object in place: only the fields that are not plain JSON values are converted."""
    converted = []
    for name, hint in typing.get_type_hints(kind).items():
        decoder = _decoder(hint)
        if decoder is not _same:
            converted.append((name, decoder))

    def decode(value: dict[str, Any]) -> Any:
        for name, decoder in converted:
            if name in value:
                value[name] = decoder(value[name])
        return kind(**value)

    return decode


def _same(value: Any) -> Any:
    return value
