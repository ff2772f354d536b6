"""Over the whole corpus: valid files parse and write back; broken ones fail cleanly."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from edi.convert.structure import document_from_json, document_json
from edi.errors import EdiError
from edi.x12.reader import read_document
from edi.x12.writer import write_document
from tests.conftest import CorpusFile, corpus_params

READABLE = ("837p", "837i", "837d", "835", "999")


def _segments(text: str, terminator: str) -> list[str]:
    return [s.strip(" \r\n\t") for s in text.split(terminator) if s.strip(" \r\n\t")]


@pytest.mark.parametrize("row", corpus_params(*READABLE, valid=("yes", "unknown")))
def test_parse_then_write_gives_back_the_same_segments(row: CorpusFile) -> None:
    document = read_document(row.path)
    assert document.interchanges, "no interchange read"
    data = json.loads(json.dumps(document_json(document)))
    rebuilt = document_from_json(data)
    import io

    out = io.StringIO()
    write_document(rebuilt, out)
    original = [s.text() for s in document.segments()]
    terminator = document.interchanges[0].delimiters.segment
    assert _segments(out.getvalue(), terminator) == [s.strip() for s in original]
    raw = row.path.read_bytes().decode("utf-8", "surrogateescape").lstrip("\ufeff")
    if terminator not in "\r\n":
        source = [s.replace("\r", "").replace("\n", "") for s in _segments(raw[raw.index("ISA") :], terminator)]
        assert _segments(out.getvalue(), terminator) == source


@pytest.mark.parametrize("row", corpus_params("invalid", "other"))
def test_broken_and_other_files_end_in_a_message_or_a_tree(row: CorpusFile) -> None:
    try:
        document = read_document(row.path)
    except EdiError as error:
        text = str(error)
        assert row.path.name in text and len(text.splitlines()[0]) > 20
    else:
        assert list(document.segments())


@pytest.mark.parametrize("row", corpus_params("invalid", "other"))
def test_cli_never_prints_a_traceback(row: CorpusFile) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "edi.cli", "parse", "--json", str(row.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 2)
    if result.returncode == 2:
        assert "error" in result.stderr and row.path.name in result.stderr
    else:
        assert json.loads(result.stdout)["interchanges"]
