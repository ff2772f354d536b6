"""One X12 file to the Arrow batches of the tidy tables (`edi.tables`), for the local pool and Spark alike.

A file is read transaction set by transaction set (`iter_events`), each turned into rows and batched by
claims; a file that cannot be read gives only a row of the errors table, never an exception.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pyarrow as pa

from edi.errors import EdiError, InputError
from edi.guides import CLAIM_KIND, REMITTANCE_KIND
from edi.tables import CLAIMS_PER_BATCH, Row, claims_rows, error_row, finding_rows, record_batches, remittance_rows

Mode = Literal["read", "claims", "remittances", "validate"]
ACCEPTED = {"read": (CLAIM_KIND, REMITTANCE_KIND), "claims": (CLAIM_KIND,), "remittances": (REMITTANCE_KIND,)}


def file_batches(
    path: str | Path, mode: Mode, snip: int = 5, claims_per_batch: int = CLAIMS_PER_BATCH
) -> list[tuple[str, pa.RecordBatch]]:
    """The batches of one file: its rows when it reads to the end, else one row of the errors table.

    ``mode`` ``read`` takes 837s and 835s, ``claims`` only 837s, ``remittances`` only 835s, ``validate``
    gives the findings of SNIP types 1 to ``snip``. The batches of a file are held until it is read to
    the end, so a file never gives half its rows.
    """
    file = str(path)
    try:
        rows = finding_rows_of(file, snip) if mode == "validate" else read_rows(file, ACCEPTED[mode])
        return list(record_batches(rows, claims_per_batch))
    except EdiError as error:
        found = error_row(file, error.location.line, str(error))
    except OSError as error:
        found = error_row(file, None, f"{file}: cannot read the file: {error.strerror or error}")
    except Exception as error:  # a file must never stop the other files: the failure becomes its error row
        found = error_row(file, None, f"{file}: could not be read ({type(error).__name__}: {error})")
    return list(record_batches([found]))


def read_rows(file: str, accepted: tuple[str, ...]) -> Iterator[Row]:
    """The table rows of every transaction set of ``file``; an InputError for a set of another type."""
    from edi.claims.read import transaction_claims
    from edi.remit.read import Collect, TransactionReader
    from edi.x12.reader import iter_transactions

    numbers = itertools.count(1)
    found = 0
    for interchange, group, transaction in iter_transactions(file):
        kind = transaction.st.get(1)
        if kind not in accepted:
            raise InputError(
                f"transaction set {transaction.control_number} is of type {kind or '(no ST01)'};"
                f" expected {' or '.join(accepted)}",
                file=file,
            )
        found += 1
        try:
            if kind == CLAIM_KIND:
                data = transaction_claims(interchange, group, transaction)
            else:
                sink = Collect()
                TransactionReader(interchange, group, sink).read(transaction.segments())
                data = {"transactions": sink.transactions}
        except InputError as error:
            raise InputError(error.message, error.problems, file=file) from error
        yield from (claims_rows if kind == CLAIM_KIND else remittance_rows)(data, file, numbers)
    if not found:
        raise InputError(f"no {' or '.join(accepted)} transaction set in the file", file=file)


def finding_rows_of(file: str, snip: int) -> Iterator[Row]:
    """The findings of validating ``file`` by SNIP types 1 to ``snip``, as rows."""
    from edi.validate.runner import validate_file

    _, issues = validate_file(file, snip, keep_sets=False, jobs=1)
    yield from finding_rows(issues, file)
