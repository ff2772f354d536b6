"""Read and validate folders of X12 on Apache Spark: one task per file, the tables of `edi.tables` as DataFrames.

Each function returns a dict of table name to DataFrame with the schemas of `edi.tables.SCHEMAS`, so the
Parquet Spark writes has the columns `edi read --parquet` writes. The executors open the files by path
with Python's own file reading, so every executor must see them at the same path (a shared or mounted
file system: NFS, ``/dbfs/...``; ``hdfs://`` or ``s3://`` URLs are not read). A file that cannot be read
becomes a row of the ``errors`` table, never a failed job. Needs the ``spark`` extra (pyspark), imported
only here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.functions import col

from edi.table_files import Mode, file_batches
from edi.tables import CLAIM_TABLES, FINDING_TABLES, REMITTANCE_TABLES, SCHEMAS

ArrowMap = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]


def session(master: str = "local[*]", conf: Mapping[str, str] | None = None, app_name: str = "edi") -> SparkSession:
    """A Spark session whose Python workers run this interpreter unless ``PYSPARK_PYTHON`` says otherwise.

    Without it a local session would start workers with the ``python3`` on the path, which may lack edi.
    """
    python = os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName(app_name).config("spark.pyspark.python", python)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def read_claims(spark: SparkSession, paths: Iterable[str | Path]) -> dict[str, DataFrame]:
    """837 files: ``claims``, ``lines``, ``diagnoses`` and ``errors`` (a file of other sets is an error)."""
    return _tables(spark, paths, "claims", CLAIM_TABLES)


def read_remittances(spark: SparkSession, paths: Iterable[str | Path]) -> dict[str, DataFrame]:
    """835 files: ``claims``, ``lines``, ``adjustments``, ``payments``, ``provider_adjustments`` and ``errors``."""
    return _tables(spark, paths, "remittances", REMITTANCE_TABLES)


def validate(spark: SparkSession, paths: Iterable[str | Path], snip: int = 5) -> dict[str, DataFrame]:
    """Validation of SNIP types 1 to ``snip``: ``findings`` and ``errors`` (the files that cannot be read)."""
    return _tables(spark, paths, "validate", FINDING_TABLES, snip)


def spark_type(kind: pa.DataType) -> str:
    """The Spark SQL type of an Arrow type of the tables."""
    if pa.types.is_string(kind):
        return "STRING"
    if pa.types.is_int32(kind):
        return "INT"
    if pa.types.is_int64(kind):
        return "BIGINT"
    if pa.types.is_date32(kind):
        return "DATE"
    if pa.types.is_decimal(kind):
        return f"DECIMAL({kind.precision},{kind.scale})"
    if pa.types.is_struct(kind):
        return "STRUCT<" + ", ".join(f"`{field.name}`: {spark_type(field.type)}" for field in kind) + ">"
    raise TypeError(f"no Spark type for the Arrow type {kind}")


def _tables(
    spark: SparkSession, paths: Iterable[str | Path], mode: Mode, names: tuple[str, ...], snip: int = 5
) -> dict[str, DataFrame]:
    """One task per file; each task's rows travel as one struct column per table, then split into DataFrames.

    The files are read here, one task each, and their rows kept (memory, then disk): the tables can then
    be used, coalesced or written in any order without reading a file twice. ``spark.catalog.clearCache()``
    lets the rows go.
    """
    files = [str(path) for path in paths]
    packed = pa.schema([pa.field(name, pa.struct(list(SCHEMAS[name]))) for name in names])
    ddl = ", ".join(f"`{field.name}` {spark_type(field.type)}" for field in packed)
    indexes = spark.range(0, len(files), 1, numPartitions=max(1, len(files)))
    rows = indexes.mapInArrow(_reader(files, mode, snip, packed), ddl).persist(StorageLevel.MEMORY_AND_DISK)
    rows.count()
    return {name: rows.where(col(name).isNotNull()).select(f"{name}.*") for name in names}


def _reader(files: list[str], mode: Mode, snip: int, packed: pa.Schema) -> ArrowMap:
    """The function each task runs: the file of each index it gets, read into rows of the packed schema."""

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for index in batch.column(0).to_pylist():
                for name, table_batch in file_batches(files[index], mode, snip):
                    yield _packed(name, table_batch, packed)

    return read


def _packed(name: str, batch: pa.RecordBatch, packed: pa.Schema) -> pa.RecordBatch:
    """``batch`` of table ``name`` as the column of that name; the other tables' columns are null."""
    columns = [
        batch.to_struct_array() if field.name == name else pa.nulls(batch.num_rows, field.type) for field in packed
    ]
    return pa.RecordBatch.from_arrays(columns, schema=packed)
