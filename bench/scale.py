"""Time `edi` commands on varied batches and measure their peak memory over the whole process tree.

For each size, shape and kind (837P, 835) it runs `edi parse --json`, `edi read --json`,
`edi validate` and `edi validate --ack OUT`, and `edi reconcile` on an 837P and the 835
that pays it; each with the default `-j` and with `-j 1` when the command takes `-j`.
Each row is printed to stderr as it is measured, and ``--json`` is rewritten after each.
Memory is the proportional set size (PSS) summed over the command's process and all its
descendants, sampled every 20 ms from ``/proc/<pid>/smaps_rollup``; the figure is the
highest sum, so pages that forked workers share count once. First, in turn on the 10 MB
files: pyx12's `x12valid` against `edi parse`, `validate` and `read` on the one-ST 837P,
and `edi-835-parser` against `edi read --json` on the one-check 835.

`edi` is always ``python -m edi.cli`` with this checkout first on PYTHONPATH, so the same
harness measures whichever checkout it is run from.

    python bench/scale.py [--sizes 10,50] [--shapes one-st,st5000] [--repeat N] [--skip-pyx12] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from time import perf_counter, sleep
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.varied import MEGABYTE, SHAPES, ensure, ensure_pair  # noqa: E402

DEFAULT_OUT = ROOT / "bench" / "out"
SAMPLE_SECONDS = 0.02
COMPARE_MB = 10.0
FLAT_LIMIT_MB = 150.0
TARGETS = {"parse": 25.0, "validate": 20.0, "read": 15.0}  # times faster than x12valid
PEER_TARGET = 2.0  # edi read --json against edi-835-parser
COMMANDS = ("parse", "read", "validate", "validate-ack", "reconcile")
KINDS = ("837P", "835")
PEER_835 = "import sys\nfrom edi_835_parser import parse\nparse(sys.argv[1])\n"


@dataclass(frozen=True)
class Measure:
    """One timed command: wall seconds, peak PSS summed over its process tree (MB), exit code."""

    seconds: float
    peak_mb: float
    code: int


@dataclass
class Row:
    """One command on one file, the best time and the highest peak over the repeats."""

    command: str
    kind: str
    shape: str
    size_mb: float
    jobs: str
    file_mb: float
    seconds: float = 0.0
    peak_mb: float = 0.0
    error: str = ""
    argv: list[str] = field(default_factory=list)


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process visible in /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces: the parent pid follows the last ')'.
        parent = int(stat[stat.rindex(b")") + 2 :].split(None, 2)[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _tree(root: int) -> set[int]:
    """``root`` and all its descendants."""
    tree = _children()
    found, stack = set(), [root]
    while stack:
        pid = stack.pop()
        found.add(pid)
        stack.extend(tree.get(pid, ()))
    return found


def _pss_kb(pid: int) -> int:
    """The proportional set size of ``pid`` in kB, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


class TreeSampler:
    """The highest PSS sum over a process tree, sampled every 20 ms.

    Finding the tree means reading every process's ``stat``; that is done every
    ``RESCAN`` samples only, so the sampler itself stays light (well under 1 ms of CPU per
    sample), and a worker forked in between is counted from the next rescan.
    """

    RESCAN = 10

    def __init__(self, root: int) -> None:
        self.root = root
        self.pids = {root}
        self.peak_kb = 0
        self.samples = 0

    def sample(self) -> None:
        """Read the PSS of the known processes (after refreshing the tree every ``RESCAN`` samples)."""
        if self.samples % self.RESCAN == 0:
            self.pids = _tree(self.root)
        self.samples += 1
        self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in self.pids))


def measure(argv: list[str], env: dict[str, str]) -> tuple[Measure, str]:
    """Run ``argv`` with stdout discarded; wall time, peak process-tree PSS, exit code and the end of stderr."""
    with tempfile.TemporaryFile() as errors:
        start = perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors, env=env, cwd=ROOT)
        sampler = TreeSampler(process.pid)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                sampler.sample()
                sleep(SAMPLE_SECONDS)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        code = process.wait()
        seconds = perf_counter() - start
        done.set()
        thread.join()
        errors.seek(0)
        tail = errors.read()[-2000:].decode("utf-8", "replace")
    return Measure(seconds, sampler.peak_kb / 1024, code), tail


