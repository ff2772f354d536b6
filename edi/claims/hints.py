"""Plain-words hints for claims JSON the schema refuses: ICD codes written with a dot, as EHR exports hold them."""

from __future__ import annotations

from typing import Any

from edi.errors import InputError
from edi.schemas import schema_problems

# Keys whose entries carry an ICD ``code`` (a list of objects, or one object).
ICD_KEYS = frozenset({"diagnoses", "principal_procedure", "other_procedures"})


def check_claims(data: Any, file: str = "") -> None:
    """Raise `InputError` listing every schema problem of claims JSON ``data``, with hints where one helps."""
    hints = dotted_codes(data)
    problems = []
    for problem in schema_problems("claims", data):
        path = problem.split(": ", 1)[0]
        problems.append(hints.get(path, problem))
    if problems:
        raise InputError("the JSON does not match the claims schema", problems, file=file)


def dotted_codes(data: Any, path: str = "$") -> dict[str, str]:
    """JSON path -> hint for each ICD code in ``data`` written with a dot (``J06.9`` is written ``J069``)."""
    found: dict[str, str] = {}
    if isinstance(data, list):
        for n, item in enumerate(data):
            found.update(dotted_codes(item, f"{path}[{n}]"))
    elif isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}"
            if key in ICD_KEYS:
                for n, entry in enumerate(value if isinstance(value, list) else [value]):
                    at = f"{where}[{n}].code" if isinstance(value, list) else f"{where}.code"
                    code = entry.get("code") if isinstance(entry, dict) else None
                    if isinstance(code, str) and "." in code:
                        found[at] = (
                            f"{at}: {code!r} is written with a dot; X12 and claims JSON write ICD codes "
                            f"without it: {code.replace('.', '')!r}"
                        )
            found.update(dotted_codes(value, where))
    return found
