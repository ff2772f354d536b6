"""edi.spark on a real local Spark session: the same tables as one process, errors as rows, one schema."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from edi.cli import app
from tests.conftest import corpus_files, service_missing

runner = CliRunner()


def _spark_missing() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed (Spark needs a JRE)"
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install edi-x12[spark])"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    missing = _spark_missing()
    if missing:
        service_missing(missing)
    from edi.spark import session

    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
    }
    active = session("local[2]", conf, app_name="edi-tests")
    active.sparkContext.setLogLevel("ERROR")
    yield active
    active.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The corpus 837s and 835s, each list with a file that cannot be read."""
    claims = [row.path for row in corpus_files("837p", "837i", "837d")]
    remittances = [row.path for row in corpus_files("835")]
    if not claims or not remittances:
        pytest.skip("corpus not found")
    broken = tmp_path_factory.mktemp("broken") / "not-x12.txt"
    broken.write_text("this is not an X12 interchange\n", encoding="utf-8")
    truncated = broken.parent / "truncated.835"
    truncated.write_text("ISA*00*", encoding="utf-8")
    return {"claims": [*claims, broken], "remittances": [*remittances, truncated]}


@pytest.fixture(scope="module")
def cli_tables(files: dict[str, list[Path]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `edi read --parquet` writes for every file in one process."""
    out = tmp_path_factory.mktemp("cli")
    paths = [str(p) for p in files["claims"] + files["remittances"]]
    result = runner.invoke(app, ["read", "--parquet", str(out), "-j", "1", *paths])
    assert result.exit_code == 2, result.output  # two files cannot be read; the rest is written
    return out


@pytest.fixture(scope="module")
def spark_tables(spark: Any, files: dict[str, list[Path]]) -> dict[str, dict[str, Any]]:
    """The DataFrames of the 837s and of the 835s (each read once, then kept by Spark)."""
    from edi.spark import read_claims, read_remittances

    return {"claims": read_claims(spark, files["claims"]), "remittances": read_remittances(spark, files["remittances"])}


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([(name, "ascending") for name in table.column_names])


def test_spark_tables_equal_the_cli_parquet_and_share_its_schema(
    spark_tables: dict[str, dict[str, Any]], files: dict[str, list[Path]], cli_tables: Path, tmp_path: Path
) -> None:
    found: dict[str, list[pa.Table]] = {}
    for tables in spark_tables.values():
        for name, frame in tables.items():
            target = tmp_path / f"{name}-{len(found.get(name, []))}"
            frame.coalesce(1).write.parquet(str(target))
            found.setdefault(name, []).append(pq.read_table(target))
    for name, parts in found.items():
        expected = pq.read_table(cli_tables / f"{name}.parquet")
        assert all(part.schema.remove_metadata() == expected.schema.remove_metadata() for part in parts), name
        spark_rows = pa.concat_tables(parts).replace_schema_metadata(None)
        assert spark_rows.num_rows == expected.num_rows, name
        assert _sorted(spark_rows).equals(_sorted(expected.replace_schema_metadata(None))), name
    errors = pa.concat_tables(found["errors"]).to_pylist()
    assert [row["message"] for row in errors if row["file"].endswith("not-x12.txt")] == [
        f"{files['claims'][-1]}, line 1: no ISA segment: this is not an X12 interchange\n"
        "    this is not an X12 interchange\n"
        "    expected: a file that starts with ISA (or a bare ST..SE transaction set)"
    ]
    assert any(row["file"].endswith("truncated.835") for row in errors)
    assert found["lines"][0].num_rows and found["adjustments"][0].num_rows


def test_spark_amounts_per_claim_equal_the_remittance_json(
    spark_tables: dict[str, dict[str, Any]], files: dict[str, list[Path]]
) -> None:
    import edi

    expected: dict[tuple[str, int], Decimal] = {}
    for path in files["remittances"]:
        try:
            data = edi.read_remittance(edi.read_document(path))
        except (edi.EdiError, OSError):
            continue
        claims = [c for t in data["transactions"] for g in t.get("groups", []) for c in g.get("claims", [])]
        for number, claim in enumerate(claims, start=1):
            paid = sum((Decimal(line["paid"]) for line in claim.get("lines", []) if "paid" in line), Decimal(0))
            if claim.get("lines"):
                expected[(str(path), number)] = paid
    lines = spark_tables["remittances"]["lines"]
    summed = lines.groupBy("file", "claim_number").sum("paid").collect()
    assert {(row[0], row[1]): row[2] for row in summed} == expected


def test_spark_validate_gives_the_findings_of_the_cli(spark: Any, files: dict[str, list[Path]], tmp_path: Path) -> None:
    from edi.spark import validate

    paths = [*files["claims"][:3], files["claims"][-1]]
    result = runner.invoke(app, ["validate", "--parquet", str(tmp_path), "-j", "1", *map(str, paths)])
    assert result.exit_code == 2, result.output
    tables = validate(spark, paths)
    for name in ("findings", "errors"):
        expected = pq.read_table(tmp_path / f"{name}.parquet")
        found = tables[name].toArrow()
        assert found.schema.remove_metadata() == expected.schema.remove_metadata()
        assert _sorted(found.replace_schema_metadata(None)).equals(_sorted(expected.replace_schema_metadata(None)))
    assert tables["errors"].count() == 1