def edi_env() -> dict[str, str]:
    """The environment that makes ``python -m edi.cli`` run this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


EDI = [sys.executable, "-m", "edi.cli"]


def takes_jobs(command: str, env: dict[str, str]) -> bool:
    """True when ``edi <command> --help`` lists a ``--jobs`` option."""
    done = subprocess.run([*EDI, command, "--help"], capture_output=True, text=True, env=env, cwd=ROOT)
    return "--jobs" in done.stdout


def argv_for(command: str, files: list[Path], ack: Path) -> tuple[list[str], tuple[int, ...]]:
    """The `edi` command line for ``command`` on ``files`` and the exit codes that mean it ran."""
    if command == "parse":
        return [*EDI, "parse", "--json", str(files[0])], (0,)
    if command == "read":
        return [*EDI, "read", "--json", str(files[0])], (0,)
    if command == "validate":
        return [*EDI, "validate", str(files[0])], (0, 1)
    if command == "validate-ack":
        return [*EDI, "validate", "--ack", str(ack), str(files[0])], (0, 1)
    return [*EDI, "reconcile", "--claims", str(files[0]), "--remit", str(files[1])], (0, 1)


def run_row(row: Row, argv: list[str], accept: tuple[int, ...], env: dict[str, str], repeat: int) -> Row:
    """Measure ``argv`` ``repeat`` times into ``row``: best time, highest peak; a failure is recorded, not raised."""
    row.argv = argv
    runs = []
    for _ in range(repeat):
        run, tail = measure(argv, env)
        if run.code not in accept:
            row.error = f"exit {run.code}: {tail.strip()[-500:]}"
            print(f"  FAILED {' '.join(argv)}: {row.error}", file=sys.stderr)
            return row
        runs.append(run)
    row.seconds = round(min(r.seconds for r in runs), 3)
    row.peak_mb = round(max(r.peak_mb for r in runs), 1)
    return row


JOBS = {"both": ("default", "1"), "default": ("default",), "1": ("1",)}


def matrix(args: argparse.Namespace, env: dict[str, str], work: Path, report: dict[str, Any]) -> None:
    """Every command on every file of the matrix, each row added to ``report`` (and saved) as it is measured."""
    jobs = {name: takes_jobs(name.split("-")[0], env) for name in args.commands}
    rows: list[dict[str, Any]] = report.setdefault("rows", [])
    for size in args.sizes:
        for shape in args.shapes:
            targets: list[tuple[str, str, list[Path]]] = []
            for kind in args.kinds:
                path = ensure(kind, shape, size, args.seed, args.out)
                targets += [(name, kind, [path]) for name in args.commands if name != "reconcile"]
            if "reconcile" in args.commands:
                targets.append(("reconcile", "837P+835", list(ensure_pair(shape, size, args.seed, args.out))))
            for name, kind, files in targets:
                argv, accept = argv_for(name, files, work / "ack.999")
                file_mb = round(sum(f.stat().st_size for f in files) / MEGABYTE, 2)
                for label in JOBS[args.jobs] if jobs[name] else ("default",):
                    extra = ["-j", "1"] if label == "1" else []
                    row = run_row(Row(name, kind, shape, size, label, file_mb), argv + extra, accept, env, args.repeat)
                    (work / "ack.999").unlink(missing_ok=True)
                    print(f"{name} -j {label}: {kind} {shape} {file_mb} MB: {row.seconds} s {row.peak_mb} MB "
                          f"{row.error}", file=sys.stderr)  # fmt: skip
                    rows.append(asdict(row))
                    save(args, report)


def in_turn(named: dict[str, tuple[list[str], tuple[int, ...]]], env: dict[str, str], repeat: int) -> dict[str, Any]:
    """Run the commands one after the other, ``repeat`` rounds; per name the best time and highest peak."""
    runs: dict[str, list[Measure]] = {name: [] for name in named}
    failed: dict[str, str] = {}
    for _ in range(repeat):
        for name, (argv, accept) in named.items():
            if name in failed:
                continue
            run, tail = measure(argv, env)
            if run.code in accept:
                runs[name].append(run)
            else:
                failed[name] = f"exit {run.code}: {tail.strip()[-500:]}"
    out: dict[str, Any] = {}
    for name, (argv, _) in named.items():
        if name in failed:
            out[name] = {"argv": argv, "error": failed[name]}
        else:
            best = Measure(min(r.seconds for r in runs[name]), max(r.peak_mb for r in runs[name]), 0)
            out[name] = {"argv": argv, "seconds": round(best.seconds, 3), "peak_mb": round(best.peak_mb, 1)}
    return out


def x12valid_command() -> list[str] | None:
    """pyx12's `x12valid` beside this interpreter or on PATH, or None."""
    beside = Path(sys.executable).parent / "x12valid"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("x12valid")
    return [found] if found else None


