"""Benchmark `edi parse` and `edi validate` on grown 837P and 835 files, against floors and pyx12.

For each size and kind the table shows `edi parse --json FILE > /dev/null` end to end
(wall time and peak memory of the process), then two in-process floors over the same
file: a bare `str.split` pass and a bare Lark LALR pass over the segment tokens. On
the 10 MB 837P it then runs `edi parse`, `edi validate` and pyx12's `x12valid` in turn,
and prints how many times faster `edi` is. Each figure is one run, or the best of
``--repeat`` runs on a busy machine.

    python bench/run.py [--sizes 1,10,50] [--skip-pyx12] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lark  # noqa: E402
from lark.lexer import Lexer  # noqa: E402

from bench.grow import DEFAULT_OUT, MEGABYTE, SAMPLES, check_clean, ensure, parse_sizes  # noqa: E402
from edi.guides.registry import Guide, grammar_text, guide_by_id  # noqa: E402
from edi.x12.reader import iter_events  # noqa: E402
from edi.x12.segment import Segment  # noqa: E402

TIME = Path("/usr/bin/time")
COMPARE_SIZE = 10
PARSE_TARGET = 25.0
VALIDATE_TARGET = 20.0
FLAT_LIMIT_MB = 150.0
RUNS = ("parse", "validate", "x12valid")
# Run in a fresh process around each command, so that RUSAGE_CHILDREN holds that one
# command's peak rather than the largest of every command run so far.
PROBE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "seconds = time.perf_counter() - start\n"
    "print(code, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


@dataclass(frozen=True)
class Run:
    """One timed command: wall seconds and peak resident memory in MB."""

    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Row:
    """The measurements over one grown file."""

    kind: str
    size_mb: int
    file_mb: float
    parse_seconds: float
    parse_mb_per_s: float
    peak_mb: float
    split_seconds: float
    lark_seconds: float


def edi_command() -> tuple[list[str], dict[str, str]]:
    """The `edi` script beside this interpreter, else ``python -m edi.cli`` with the project on PYTHONPATH."""
    env = dict(os.environ)
    installed = Path(sys.executable).parent / "edi"
    if installed.exists():
        return [str(installed)], env
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return [sys.executable, "-m", "edi.cli"], env


def x12valid_command() -> list[str] | None:
    """pyx12's `x12valid` beside this interpreter or on PATH, or None."""
    beside = Path(sys.executable).parent / "x12valid"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("x12valid")
    return [found] if found else None


