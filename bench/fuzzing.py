"""Mutated X12 files and the checks run on each: shared by the fuzz test and `bench/fuzz.py`.

A variant is a seed file (a sample or a corpus file) with a few mutations applied: segments
deleted, duplicated, swapped or truncated, elements deleted or duplicated, delimiters
inserted, digits changed, bytes dropped or added. `exercise` runs every reader, the
validator and its 999, the claims and remittance JSON readers and builders, and the
reconciler on a variant and returns what went wrong: an exception other than an
`EdiError`, or an `EdiError` without a file (or without a line where it shows a segment).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edi.errors import EdiError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"
TERMINATOR = re.compile(rb"~\r?\n?|\r?\n")


def seeds(max_bytes: int = 1 << 20) -> list[tuple[str, bytes]]:
    """The sample X12 files and the corpus files up to ``max_bytes``, as (name, bytes)."""
    paths = sorted(SAMPLES.glob("*.x12"))
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    return [(p.name, p.read_bytes()) for p in paths if p.stat().st_size <= max_bytes]


def _segments(data: bytes) -> list[bytes]:
    """The file cut after each terminator (with its line break): joining them gives the file back."""
    parts, start = [], 0
    for found in TERMINATOR.finditer(data):
        parts.append(data[start : found.end()])
        start = found.end()
    if start < len(data):
        parts.append(data[start:])
    return parts


def _delete_segment(parts: list[bytes], rng: random.Random) -> None:
    if len(parts) > 1:
        del parts[rng.randrange(len(parts))]


def _duplicate_segment(parts: list[bytes], rng: random.Random) -> None:
    n = rng.randrange(len(parts))
    parts.insert(n, parts[n])


def _swap_segments(parts: list[bytes], rng: random.Random) -> None:
    a, b = rng.randrange(len(parts)), rng.randrange(len(parts))
    parts[a], parts[b] = parts[b], parts[a]


def _truncate_segment(parts: list[bytes], rng: random.Random) -> None:
    n = rng.randrange(len(parts))
    parts[n] = parts[n][: rng.randrange(len(parts[n]) + 1)]


def _element_edit(parts: list[bytes], rng: random.Random) -> None:
    n = rng.randrange(len(parts))
    elements = parts[n].split(b"*")
    if len(elements) > 1:
        k = rng.randrange(1, len(elements))
        if rng.random() < 0.5:
            del elements[k]
        else:
            elements.insert(k, elements[k])
        parts[n] = b"*".join(elements)


def _insert_delimiter(parts: list[bytes], rng: random.Random) -> None:
    n = rng.randrange(len(parts))
    at = rng.randrange(len(parts[n]) + 1)
    parts[n] = parts[n][:at] + rng.choice([b"*", b":", b"^", b"~", b">", b"|", b"\n", b"\r\n"]) + parts[n][at:]


def _change_digit(parts: list[bytes], rng: random.Random) -> None:
    n = rng.randrange(len(parts))
    digits = [i for i, c in enumerate(parts[n]) if 48 <= c <= 57]
    if digits:
        i = rng.choice(digits)
        replacement = rng.choice([b"0", b"9", b"5", b"E9", b"99999999999999999999", b".", b"-", b"NaN", b""])
        parts[n] = parts[n][:i] + replacement + parts[n][i + 1 :]


def _bytes(parts: list[bytes], rng: random.Random) -> None:
    n = rng.randrange(len(parts))
    at = rng.randrange(len(parts[n]) + 1)
    if rng.random() < 0.5:
        parts[n] = parts[n][:at] + parts[n][at + rng.randint(1, 8) :]
    else:
        parts[n] = parts[n][:at] + bytes([rng.randrange(256)]) + parts[n][at:]


MUTATIONS: dict[str, Callable[[list[bytes], random.Random], None]] = {
    "delete segment": _delete_segment,
    "duplicate segment": _duplicate_segment,
    "swap segments": _swap_segments,
    "truncate segment": _truncate_segment,
    "delete or duplicate element": _element_edit,
    "insert delimiter": _insert_delimiter,
    "change digit": _change_digit,
    "drop or add bytes": _bytes,
}


def mutate(data: bytes, steps: list[tuple[str, int]]) -> bytes:
    """``data`` with each (mutation name, random seed) of ``steps`` applied in turn."""
    for name, seed in steps:
        parts = _segments(data) or [data]
        if parts == [b""]:
            return data
        MUTATIONS[name](parts, random.Random(seed))
        data = b"".join(parts)
    if steps and steps[-1][1] % 50 == 0:  # now and then, the whole file cut short
        data = data[: random.Random(steps[-1][1]).randrange(len(data) + 1)]
    return data


def variant(rng: random.Random, pool: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """One random variant: a seed from ``pool`` with one to three mutations."""
    name, data = rng.choice(pool)
    steps = [(rng.choice(list(MUTATIONS)), rng.randrange(1 << 30)) for _ in range(rng.randint(1, 3))]
    return name, mutate(data, steps)


def problem(error: BaseException, file: str) -> str | None:
    """Why ``error`` is not acceptable: not an `EdiError`, or an `EdiError` without its location."""
    if not isinstance(error, EdiError):
        return f"uncaught {type(error).__name__}: {error}"
    where = error.location
    if not where.file or "<input>" in str(error):
        return f"no file in: {error}"
    if where.segment and where.line is None and where.offset is None:
        return f"no line in: {error}"
    if where.file != file:
        return f"another file named in: {error}"
    return None


def exercise(path: Path) -> list[str]:
    """Run every reader, the validator, the JSON readers and builders, and the reconciler on ``path``.

    Returns the problems found (see `problem`); an empty list means every step either worked
    or stopped with a located `EdiError`.
    """
    from edi.ack.ack999 import build_999, build_ta1
    from edi.claims.build import build_837
    from edi.claims.read import read_claims
    from edi.convert.structure import document_from_json, document_json
    from edi.reconcile import reconcile
    from edi.reconcile.extract import claims_of, remittances_of
    from edi.remit.build import build_835
    from edi.remit.read import read_remittance
    from edi.schemas import check_against
    from edi.validate.runner import validate_file
    from edi.x12.reader import iter_events, read_document
    from edi.x12.writer import segment_text

    file = str(path)
    found: list[str] = []

    def attempt(step: Callable[[], Any]) -> Any:
        try:
            return step()
        except Exception as error:  # what escapes is exactly what the fuzzing looks for
            message = problem(error, file)
            if message:
                found.append(message)
            return None

    attempt(lambda: sum(1 for _ in iter_events(path)))
    document = attempt(lambda: read_document(path))
    checked = attempt(lambda: validate_file(path))
    if checked is not None:
        attempt(lambda: (build_999(*checked), build_ta1(*checked)))
    if document is not None:
        kinds = {t.st.get(1) for _, _, t in document.transactions()}
        tree = attempt(lambda: json.loads(json.dumps(document_json(document))))
        if tree is not None:
            attempt(lambda: (check_against("structure", tree, file), segment_text(document_from_json(tree).segments())))
        if "837" in kinds:
            claims = attempt(lambda: json.loads(json.dumps(read_claims(document))))
            if claims is not None:
                attempt(lambda: build_837(claims, file))
            attempt(lambda: list(claims_of(document)))
        if "835" in kinds:
            remittance = attempt(lambda: json.loads(json.dumps(read_remittance(document))))
            if remittance is not None:
                attempt(lambda: build_835(remittance, file, allow_unbalanced=True))
            attempt(lambda: list(remittances_of(document)))
    attempt(lambda: reconcile([path], [path]))
    return found