def compare(args: argparse.Namespace, env: dict[str, str], work: Path) -> dict[str, Any]:
    """The comparisons with pyx12 (837P) and edi-835-parser (835), each run in turn on a 10 MB varied file."""
    result: dict[str, Any] = {}
    claims = ensure("837P", "one-st", COMPARE_MB, args.seed, args.out)
    named: dict[str, tuple[list[str], tuple[int, ...]]] = {}
    for name in ("parse", "validate", "read"):
        argv, accept = argv_for(name, [claims], work / "ack.999")
        named[name] = (argv, accept)
        if takes_jobs(name, env):
            named[f"{name} -j 1"] = ([*argv, "-j", "1"], accept)
    pyx12 = None if args.skip_pyx12 else x12valid_command()
    if pyx12:
        # x12valid writes its 997 beside the input: give it a copy in the work folder.
        copy = work / claims.name
        shutil.copyfile(claims, copy)
        named["x12valid"] = ([*pyx12, str(copy)], (0, 1))
    runs = in_turn(named, env, args.repeat)
    reference = runs.get("x12valid", {}).get("seconds")
    for name, run in runs.items():
        base = name.split()[0]
        if reference and name != "x12valid" and "seconds" in run:
            run["x12valid_over"] = round(reference / run["seconds"], 1)
            run["target"] = TARGETS.get(base)
    result["837P"] = {"file": str(claims), "file_mb": round(claims.stat().st_size / MEGABYTE, 2), "runs": runs}
    remit = ensure("835", "one-st", COMPARE_MB, args.seed, args.out)
    named = {}
    argv, accept = argv_for("read", [remit], work / "ack.999")
    named["read"] = (argv, accept)
    if takes_jobs("read", env):
        named["read -j 1"] = ([*argv, "-j", "1"], accept)
    named["edi-835-parser"] = ([sys.executable, "-W", "ignore", "-c", PEER_835, str(remit)], (0,))
    runs = in_turn(named, env, args.repeat)
    peer = runs["edi-835-parser"].get("seconds")
    for name, run in runs.items():
        if peer and name != "edi-835-parser" and "seconds" in run:
            run["peer_over"] = round(peer / run["seconds"], 2)
            run["target"] = PEER_TARGET
    result["835"] = {"file": str(remit), "file_mb": round(remit.stat().st_size / MEGABYTE, 2), "runs": runs}
    return result