def measure(command: list[str], env: dict[str, str], accept: tuple[int, ...] = (0,)) -> Run:
    """Run ``command`` with its output discarded; time it and read its peak RSS."""
    if TIME.exists():
        start = perf_counter()
        done = subprocess.run(
            [str(TIME), "-v", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
        )
        seconds = perf_counter() - start
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        code = done.returncode
        if peak is None:
            raise SystemExit(f"{TIME} -v printed no maximum resident set size for: {' '.join(command)}")
        peak_kb = int(peak.group(1))
        detail = done.stderr
    else:
        done = subprocess.run([sys.executable, "-c", PROBE, *command], capture_output=True, env=env, text=True)
        fields = done.stdout.split()
        if len(fields) != 3:
            raise SystemExit(f"could not time {' '.join(command)}: {done.stderr.strip()[-500:]}")
        code, seconds, peak_kb = int(fields[0]), float(fields[1]), int(fields[2])
        detail = done.stderr
    if code not in accept:
        raise SystemExit(f"{' '.join(command)} exited with {code}:\n{detail.strip()[-1000:]}")
    return Run(seconds, peak_kb / 1024)


def best(runs: list[Run]) -> Run:
    """The fastest time and the highest peak over repeated runs of one command."""
    return Run(min(r.seconds for r in runs), max(r.peak_mb for r in runs))


def split_floor(path: Path) -> float:
    """Seconds to decode the file and split it into segments and elements with `str.split`."""
    data = path.read_bytes()
    start = perf_counter()
    text = data.decode("utf-8", "surrogateescape")
    element, terminator = text[3], text[105]
    for part in text.split(terminator):
        part.split(element)
    return perf_counter() - start


def segment_lexer(guide: Guide) -> type[Lexer]:
    """A Lark lexer class that turns a list of segments into one token per segment."""
    token = guide.token

    class SegmentLexer(Lexer):
        """Yields `Guide.token(segment)` for each segment; the value is the segment ID."""

        def __init__(self, conf: Any) -> None:
            """Lark passes its lexer configuration; segments need none."""

        def lex(self, data: Any) -> Iterator[lark.Token]:  # type: ignore[override]  # Lark's data-only form
            """One token per segment."""
            for segment in data:
                yield lark.Token(token(segment), segment.id)

    return SegmentLexer


def transactions(path: Path) -> Iterator[list[Segment]]:
    """The segments (ST..SE) of each transaction set in the file."""
    for event in iter_events(path):
        if event.kind == "transaction":
            yield list(event.value.segments())


def lark_floor(path: Path, guide_id: str) -> float:
    """Seconds Lark's own LALR parser takes over every transaction set's segment tokens."""
    guide = guide_by_id(guide_id)
    parser = lark.Lark(grammar_text(guide_id), parser="lalr", lexer=segment_lexer(guide))
    elapsed = 0.0
    for segments in transactions(path):
        start = perf_counter()
        parser.parse(segments)
        elapsed += perf_counter() - start
    return elapsed


def measure_file(kind: str, size: int, path: Path, edi: list[str], env: dict[str, str], repeat: int) -> Row:
    """Time `edi parse --json` on ``path`` and the two floors over the same file, best of ``repeat``."""
    run = best([measure([*edi, "parse", "--json", str(path)], env) for _ in range(repeat)])
    file_mb = path.stat().st_size / MEGABYTE
    return Row(
        kind=kind,
        size_mb=size,
        file_mb=round(file_mb, 2),
        parse_seconds=round(run.seconds, 3),
        parse_mb_per_s=round(file_mb / run.seconds, 2),
        peak_mb=round(run.peak_mb, 1),
        split_seconds=round(min(split_floor(path) for _ in range(repeat)), 3),
        lark_seconds=round(min(lark_floor(path, kind) for _ in range(repeat)), 3),
    )


def has_command(edi: list[str], env: dict[str, str], name: str) -> bool:
    """True when ``edi <name> --help`` succeeds."""
    done = subprocess.run([*edi, name, "--help"], capture_output=True, env=env)
    return done.returncode == 0


def compare(path: Path, edi: list[str], env: dict[str, str], skip_pyx12: bool, repeat: int) -> dict[str, Any]:
    """`edi parse`, `edi validate` and `x12valid` on ``path``, one after the other, ``repeat`` times; the ratios."""
    result: dict[str, Any] = {"file": str(path), "file_mb": round(path.stat().st_size / MEGABYTE, 2)}
    commands: dict[str, tuple[list[str], tuple[int, ...]]] = {"parse": ([*edi, "parse", "--json", str(path)], (0,))}
    if has_command(edi, env, "validate"):
        commands["validate"] = ([*edi, "validate", str(path)], (0, 1))
    pyx12 = None if skip_pyx12 else x12valid_command()
    if pyx12:
        commands["x12valid"] = ([*pyx12, str(path)], (0, 1))
    timed: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (command, accept) in commands.items():
            timed[name].append(measure(command, env, accept))
    runs: dict[str, Run | None] = {name: best(timed[name]) if name in timed else None for name in RUNS}
    for name, run in runs.items():
        result[name] = asdict(run) if run else None
    x12valid = runs["x12valid"]
    for name, target in (("parse", PARSE_TARGET), ("validate", VALIDATE_TARGET)):
        run = runs[name]
        ratio = round(x12valid.seconds / run.seconds, 1) if run and x12valid else None
        result[f"{name}_ratio"] = ratio
        result[f"{name}_target"] = target
    return result


def machine() -> dict[str, Any]:
    """The CPU count, Python and platform the figures were measured on."""
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "peak_memory_from": f"{TIME} -v" if TIME.exists() else "getrusage(RUSAGE_CHILDREN)",
        "load_average_end": [round(load, 2) for load in os.getloadavg()],
    }


def memory_check(rows: list[Row]) -> dict[str, Any]:
    """Per kind: peak MB on the smallest and largest file, and whether the largest stays under the limit."""
    out: dict[str, Any] = {}
    for kind in SAMPLES:
        mine = sorted((r for r in rows if r.kind == kind), key=lambda r: r.size_mb)
        if mine:
            small, large = mine[0], mine[-1]
            out[kind] = {
                "smallest_mb": small.size_mb,
                "smallest_peak_mb": small.peak_mb,
                "largest_mb": large.size_mb,
                "largest_peak_mb": large.peak_mb,
                "flat": large.peak_mb < FLAT_LIMIT_MB,
            }
    return out


