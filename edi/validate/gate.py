"""What `edi` writes passes its own validator first: the SNIP 1-2 errors of built X12, named by JSON path.

The builders call `refuse_invalid` on the document they are about to return. Each error of
SNIP type 1 (envelope and element syntax) or 2 (the guide's rules) is named by the JSON path
of the object the segment was built from (``paths``: (ST02, segment position) -> path), else by
the JSON path of the bad value, else by the segment, so that the cause can be fixed in the JSON.
"""

from __future__ import annotations

from typing import Any

from edi.errors import InputError
from edi.validate.issue import Issue
from edi.validate.runner import validate_document
from edi.x12.document import Document
from edi.x12.values import json_paths

PLACEMENT = frozenset({"snip2.unexpected_segment", "snip2.segment_order"})
ENVELOPE_PATHS = {"ISA": "interchange", "IEA": "interchange", "GS": "group", "GE": "group"}


def structure_errors(document: Document) -> list[Issue]:
    """The SNIP 1 and 2 errors of ``document`` (code-ordering rules and higher SNIP types are not run)."""
    return [i for i in validate_document(document, max_snip=2, ordering=False) if i.severity == "error"]


def refuse_invalid(
    document: Document,
    data: dict[str, Any],
    file: str,
    kind: str,
    paths: dict[tuple[str, int], str] | None = None,
    unplaced: frozenset[tuple[str, int]] = frozenset(),
) -> None:
    """Raise `InputError` listing every SNIP 1-2 error of the built ``document``, each with its JSON path.

    ``unplaced`` holds the (ST02, position) of segments the JSON marks ``"unplaced": true``: their
    placement findings are left out, as the builder already warns about them.
    """
    errors = [
        i
        for i in structure_errors(document)
        if not (i.rule in PLACEMENT and (i.transaction or "", i.segment_position or 0) in unplaced)
    ]
    if not errors:
        return
    problems = [f"{_path(issue, data, paths or {})}: {_describe(issue)}" for issue in errors]
    raise InputError(f"the built {kind} does not pass SNIP 1-2 validation; nothing was written", problems, file=file)


def _path(issue: Issue, data: dict[str, Any], paths: dict[tuple[str, int], str]) -> str:
    if issue.segment_id in ENVELOPE_PATHS and not issue.segment_position:
        return "$." + ENVELOPE_PATHS[issue.segment_id]
    found = paths.get((issue.transaction or "", issue.segment_position or 0))
    if found:
        return found
    value = _element_value(issue)
    matches = json_paths(data, value) if value else []
    return matches[0] if len(matches) == 1 else "$"


def _element_value(issue: Issue) -> str:
    """The value of the element a finding names, from the segment text it quotes ('' when none)."""
    text, seg_id = issue.segment_text or "", issue.segment_id or ""
    if not issue.element or not seg_id or len(text) <= len(seg_id):
        return ""
    digits = issue.element[len(seg_id) :].split("-")[0]
    elements = text.split(text[len(seg_id)])
    index = int(digits) if digits.isdigit() else 0
    return elements[index] if 0 < index < len(elements) else ""


def _describe(issue: Issue) -> str:
    where = [f"{issue.segment_id} (segment {issue.segment_position})" if issue.segment_id else ""]
    where += [f"loop {issue.loop}" if issue.loop else "", issue.element or ""]
    return f"{issue.message} [{', '.join(w for w in where if w)}; {issue.rule}]"
