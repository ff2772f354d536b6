"""Ledger benchmarks: aging over many claims, and importing one large single-check 835.

    python bench/ledger_bench.py --claims 1000000          # aging: claims written straight into SQLite
    python bench/ledger_bench.py --import-mb 50            # import a 50 MB 835 against `edi read --json`

Aging: the claims are inserted directly into the ledger's ``claims`` table (no X12), then
``edi ledger open --aging`` runs in its own process (start-up and migration check included)
and the aging query alone is timed in-process (best of three).

Import: one 835 transaction set (one check) is grown from the claims of
``samples/835-office-visits.x12`` with each copy's patient control number, patient and line
control numbers made unique (as bench/grow.py does), its BPR02 the sum of the claims paid.
``edi read --json`` and ``edi ledger import`` then run on it under ``/usr/bin/time -v``:
wall time and peak resident memory of each.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.grow import MEGABYTE, vary  # noqa: E402
from edi.ledger import Ledger  # noqa: E402
from edi.ledger import schema as t  # noqa: E402
from edi.ledger.reports import aging  # noqa: E402
from edi.x12.reader import read_document  # noqa: E402
from edi.x12.writer import segment_text  # noqa: E402

SAMPLE = ROOT / "samples" / "835-office-visits.x12"
OUT = ROOT / "bench" / "out"
PAYERS = ("ACME HEALTH PLAN", "MEDICARE", "STATE MEDICAID", "SECOND HEALTH", "BLUE PLAN", "TRICARE", "UNITED")
AS_OF = date(2026, 6, 30)
BATCH = 20_000


def fill_claims(path: Path, count: int) -> None:
    """A ledger at ``path`` holding ``count`` claims, 40% of them open, over seven payers and 200 days."""
    path.unlink(missing_ok=True)
    with Ledger.open(str(path)) as ledger, ledger.engine.begin() as connection:
        for start in range(0, count, BATCH):
            rows = [
                {
                    "patient_control_number": f"B{n:09d}",
                    "prefix": "",
                    "first_seen": n,
                    "claim_date": AS_OF - timedelta(days=n % 200),
                    "payer_name": PAYERS[n % len(PAYERS)],
                    "patient_id": f"M{n % 250_000:08d}",
                    "patient_name": f"PATIENT {n % 250_000}",
                    "billed_cents": 5_000 + (n * 37) % 100_000,
                    "paid_cents": None if n % 5 < 2 else 4_000,
                    "patient_cents": None if n % 5 < 2 else 500,
                    "status": "open" if n % 5 < 2 else "paid",
                    "payer_claim_control_number": None if n % 5 < 2 else f"ICN{n}",
                }
                for n in range(start, min(start + BATCH, count))
            ]
            connection.execute(t.claims.insert(), rows)
        connection.exec_driver_sql("ANALYZE")


def time_aging(path: Path) -> None:
    with Ledger.open(str(path)) as ledger, ledger.engine.connect() as connection:
        best = min(_timed(lambda: aging(connection, AS_OF)) for _ in range(3))
    command = [sys.executable, "-m", "edi.cli", "ledger", "open", "--aging", "--json", "--db", str(path)]
    wall, cpu, peak = measured([*command, "--as-of", AS_OF.isoformat()])
    print(f"aging query in-process (best of 3): {best:.3f} s")
    print(f"edi ledger open --aging --json (own process): {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak:.0f} MB")


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def grow_835(megabytes: int, out: Path) -> Path:
    """One 835 transaction set of at least ``megabytes`` MB: the sample's claims repeated with unique values."""
    document = read_document(SAMPLE)
    segments = list(document.segments())
    first_clp = next(i for i, s in enumerate(segments) if s.id == "CLP")
    end = next(i for i, s in enumerate(segments) if s.id in ("PLB", "SE"))
    header = segments[:first_clp]
    claims: list[list[str]] = []
    for segment in segments[first_clp:end]:
        if segment.id == "CLP":
            claims.append([])
        claims[-1].append(segment_text([segment]))
    paid_per_claim = [Decimal(c[0].split("*")[4]) for c in claims]
    body = out.with_suffix(".body")
    total, count, claim_segments, written = Decimal(0), 0, 0, 0
    with body.open("w", encoding="utf-8") as handle:
        while written < megabytes * MEGABYTE:
            for index, claim in enumerate(claims):
                count += 1
                text = vary("".join(claim), count)
                handle.write(text)
                written += len(text)
                total += paid_per_claim[index]
                claim_segments += len(claim)
    isa, gs, st = header[0], header[1], header[2]
    rest = [s for s in header[3:] if s.id != "BPR"]
    bpr = header[3]
    elements = list(bpr.elements)
    elements[1] = str(total)
    head = segment_text([isa, gs, st]) + segment_text([type(bpr)(bpr.id, elements)]) + segment_text(rest)
    segment_count = 2 + len(rest) + claim_segments + 1
    tail = f"SE*{segment_count}*{st.get(2)}~\nGE*1*{gs.get(6)}~\nIEA*1*{isa.get(13)}~\n"
    with out.open("w", encoding="utf-8") as handle:
        handle.write(head)
        with body.open(encoding="utf-8") as part:
            while block := part.read(1 << 20):
                handle.write(block)
        handle.write(tail)
    body.unlink()
    print(f"{out}: {out.stat().st_size / MEGABYTE:.1f} MB, one check of {count} claims, BPR02 {total}")
    return out


def measured(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MB of ``command`` under /usr/bin/time -v."""
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", result.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", result.stderr)
    assert wall and peak and user and system
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return seconds, float(user.group(1)) + float(system.group(1)), int(peak.group(1)) / 1024


def time_import(path: Path) -> None:
    python = [sys.executable, "-m", "edi.cli"]
    read_s, read_cpu, read_mb = measured([*python, "read", str(path), "--json", "-o", "/dev/null"])
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "ledger.sqlite3")
        import_s, import_cpu, import_mb = measured([*python, "ledger", "import", str(path), "--db", db])
    print(f"edi read --json:   {read_s:7.2f} s wall, {read_cpu:7.2f} s CPU, peak {read_mb:6.0f} MB")
    print(
        f"edi ledger import: {import_s:7.2f} s wall, {import_cpu:7.2f} s CPU, peak {import_mb:6.0f} MB"
        f" ({import_cpu / read_cpu:.2f}x the CPU of read)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=0, help="claims for the aging benchmark (e.g. 1000000)")
    parser.add_argument("--import-mb", type=int, default=0, help="size of the single-check 835 to import")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.claims and not args.import_mb:
        parser.error("give --claims N and/or --import-mb N")
    if args.claims:
        path = args.out / f"ledger-{args.claims}.sqlite3"
        start = time.perf_counter()
        fill_claims(path, args.claims)
        print(f"{path}: {args.claims} claims written in {time.perf_counter() - start:.1f} s")
        time_aging(path)
    if args.import_mb:
        time_import(grow_835(args.import_mb, args.out / f"835-one-check-{args.import_mb}mb.x12"))


if __name__ == "__main__":
    main()
