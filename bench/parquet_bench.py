"""Benchmark reading a folder of X12 files to the Parquet tables: one process, the local pool and Spark.

Generates ``--files`` files of ``--megabytes`` MB each (837P and 835 in turn), grown from the samples
like bench/grow.py, with every claim different across the whole folder: claim numbers, patients,
member IDs, addresses, line control numbers, trace numbers, service months and charges (each copy's
amounts scaled by its own factor, so every claim, line and payment still balances). Then it reads the
folder to Parquet with `edi read --parquet -j 1`, with `edi read --parquet -j JOBS`, and with
`edi.spark` on a local Spark session (``local[JOBS]``), and prints wall time and MB/s for each. It
also gives the rate of one core, in MB per CPU second of reading the first ``--cpu-files`` files in
its own process, which a busy machine does not distort.

    python bench/parquet_bench.py [--files 200] [--megabytes 1] [--jobs 2] [--skip-spark] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.grow import DEFAULT_OUT, MEGABYTE, SAMPLES, check_clean, vary  # noqa: E402
from edi.x12.reader import read_document  # noqa: E402
from edi.x12.segment import Segment  # noqa: E402
from edi.x12.writer import segment_text  # noqa: E402

# Elements holding money, by segment: scaling them all by one factor keeps every balance of the copy.
AMOUNTS = {
    "CLM": (2,),
    "SV1": (2,),
    "BPR": (2,),
    "CLP": (3, 4, 5),
    "SVC": (2, 3),
    "CAS": (3, 6, 9, 12, 15, 18),
    "AMT": (2,),
}
KINDS = ("837P", "835")


def _set(segment: Segment, index: int, value: str) -> Segment:
    elements = list(segment.elements)
    elements[index - 1] = value
    return dataclasses.replace(segment, elements=elements)


def _scaled(segment: Segment, factor: int) -> Segment:
    """``segment`` with its amounts multiplied by ``factor``."""
    for index in AMOUNTS.get(segment.id, ()):
        value = segment.get(index)
        if value:
            segment = _set(segment, index, str(Decimal(value) * factor))
    return segment


def write_folder(folder: Path, files: int, megabytes: float) -> list[Path]:
    """``files`` files of ``megabytes`` MB under ``folder``, 837P and 835 in turn; every claim differs."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = {kind: read_document(SAMPLES[kind]) for kind in KINDS}
    copy = 0
    paths = []
    for number in range(files):
        kind = KINDS[number % 2]
        document = samples[kind]
        interchange = document.interchanges[0]
        group = interchange.groups[0]
        assert interchange.isa and interchange.iea and group.gs and group.ge
        path = folder / f"{number:04d}-{kind.lower()}.x12"
        sets = 0
        with path.open("w", encoding="utf-8", newline="") as out:
            head = segment_text([_set(interchange.isa, 13, f"{number + 1:09d}"), _set(group.gs, 6, str(number + 1))])
            out.write(head)
            written = len(head)
            while written < megabytes * MEGABYTE:
                for transaction in group.transactions:
                    copy += 1
                    sets += 1
                    segments = list(transaction.segments())
                    control = f"{sets:04d}"
                    body = [_scaled(s, 1 + copy % 9) for s in segments[1:-1]]
                    text = (
                        segment_text([_set(segments[0], 2, control)])
                        + vary(segment_text(body), copy)
                        + segment_text([_set(_set(segments[-1], 1, str(len(segments))), 2, control)])
                    )
                    out.write(text)
                    written += len(text)
            ge = _set(_set(group.ge, 1, str(sets)), 2, str(number + 1))
            out.write(segment_text([ge, _set(interchange.iea, 2, f"{number + 1:09d}")]))
        paths.append(path)
    return paths


def _cli(folder: Path, out: Path, jobs: int) -> float:
    """Seconds of `edi read --parquet OUT -j JOBS` over the folder, in its own process."""
    shutil.rmtree(out, ignore_errors=True)
    files = sorted(str(p) for p in folder.glob("*.x12"))
    start = perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "edi.cli", "read", "--parquet", str(out), "-j", str(jobs), *files],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    seconds = perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"edi read --parquet failed ({done.returncode}): {done.stderr[:2000]}")
    return seconds


