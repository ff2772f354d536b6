"""Fuzz `edi` with mutated samples and corpus files and count what goes wrong.

Each variant goes through `bench.fuzzing.exercise` (every reader, the validator and its 999,
the JSON readers and builders, the reconciler) and through one CLI command in-process
(`validate`, `read` or `parse --json`, in turn). Prints the variants tried, the uncaught
exceptions, the messages without a location and the CLI exits outside {0, 1, 2}, with the
first examples of each; exits 1 when any count is not zero.

    python bench/fuzz.py [--variants 10000] [--seed 1] [--max-bytes 65536]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from typer.testing import CliRunner  # noqa: E402

from bench.fuzzing import exercise, seeds, variant  # noqa: E402
from edi.cli import app  # noqa: E402

COMMANDS = (["validate"], ["read"], ["parse", "--json"])


def _cli(path: Path, command: list[str]) -> str | None:
    """Run one command on ``path`` in-process; what is wrong with how it ended, or None."""
    result = CliRunner().invoke(app, [*command, str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"uncaught {type(result.exception).__name__} in edi {command[0]}: {result.exception}"
    if result.exit_code not in (0, 1, 2):
        return f"exit {result.exit_code} from edi {command[0]}"
    if "Traceback" in result.output or "<input>" in result.output:
        return f"edi {command[0]} printed a traceback or an unlocated message"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-bytes", type=int, default=65_536, help="largest seed file used")
    args = parser.parse_args()
    pool = seeds(args.max_bytes)
    rng = random.Random(args.seed)
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    started = perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for n in range(args.variants):
            name, data = variant(rng, pool)
            path = Path(folder) / name
            path.write_bytes(data)
            found = exercise(path)
            cli = _cli(path, list(COMMANDS[n % len(COMMANDS)]))
            for message in [*found, *([cli] if cli else [])]:
                kind = (
                    "uncaught exceptions"
                    if message.startswith("uncaught")
                    else "exits outside {0, 1, 2}"
                    if message.startswith("exit ")
                    else "messages without a location"
                )
                counts[kind] += 1
                examples.setdefault(kind, []).append(f"{name} (variant {n}): {message[:300]}")
    elapsed = perf_counter() - started
    print(f"seed files: {len(pool)}, random seed {args.seed}, {elapsed:.0f} s")
    print(f"variants tried: {args.variants}")
    for kind in ("uncaught exceptions", "messages without a location", "exits outside {0, 1, 2}"):
        print(f"{kind}: {counts[kind]}")
        for example in examples.get(kind, [])[:5]:
            print(f"    {example}")
    return 1 if counts else 0


if __name__ == "__main__":
    sys.exit(main())
