"""Bounded work and lossless round trips: the 999 is linear in findings, the structure check agrees with the schema."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest

from edi.ack.ack999 import build_999
from edi.convert.structure import document_from_json, document_json
from edi.schemas import schema_problems
from edi.schemas.structure_check import structure_problems
from edi.validate.runner import validate_document
from edi.x12.reader import read_document
from edi.x12.segment import Segment
from edi.x12.writer import write_document
from tests.conftest import SAMPLES


def _same_control_numbers(copies: int) -> bytes:
    """One interchange, all on one line, holding ``copies`` transaction sets that share ST02 0001."""
    text = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8").replace("~\n", "~")
    segments = [s for s in text.split("~") if s]
    st = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    body = segments[st : se + 1] * copies
    return ("~".join([*segments[:st], *body, f"GE*{copies}*101", segments[-1]]) + "~").encode()


def test_the_999_does_work_linear_in_the_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    copies = 300
    document = read_document(_same_control_numbers(copies), file="dup.x12")
    issues = validate_document(document, max_snip=2, ordering=False)
    duplicates = [i for i in issues if i.rule == "snip1.duplicate_transaction_control_number"]
    assert len(duplicates) == copies - 1
    calls = [0]
    text = Segment.text

    def counted(self: Segment, delimiters: Any = None) -> str:
        calls[0] += 1
        return text(self, delimiters)

    monkeypatch.setattr(Segment, "text", counted)
    ack = build_999(document, issues)
    assert ack is not None and ack.count("AK2*837*0001") == copies
    assert calls[0] <= 10 * copies


def test_an_isa16_line_feed_writes_back_readable() -> None:
    text = (SAMPLES / "837p-office-visits.x12").read_text(encoding="utf-8")
    text = text.replace("*T*:~", "*T*\n~", 1).replace(":", "\n")
    document = read_document(text.encode(), file="lf.x12")
    assert document.interchanges[0].isa is not None and document.interchanges[0].isa.get(16) == "\n"
    out = io.StringIO()
    write_document(document_from_json(json.loads(json.dumps(document_json(document)))), out)
    assert out.getvalue() == text
    again = read_document(out.getvalue().encode(), file="again.x12")
    assert [s.text() for s in again.segments()] == [s.text() for s in document.segments()]


def test_a_junk_segment_id_survives_the_structural_round_trip() -> None:
    text = (SAMPLES / "835-office-visits.x12").read_text(encoding="utf-8")
    text = text.replace("\nSVC*", "\nresnCode>adjID>5*X*1~\nSVC*", 1)
    document = read_document(text.encode(), file="junk.835")
    tree = json.loads(json.dumps(document_json(document)))
    assert structure_problems(tree) == [] and schema_problems("structure", tree) == []
    out = io.StringIO()
    write_document(document_from_json(tree), out)
    assert out.getvalue() == text


def _mutated(tree: dict[str, Any], n: int) -> dict[str, Any]:
    tree = copy.deepcopy(tree)
    nodes: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, (dict, list)):
            nodes.append(node)
            for child in node.values() if isinstance(node, dict) else node:
                walk(child)

    walk(tree)
    target = nodes[(n * 7919) % len(nodes)]
    breakage: list[Any] = [5, None, [], {"repeat": [1]}, {"id": "A", "elements": {"A01": 3}}, {"loop": 2, "items": []}]
    if isinstance(target, dict) and target:
        target[sorted(target)[n % len(target)]] = breakage[n % len(breakage)]
    elif isinstance(target, list) and target:
        target[n % len(target)] = breakage[n % len(breakage)]
    return tree


def test_the_linear_structure_check_agrees_with_the_schema() -> None:
    tree = document_json(read_document(SAMPLES / "claims-837i.x12"))
    assert structure_problems(tree) == []
    for n in range(60):
        broken = _mutated(tree, n)
        assert bool(structure_problems(broken)) == bool(schema_problems("structure", broken)), n