def _cpu_rate(paths: list[Path]) -> float:
    """MB per CPU second of reading ``paths`` to table batches in this process: the rate of one core."""
    from edi.table_files import file_batches

    file_batches(paths[0], "read")  # grammars and modules loaded before timing
    start = process_time()
    for path in paths:
        file_batches(path, "read")
    return sum(p.stat().st_size for p in paths) / MEGABYTE / (process_time() - start)


def _spark(folder: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Seconds to start a local Spark session, and to read the folder and write every table as Parquet."""
    from edi import spark as edi_spark

    shutil.rmtree(out, ignore_errors=True)
    start = perf_counter()
    session = edi_spark.session(
        f"local[{jobs}]",
        {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": str(jobs),
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.driver.memory": "2g",
        },
        app_name="edi-parquet-bench",
    )
    session.sparkContext.setLogLevel("ERROR")
    started = perf_counter() - start
    start = perf_counter()
    claims = sorted(str(p) for p in folder.glob("*-837p.x12"))
    remittances = sorted(str(p) for p in folder.glob("*-835.x12"))
    for kind, tables in (
        ("837", edi_spark.read_claims(session, claims)),
        ("835", edi_spark.read_remittances(session, remittances)),
    ):
        for name, frame in tables.items():
            frame.coalesce(jobs).write.parquet(str(out / kind / name))
    seconds = perf_counter() - start
    session.stop()
    return started, seconds


def main(argv: list[str] | None = None) -> None:
    """Generate the folder, then time the three ways of reading it to Parquet."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=200, help="how many files to generate")
    parser.add_argument("--megabytes", type=float, default=1.0, help="size of each file in MB")
    parser.add_argument("--jobs", type=int, default=2, help="processes of the pool, and Spark's local cores")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT / "parquet", help="working directory")
    parser.add_argument("--cpu-files", type=int, default=10, help="files timed in-process for the per-core rate")
    parser.add_argument("--skip-spark", action="store_true", help="leave out the Spark run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    folder = args.out / f"files-{args.files}x{args.megabytes:g}mb"
    paths = sorted(folder.glob("*.x12"))
    if len(paths) != args.files:
        shutil.rmtree(folder, ignore_errors=True)
        paths = write_folder(folder, args.files, args.megabytes)
        check_clean(paths[0])
        check_clean(paths[1])
    total = sum(p.stat().st_size for p in paths) / MEGABYTE
    figures: dict[str, Any] = {"files": len(paths), "megabytes": round(total, 1), "load": os.getloadavg()[0]}
    figures["cpu_mb_per_s"] = round(_cpu_rate(paths[: args.cpu_files]), 2)
    runs = {"one process (-j 1)": _cli(folder, args.out / "tables-1", 1)}
    runs[f"local pool (-j {args.jobs})"] = _cli(folder, args.out / f"tables-{args.jobs}", args.jobs)
    if not args.skip_spark:
        started, seconds = _spark(folder, args.out / "tables-spark", args.jobs)
        figures["spark_session_seconds"] = round(started, 2)
        runs[f"Spark local[{args.jobs}]"] = seconds
    figures["runs"] = {name: {"seconds": round(s, 2), "mb_per_s": round(total / s, 2)} for name, s in runs.items()}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{figures['files']} files, {figures['megabytes']} MB, load average {figures['load']:.1f}")
    print(f"one core, in-process CPU time: {figures['cpu_mb_per_s']:.2f} MB per CPU second")
    for name, run in figures["runs"].items():
        print(f"{name:24} {run['seconds']:8.2f} s {run['mb_per_s']:8.2f} MB/s")
    if "spark_session_seconds" in figures:
        print(f"(Spark session start, not included: {figures['spark_session_seconds']:.2f} s)")


if __name__ == "__main__":
    main()
