"""`edi.x12.plain` gives what the tokenizer reads from a plain file, and None for any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from edi.ledger.store import _segments_digest
from edi.x12.plain import segments_digest, transaction_kinds
from edi.x12.reader import iter_segments
from edi.x12.reader import transaction_kinds as read_kinds

DATA = Path(__file__).parent / "data" / "reconcile"


def _variants(tmp_path: Path) -> dict[str, Path]:
    text = (DATA / "batch.837").read_bytes()
    made = {
        "lines": text,
        "one line": text.replace(b"\n", b""),
        "no last line break": text.rstrip(b"\n"),
        "crlf": text.replace(b"~\n", b"~\r\n"),
        "indented": text.replace(b"~\nCLM", b"~\n  CLM"),
        "no last terminator": text.rstrip(b"~\n"),
        "two interchanges": text + (DATA / "office.837").read_bytes(),
        "empty segment": text.replace(b"~\nCLM", b"~~\nCLM", 1),
    }
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in made}


@pytest.mark.parametrize("name", ["lines", "one line", "no last line break"])
def test_a_plain_file_gives_the_tokenizers_digest_and_kinds(tmp_path: Path, name: str) -> None:
    path = _variants(tmp_path)[name]
    assert segments_digest(path) == _segments_digest(iter_segments(path))
    assert transaction_kinds(path) == read_kinds(path)


@pytest.mark.parametrize("name", ["crlf", "indented", "no last terminator", "two interchanges", "empty segment"])
def test_any_other_layout_is_left_to_the_tokenizer(tmp_path: Path, name: str) -> None:
    path = _variants(tmp_path)[name]
    assert segments_digest(path) is None
    assert transaction_kinds(path) is None


def test_a_range_of_segments_is_hashed_as_their_text(tmp_path: Path) -> None:
    path = DATA / "batch.837"
    data = path.read_bytes()
    start, end = data.index(b"ST*"), data.index(b"~", data.index(b"\nSE*")) + 1
    segments = [s for s in iter_segments(path) if start <= s.offset < end]
    assert segments[0].id == "ST" and segments[-1].id == "SE"
    assert segments_digest(path, start, end) == _segments_digest(segments)


def test_a_missing_file_is_left_to_the_tokenizer(tmp_path: Path) -> None:
    assert segments_digest(tmp_path / "none.x12") is None
