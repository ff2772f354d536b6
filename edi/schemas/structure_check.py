"""The structure schema check in linear time: the envelope by jsonschema, loops and segments by a plain walk.

jsonschema spends most of a large `edi write` on the millions of segment objects (each one
evolves validators and resolves ``$ref``s). Here the skeleton (interchanges, groups,
transaction sets without their loops) goes through jsonschema, and each loop and segment
through `_plain_loop` / `_plain_segment`, which accept only what the schema surely accepts;
a node they doubt is handed to jsonschema with its own subschema, so the problems listed
(and their JSON paths) are the ones the whole schema gives.
"""

from __future__ import annotations

import re
from typing import Any

from edi.schemas import load_schema, schema_problems

ELEMENT_KEY = re.compile(r"^.+[0-9]{2}$")  # the schema's propertyNames pattern, searched as jsonschema does
SEGMENT_KEYS = frozenset({"id", "elements", "unplaced"})
LOOP_KEYS = frozenset({"loop", "name", "items"})


def structure_problems(data: Any) -> list[str]:
    """Every way ``data`` breaks the structure schema, each with its JSON path (as `schema_problems` gives)."""
    if not isinstance(data, dict) or not isinstance(data.get("interchanges"), list):
        return schema_problems("structure", data)
    skeleton, loops = _skeleton(data)
    problems = schema_problems("structure", skeleton)
    for path, loop in loops:
        problems += _loop_problems(loop, path)
    return problems


def _skeleton(data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """``data`` with each transaction's loops replaced by a minimal valid loop, and the loops taken out."""
    loops: list[tuple[str, Any]] = []
    interchanges = []
    for i, interchange in enumerate(data["interchanges"]):
        if not isinstance(interchange, dict) or not isinstance(interchange.get("groups"), list):
            interchanges.append(interchange)
            continue
        groups = []
        for g, group in enumerate(interchange["groups"]):
            if not isinstance(group, dict) or not isinstance(group.get("transactions"), list):
                groups.append(group)
                continue
            transactions = []
            for t, transaction in enumerate(group["transactions"]):
                if isinstance(transaction, dict) and "loops" in transaction:
                    loops.append((f"$.interchanges[{i}].groups[{g}].transactions[{t}].loops", transaction["loops"]))
                    transaction = {**transaction, "loops": {"loop": "ST", "items": [{"id": "ST", "elements": {}}]}}
                transactions.append(transaction)
            groups.append({**group, "transactions": transactions})
        interchanges.append({**interchange, "groups": groups})
    return {**data, "interchanges": interchanges}, loops


def _loop_problems(root: Any, root_path: str) -> list[str]:
    problems: list[str] = []
    pending: list[tuple[str, Any, bool]] = [(root_path, root, False)]
    while pending:
        path, node, is_item = pending.pop()
        if isinstance(node, dict) and "loop" in node and "id" not in node and _plain_loop(node):
            items = node["items"]
            pending.extend((f"{path}.items[{n}]", items[n], True) for n in range(len(items) - 1, -1, -1))
        elif not (is_item and _plain_segment(node)):
            problems += _doubted(node, path, is_item)
    return problems


def _doubted(node: Any, path: str, is_item: bool) -> list[str]:
    """jsonschema's problems for one node (a loop item, or the root loop), with their paths under ``path``."""
    from jsonschema import Draft202012Validator

    defs = load_schema("structure")["$defs"]
    subschema = {"$defs": defs, **(defs["loop"]["properties"]["items"]["items"] if is_item else defs["loop"])}
    errors = sorted(Draft202012Validator(subschema).iter_errors(node), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{path}{error.json_path[1:]}: {error.message}" for error in errors]


def _plain_loop(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and node.keys() <= LOOP_KEYS
        and isinstance(node.get("loop"), str)
        and isinstance(node.get("name", ""), str)
        and isinstance(node.get("items"), list)
        and len(node["items"]) > 0
    )


def _plain_segment(node: Any) -> bool:
    if not (isinstance(node, dict) and node.keys() <= SEGMENT_KEYS and isinstance(node.get("unplaced", False), bool)):
        return False
    seg_id, elements = node.get("id"), node.get("elements")
    if not (isinstance(seg_id, str) and seg_id and isinstance(elements, dict)):
        return False
    return all(ELEMENT_KEY.search(key) and _plain_value(value) for key, value in elements.items())


def _plain_value(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(isinstance(part, str) for part in value)
    if isinstance(value, dict) and value.keys() == {"repeat"} and isinstance(value["repeat"], list):
        return all(
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(p, str) for p in v)) for v in value["repeat"]
        )
    return False