def save(args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Write the report so far to ``--json``, so an interrupted run keeps what it measured."""
    if args.json:
        args.json.write_text(json.dumps({**report, "machine": machine()}, indent=2) + "\n", encoding="utf-8")


def checkout() -> str:
    """The checkout's commit, with ``+changes`` when its tracked files differ from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode != 0
    return (head.stdout.strip() or "unknown") + ("+changes" if dirty else "")


def machine() -> dict[str, Any]:
    """The CPU count, Python and platform the figures were measured on."""
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


def print_markdown(report: dict[str, Any]) -> None:
    """The report as markdown tables."""
    info = report["machine"]
    print(f"Checkout {report['checkout']}; {info['nproc']} CPUs, Python {info['python']}, {info['platform']}.")
    print(f"Load average at start {report['load_start']}, at end {info['load_average']}.")
    print(f"Each figure: best time and highest peak of {report['repeat']} run(s); seed {report['seed']}.")
    print(f"Peak MB: PSS summed over the process tree, sampled every {SAMPLE_SECONDS * 1000:.0f} ms.\n")
    print("| Command | Kind | Shape | Size MB | -j | Seconds | MB/s | Peak MB |")
    print("|---|---|---|---:|---|---:|---:|---:|")
    for row in report["rows"]:
        name = {"validate-ack": "validate --ack"}.get(row["command"], row["command"])
        if row["error"]:
            figures = f"failed: {row['error'][:60]} | | "
        else:
            figures = f"{row['seconds']:.2f} | {row['file_mb'] / row['seconds']:.2f} | {row['peak_mb']:.1f}"
        print(f"| {name} | {row['kind']} | {row['shape']} | {row['file_mb']:.1f} | {row['jobs']} | {figures} |")
    over = [r for r in report["rows"] if not r["error"] and r["jobs"] == "default" and r["peak_mb"] >= FLAT_LIMIT_MB]
    done = sum(1 for r in report["rows"] if not r["error"] and r["jobs"] == "default")
    print(f"\nDefault -j rows at or over {FLAT_LIMIT_MB:.0f} MB peak: {len(over)} of {done}.")
    comparison = report.get("comparison")
    if not comparison:
        return
    for kind, label, key in (("837P", "x12valid", "x12valid_over"), ("835", "edi-835-parser", "peer_over")):
        part = comparison[kind]
        print(f"\nIn turn on {Path(part['file']).name} ({part['file_mb']} MB):\n")
        print(f"| Command | Seconds | Peak MB | {label} / command | Target |")
        print("|---|---:|---:|---:|---:|")
        for name, run in part["runs"].items():
            if "error" in run:
                print(f"| {name} | failed: {run['error'][:60]} | | | |")
                continue
            ratio = f"{run[key]:.2f}x" if key in run else ""
            target = f"{run['target']:.0f}x" if run.get("target") else ""
            print(f"| {name} | {run['seconds']:.2f} | {run['peak_mb']:.1f} | {ratio} | {target} |")


def _list(choices: tuple[str, ...]) -> Any:
    """An argparse type: a comma-separated subset of ``choices``."""

    def parse(text: str) -> list[str]:
        items = [part.strip() for part in text.split(",") if part.strip()]
        wrong = [item for item in items if item not in choices]
        if not items or wrong:
            raise argparse.ArgumentTypeError(f"expected some of {', '.join(choices)}, not {text!r}")
        return items

    return parse


def _sizes(text: str) -> list[float]:
    """``"10,50"`` -> ``[10.0, 50.0]``."""
    try:
        sizes = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected megabytes separated by commas (10,50), not {text!r}") from None
    if not sizes or any(size <= 0 for size in sizes):
        raise argparse.ArgumentTypeError(f"expected positive megabytes (10,50), not {text!r}")
    return sorted(set(sizes))


def main(argv: list[str] | None = None) -> None:
    """Generate the files, run the matrix and the comparisons, print markdown, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=_sizes, default=[10.0], help="file sizes in MB (default 10)")
    parser.add_argument("--shapes", type=_list(tuple(SHAPES)), default=list(SHAPES), help="one-st,st5000")
    parser.add_argument("--kinds", type=_list(KINDS), default=list(KINDS), help="837P,835")
    parser.add_argument("--commands", type=_list(COMMANDS), default=list(COMMANDS), help=",".join(COMMANDS))
    parser.add_argument("--jobs", choices=tuple(JOBS), default="both", help="default -j, -j 1, or both (default)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure: best time, highest peak")
    parser.add_argument("--skip-pyx12", action="store_true", help="leave x12valid out of the comparison")
    parser.add_argument("--skip-compare", action="store_true", help="no comparisons with x12valid or edi-835-parser")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the generated files go (bench/out)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat takes a whole number of runs, 1 or more")
    env = edi_env()
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"checkout": checkout(), "repeat": args.repeat, "seed": args.seed}
    report["load_start"] = [round(load, 2) for load in os.getloadavg()]
    with tempfile.TemporaryDirectory(dir=args.out, prefix="scale-") as temp:
        work = Path(temp)
        if not args.skip_compare:
            print("comparisons ...", file=sys.stderr)
            report["comparison"] = compare(args, env, work)
            save(args, report)
        matrix(args, env, work, report)
    report["machine"] = machine()
    save(args, report)
    print_markdown(report)


if __name__ == "__main__":
    main()
