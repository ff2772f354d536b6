"""Claims rows over the 837 corpus: 837 -> rows -> 837 gives back the transaction sets, rows -> 837 -> rows the rows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from edi.claims.read import read_claims, renumbered
from edi.rows.build import build_rows
from edi.rows.source import open_rows
from edi.rows.write import rows_for, write_csv, write_parquet
from edi.x12.reader import read_document
from tests.conftest import CorpusFile, corpus_files, corpus_params, without_numbers

ENVELOPE_OWN = ("group_date", "group_time")
PARQUET_LIMIT = 100_000  # bytes: two large files, read as CSV only, keep the suite fast
CORPUS = corpus_params("837p", "837i", "837d", valid=("yes", "unknown"))


def _rows_file(row: CorpusFile, folder: Path, kind: str) -> Path:
    data = read_claims(read_document(row.path))
    path = folder / f"rows.{kind}"
    if kind == "csv":
        write_csv(data, path)
    else:
        write_parquet(data, path)
    return path


def _build(path: Path) -> str:
    out = io.StringIO()
    build_rows(open_rows(path), out, str(path), check=False)  # corpus files hold guide faults: copy them
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("row", CORPUS)
def test_837_to_rows_to_837_gives_back_the_transaction_sets(row: CorpusFile, kind: str, tmp_path: Path) -> None:
    if kind == "parquet" and row.path.stat().st_size > PARQUET_LIMIT:
        pytest.skip("the CSV run covers this large file; Parquet runs on the others")
    before = [t for _, _, t in read_document(row.path).transactions()]
    built = read_document(_build(_rows_file(row, tmp_path, kind)).encode("utf-8", "surrogateescape"))
    after = [t for _, _, t in built.transactions()]
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert new.control_number == old.control_number
        assert renumbered(new) == []
        if renumbered(old):
            assert without_numbers(new) == without_numbers(old)
        else:
            assert [s.text() for s in new.segments()] == [s.text() for s in old.segments()]


@pytest.mark.parametrize("row", CORPUS)
def test_rows_to_837_to_rows_gives_back_the_rows(row: CorpusFile, tmp_path: Path) -> None:
    path = _rows_file(row, tmp_path, "csv")
    built = read_document(_build(path).encode("utf-8", "surrogateescape"))
    assert _comparable(read_claims(built)) == _comparable(read_claims(read_document(row.path)))


def _comparable(data: dict[str, object]) -> tuple[list[str], list[dict[str, str]]]:
    """The rows of claims JSON without the GS date and time, which every build takes from the ISA."""
    names, rows = rows_for(data)
    for row in rows:
        for name in ENVELOPE_OWN:
            row.pop(name, None)
    return [n for n in names if n not in ENVELOPE_OWN], rows


def _corpus(name: str) -> Path:
    found = [r.path for r in corpus_files("837p", "837i", "837d") if r.path.name == name]
    if not found:
        pytest.skip("corpus not found")
    return found[0]


def test_keys_are_written_only_where_loops_would_merge() -> None:
    plain, _ = rows_for(read_claims(read_document(_corpus("stupidedi__ambulance.edi"))))
    assert not [n for n in plain if n.endswith("_key")]
    # the same claims come back in each of its transaction sets, which hold the same envelope values
    repeated, _ = rows_for(read_claims(read_document(_corpus("imsweb__x12_multiple_transactions.txt"))))
    assert {"transaction_key", "claim_key"} <= set(repeated)
