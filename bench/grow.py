"""Grow a sample X12 file to a target size by repeating its transaction sets.

The copies sit in the sample's one interchange and group, each with a fresh ST02/SE02
control number and the SE01 segment count of its own transaction set; GE01 counts them
all. Like a real batch, each copy has its own claim numbers, patients, member IDs,
addresses, line control numbers, trace number and service month, while providers, payers
and codes repeat. The
result stays valid X12 and reads with no warnings.

    python bench/grow.py --sizes 1,10,50 --out bench/out
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from edi.x12.document import Document, Transaction  # noqa: E402
from edi.x12.reader import read_document  # noqa: E402
from edi.x12.segment import Segment  # noqa: E402
from edi.x12.writer import segment_text  # noqa: E402

SAMPLES = {
    "837P": ROOT / "samples" / "837p-office-visits.x12",
    "835": ROOT / "samples" / "835-office-visits.x12",
}
MEGABYTE = 1_000_000
DEFAULT_OUT = ROOT / "bench" / "out"


@dataclass(frozen=True)
class Envelope:
    """The sample's envelope segments and its transaction sets."""

    isa: Segment
    gs: Segment
    transactions: list[Transaction]
    ge: Segment
    iea: Segment


def _envelope(document: Document, sample: Path) -> Envelope:
    """The sample's single interchange and group, or a clear error."""
    if len(document.interchanges) != 1 or len(document.interchanges[0].groups) != 1:
        raise SystemExit(f"{sample}: expected one interchange holding one functional group")
    interchange = document.interchanges[0]
    group = interchange.groups[0]
    if interchange.isa is None or interchange.iea is None or group.gs is None or group.ge is None:
        raise SystemExit(f"{sample}: expected a full ISA/GS..GE/IEA envelope")
    return Envelope(interchange.isa, group.gs, group.transactions, group.ge, interchange.iea)


def _renumbered(segment: Segment, index: int, value: str) -> Segment:
    """A copy of ``segment`` with element ``index`` (1-based) set to ``value``."""
    elements = list(segment.elements)
    elements[index - 1] = value
    return dataclasses.replace(segment, elements=elements)


# Values of the samples that differ from claim to claim in a real batch: (text, pattern for copy n).
VARIED = (
    ("PCN-", "PCN{n:06d}-"),
    ("W123456789", "W{n:09d}"),
    ("W987654321", "V{n:09d}"),
    ("*L100", "*L{n:06d}-"),
    ("EFT20260205001", "EFT{n:011d}"),
    ("*D8*202601", "*D8*2025{month:02d}"),
    ("*DOE*", "*DOE{letters}*"),
    ("*SMITH*", "*SMITH{letters}*"),
    ("42 ELM STREET", "{n} ELM STREET"),
    ("7 OAK AVENUE", "{n} OAK AVENUE"),
    ("DTM*472*202601", "DTM*472*2025{month:02d}"),
)


def vary(text: str, copy: int) -> str:
    """``text`` with the claim-specific values of the samples made unique to copy number ``copy``."""
    letters = ""
    rest = copy
    while rest:
        rest, digit = divmod(rest, 26)
        letters = chr(ord("A") + digit) + letters
    for old, new in VARIED:
        text = text.replace(old, new.format(n=copy, month=1 + copy % 12, letters=letters))
    return text


def grow(sample: Path, megabytes: int, out: Path) -> Path:
    """Write ``out``: ``sample`` with its transaction sets repeated until the file reaches ``megabytes`` MB."""
    envelope = _envelope(read_document(sample), sample)
    bodies = []
    for transaction in envelope.transactions:
        segments = list(transaction.segments())
        bodies.append((segments[0], segment_text(segments[1:-1]), segments[-1], len(segments)))
    head = segment_text([envelope.isa, envelope.gs])
    target = megabytes * MEGABYTE
    count = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="", errors="surrogateescape") as handle:
        handle.write(head)
        written = len(head)
        while written < target:
            for st, body, se, size in bodies:
                count += 1
                number = f"{count:04d}"
                text = (
                    segment_text([_renumbered(st, 2, number)])
                    + vary(body, count)
                    + segment_text([_renumbered(_renumbered(se, 1, str(size)), 2, number)])
                )
                handle.write(text)
                written += len(text)
        handle.write(segment_text([_renumbered(envelope.ge, 1, str(count)), envelope.iea]))
    return out


def grown_path(kind: str, megabytes: int, out_dir: Path) -> Path:
    """Where the grown file of ``kind`` and size lives."""
    return out_dir / f"{kind.lower()}-{megabytes}mb.x12"


def check_clean(path: Path) -> None:
    """Read ``path`` and fail when the reader warns or leaves any segment unplaced."""
    document = read_document(path)
    if document.warnings:
        raise SystemExit(f"{path}: the reader warned: {document.warnings[0]}")
    for _, _, transaction in document.transactions():
        for segment in transaction.segments():
            if segment.unplaced:
                raise SystemExit(f"{path}: segment {segment.id} at line {segment.line} is not placed by the guide")


def ensure(kind: str, megabytes: int, out_dir: Path) -> Path:
    """The grown file of ``kind`` and size, written when missing or older than its sample."""
    path = grown_path(kind, megabytes, out_dir)
    sample = SAMPLES[kind]
    if not path.exists() or path.stat().st_mtime < sample.stat().st_mtime:
        grow(sample, megabytes, path)
    return path


def parse_sizes(text: str) -> list[int]:
    """``"1,10,50"`` -> ``[1, 10, 50]``; rejects anything but positive whole megabytes."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected megabytes separated by commas (1,10,50), not {text!r}") from None
    if not sizes or any(size <= 0 for size in sizes):
        raise argparse.ArgumentTypeError(f"expected positive whole megabytes (1,10,50), not {text!r}")
    return sorted(set(sizes))


def main(argv: list[str] | None = None) -> None:
    """Grow the 837P and 835 samples to each size and check the smallest reads cleanly."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=parse_sizes, default=[1, 10, 50], help="sizes in MB, e.g. 1,10,50")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for the grown files")
    args = parser.parse_args(argv)
    for kind in SAMPLES:
        for index, megabytes in enumerate(args.sizes):
            path = grow(SAMPLES[kind], megabytes, grown_path(kind, megabytes, args.out))
            if index == 0:
                check_clean(path)
            print(f"{path}  {path.stat().st_size / MEGABYTE:.1f} MB")


if __name__ == "__main__":
    main()