def print_report(report: dict[str, Any]) -> None:
    """The report as plain-text tables."""
    info = report["machine"]
    print(f"machine: {info['nproc']} CPUs, {info['implementation']} {info['python']}, {info['platform']}")
    print(f"edi: {' '.join(report['edi'])}; peak memory from {info['peak_memory_from']}")
    print(f"load average (1, 5, 15 min) at start {info['load_average_start']}, at end {info['load_average_end']}")
    print(f"each figure: the best of {report['repeat']} run(s)")
    startup = report["startup"]
    print(f"startup (edi parse --json of the sample 837P): {startup['seconds']:.3f} s, {startup['peak_mb']:.1f} MB")
    print()
    header = ("kind", "MB", "parse s", "MB/s", "peak MB", "split s", "lark s", "parse/lark")
    print("{:<5} {:>6} {:>9} {:>7} {:>8} {:>8} {:>8} {:>10}".format(*header))
    for row in report["rows"]:
        over = row["parse_seconds"] / row["lark_seconds"] if row["lark_seconds"] else float("nan")
        print(
            f"{row['kind']:<5} {row['file_mb']:>6.1f} {row['parse_seconds']:>9.3f} {row['parse_mb_per_s']:>7.2f} "
            f"{row['peak_mb']:>8.1f} {row['split_seconds']:>8.3f} {row['lark_seconds']:>8.3f} {over:>9.2f}x"
        )
    print()
    for kind, check in report["memory"].items():
        verdict = "flat" if check["flat"] else f"NOT flat (limit {FLAT_LIMIT_MB:.0f} MB)"
        print(
            f"memory {kind}: {check['smallest_peak_mb']:.1f} MB at {check['smallest_mb']} MB, "
            f"{check['largest_peak_mb']:.1f} MB at {check['largest_mb']} MB: {verdict}"
        )
    comparison = report["comparison"]
    print()
    print(f"on {comparison['file']} ({comparison['file_mb']} MB), in turn:")
    for name in RUNS:
        run = comparison[name]
        label = "x12valid" if name == "x12valid" else f"edi {name}"
        print(f"  {label:<13} " + (f"{run['seconds']:8.2f} s  {run['peak_mb']:7.1f} MB" if run else "not run"))
    for name in ("parse", "validate"):
        ratio, target = comparison[f"{name}_ratio"], comparison[f"{name}_target"]
        if ratio is not None:
            verdict = "meets" if ratio >= target else "BELOW"
            print(f"  edi {name} vs x12valid: {ratio:.1f}x faster ({verdict} the {target:.0f}x target)")


def main(argv: list[str] | None = None) -> None:
    """Grow the files, measure, and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=parse_sizes, default=[1, 10, 50], help="file sizes in MB (default 1,10,50)")
    parser.add_argument("--skip-pyx12", action="store_true", help="do not run pyx12's x12valid")
    parser.add_argument("--json", dest="as_json", action="store_true", help="print the report as JSON")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement, best kept (default 1)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the grown files go (default bench/out)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat takes a whole number of runs, 1 or more")
    load_start = [round(load, 2) for load in os.getloadavg()]
    edi, env = edi_command()
    rows: list[Row] = []
    for kind in SAMPLES:
        for index, size in enumerate(args.sizes):
            print(f"measuring {kind} {size} MB ...", file=sys.stderr)
            path = ensure(kind, size, args.out)
            if index == 0:
                check_clean(path)
            rows.append(measure_file(kind, size, path, edi, env, args.repeat))
    print(f"comparing on the {COMPARE_SIZE} MB 837P ...", file=sys.stderr)
    startup = best([measure([*edi, "parse", "--json", str(SAMPLES["837P"])], env) for _ in range(args.repeat)])
    comparison = compare(ensure("837P", COMPARE_SIZE, args.out), edi, env, args.skip_pyx12, args.repeat)
    report = {
        "machine": {**machine(), "load_average_start": load_start},
        "repeat": args.repeat,
        "edi": edi,
        "startup": asdict(startup),
        "rows": [asdict(row) for row in rows],
        "memory": memory_check(rows),
        "comparison": comparison,
    }
    if args.as_json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)


if __name__ == "__main__":
    main()
