"""The JSON Schemas `edi` publishes, and the check every JSON input goes through first."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from edi.errors import InputError


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``edi/schemas/<name>.schema.json``."""
    text = (resources.files("edi.schemas") / f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_problems(name: str, data: Any) -> list[str]:
    """Every way ``data`` breaks schema ``name``, each with its JSON path."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema(name))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{error.json_path}: {error.message}" for error in errors]


def check_against(name: str, data: Any, file: str = "") -> None:
    """Raise `InputError` listing every schema problem of ``data``, with JSON paths."""
    if name == "structure":
        from edi.schemas.structure_check import structure_problems  # linear in the segments

        problems = structure_problems(data)
    else:
        problems = schema_problems(name, data)
    if problems:
        raise InputError(f"the JSON does not match the {name} schema", problems, file=file)
