"""Property-based fuzzing: mutated samples and corpus files never raise anything but a located EdiError."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzzing import MUTATIONS, exercise, mutate, seeds

SEEDS = seeds(max_bytes=12_000)
STEPS = st.lists(st.tuples(st.sampled_from(sorted(MUTATIONS)), st.integers(0, 1 << 30)), min_size=1, max_size=3)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), steps=STEPS)
def test_a_mutated_file_gives_located_errors_only(seed: tuple[str, bytes], steps: list[tuple[str, int]]) -> None:
    name, data = seed
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(mutate(data, steps))
        assert exercise(path) == []


def test_the_mutations_change_the_file() -> None:
    data = next(d for n, d in SEEDS if n.endswith(".x12"))
    changed = {mutate(data, [(mutation, seed)]) for mutation in MUTATIONS for seed in range(5)}
    assert len(changed - {data}) > len(MUTATIONS)
