"""Segments to X12 text, in the delimiters of the source or in chosen ones; every segment checked on the way."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from edi.x12.document import Document
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import checked_text


def segment_text(segments: Iterable[Segment], delimiters: Delimiters | None = None) -> str:
    """X12 text of ``segments``, each followed by its terminator and line-break suffix."""
    out: list[str] = []
    for segment in segments:
        target = delimiters or segment.delimiters
        out.append(checked_text(segment, delimiters) + target.segment + target.suffix)
    return "".join(out)


def write_document(document: Document, out: TextIO, delimiters: Delimiters | None = None) -> None:
    """Write a whole document, interchange by interchange."""
    for interchange in document.interchanges:
        target = delimiters or interchange.delimiters
        for segment in interchange.segments():
            out.write(checked_text(segment, delimiters) + target.segment + target.suffix)
