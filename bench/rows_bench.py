"""Time and peak memory of `edi build` on 100,000 claims rows (CSV and Parquet) of varied claims.

Usage, from the project root:
    python bench/rows_bench.py [--rows 100000] [--formats csv,parquet] [--seed 7] [--row-group 10000]

Writes claims rows (docs/claims-rows.md) into a temporary directory: claims of one to six
service lines, each for its own patient (a fifth of them dependents), member ID, payer
(one of five), rendering provider, service date in 2026, charges, modifiers and one to
four billable ICD-10-CM diagnoses, and the same rows as Parquet; then runs
`python -m edi.cli build ROWS -o out.837` under /usr/bin/time and prints the wall-clock
seconds and the build's peak resident memory. Not a test: it prints, it does not judge.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Common diagnoses; only those the shipped ICD-10-CM table lists as billable are used.
DIAGNOSES = [
    "E11.9",
    "E11.65",
    "E78.5",
    "E78.2",
    "E03.9",
    "E55.9",
    "E66.9",
    "I10",
    "I25.10",
    "I48.91",
    "J06.9",
    "J02.9",
    "J20.9",
    "J30.9",
    "J45.909",
    "K21.9",
    "K59.00",
    "M25.561",
    "M54.50",
    "M79.7",
    "N39.0",
    "R05.9",
    "R10.9",
    "R51.9",
    "R53.83",
    "F41.1",
    "F32.A",
    "G47.00",
    "H10.9",
    "L30.9",
    "Z00.00",
    "Z00.01",
    "Z23",
    "Z79.01",
    "Z79.4",
    "B34.9",
    "D64.9",
    "E87.6",
    "M17.11",
    "R73.03",
]
PROCEDURES = (
    ("99213", "125.00"),
    ("99214", "175.00"),
    ("99203", "160.00"),
    ("36415", "12.00"),
    ("83036", "65.00"),
    ("80053", "48.50"),
    ("85025", "40.00"),
    ("93000", "60.00"),
    ("90471", "25.00"),
    ("87880", "30.00"),
)
PAYERS = (
    ("ACME HEALTH PLAN", "ACME01", "CI"),
    ("MEDICARE PART B", "00952", "MB"),
    ("STATE MEDICAID", "SMCD1", "MC"),
    ("BLUE RIVER HEALTH", "BRH01", "BL"),
    ("PRAIRIE MUTUAL", "PRM77", "CI"),
)
LAST = [
    "DOE",
    "SMITH",
    "LEE",
    "PATEL",
    "NGUYEN",
    "GARCIA",
    "BROWN",
    "JOHNSON",
    "MILLER",
    "DAVIS",
    "WILSON",
    "MOORE",
    "TAYLOR",
    "CLARK",
]
FIRST = [
    "JOHN",
    "MARY",
    "EMMA",
    "NOAH",
    "LIAM",
    "OLIVIA",
    "AVA",
    "MIA",
    "LUCAS",
    "ETHAN",
    "SOFIA",
    "ZOE",
    "LEO",
    "ANNA",
]
RENDERING = tuple(f"{1000000000 + 7919 * n}" for n in range(12))
CONSTANTS = {
    "interchange_sender_id": "RIVERSIDEFP",
    "interchange_receiver_id": "CLEARHOUSE01",
    "interchange_usage": "T",
    "transaction_type": "837P",
    "submitter_name": "RIVERSIDE FAMILY PRACTICE",
    "submitter_id_qualifier": "46",
    "submitter_id": "RFP001",
    "submitter_contact_name": "BILLING OFFICE",
    "submitter_contact_numbers": "TE:2175550100",
    "receiver_name": "CLEARHOUSE ONE",
    "receiver_id_qualifier": "46",
    "receiver_id": "CLEARHOUSE01",
    "billing_provider_name": "RIVERSIDE FAMILY PRACTICE",
    "billing_provider_npi": "1234567893",
    "billing_provider_address_line1": "100 MAIN STREET",
    "billing_provider_city": "SPRINGFIELD",
    "billing_provider_state": "IL",
    "billing_provider_postal_code": "627010001",
    "billing_provider_tax_id": "371234567",
    "payer_responsibility": "P",
    "claim_frequency": "1",
    "provider_signature": "Y",
    "assignment": "A",
    "benefits_assigned": "Y",
    "release_of_information": "Y",
    "place_of_service": "11",
}


def billable() -> list[str]:
    """The codes of DIAGNOSES that ICD-10-CM lists as billable."""
    import simple_icd_10_cm as cm

    return [code for code in DIAGNOSES if cm.is_valid_item(code) and cm.is_leaf(code)]


def claim_rows(number: int, rng: random.Random, codes: list[str]) -> list[dict[str, str]]:
    """The rows of one claim: its own patient, payer, date, diagnoses and one to six lines."""
    payer, payer_id, filing = PAYERS[number % len(PAYERS)]
    day = date(2026, 1, 1) + timedelta(days=rng.randrange(330))
    last, first = rng.choice(LAST), rng.choice(FIRST)
    head = {
        **CONSTANTS,
        "patient_control_number": f"PCN{number:08d}",
        "subscriber_last_name": last,
        "subscriber_first_name": first,
        "subscriber_id": f"M{rng.randrange(10**9):09d}",
        "subscriber_address_line1": f"{rng.randrange(1, 9999)} ELM STREET",
        "subscriber_city": "SPRINGFIELD",
        "subscriber_state": "IL",
        "subscriber_postal_code": f"6270{rng.randrange(10, 99)}",
        "subscriber_birth_date": (date(1940, 1, 1) + timedelta(days=rng.randrange(20000))).isoformat(),
        "subscriber_gender": rng.choice("MF"),
        "group_number": f"GRP{rng.randrange(1000)}",
        "claim_filing_indicator": filing,
        "payer_name": payer,
        "payer_id": payer_id,
        "rendering_provider_last_name": rng.choice(LAST),
        "rendering_provider_first_name": rng.choice(FIRST),
        "rendering_provider_npi": rng.choice(RENDERING),
        "diagnoses": " ".join(rng.sample(codes, rng.randint(1, 4))),
    }
    if number % 5 == 0:
        head |= {
            "patient_relationship": "19",
            "patient_last_name": last,
            "patient_first_name": rng.choice(FIRST),
            "patient_birth_date": (date(2008, 1, 1) + timedelta(days=rng.randrange(5000))).isoformat(),
            "patient_gender": rng.choice("MF"),
        }
    else:
        head["subscriber_relationship"] = "18"
    count = len(head["diagnoses"].split())
    out = []
    for line in range(1, rng.randint(1, 6) + 1):
        code, charge = rng.choice(PROCEDURES)
        out.append(
            {
                **head,
                "procedure_code": code,
                "modifiers": "25" if code.startswith("992") and line == 1 else "",
                "line_charge": charge,
                "units": "1",
                "diagnosis_pointers": " ".join(str(n) for n in range(1, rng.randint(1, count) + 1)),
                "service_date": day.isoformat(),
                "line_control_number": f"PCN{number:08d}-{line}",
            }
        )
    return out


def write_rows(path: Path, total: int, seed: int) -> int:
    """Write at least ``total`` rows (whole claims) as CSV; the number of claims."""
    rng = random.Random(seed)
    codes = billable()
    names = [*list(claim_rows(0, random.Random(0), codes)[0]), "patient_relationship", "patient_last_name"]
    names += ["patient_first_name", "patient_birth_date", "patient_gender", "subscriber_relationship"]
    names = list(dict.fromkeys(names))
    written = claims = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        while written < total:
            rows = claim_rows(claims, rng, codes)
            writer.writerows(rows)
            written += len(rows)
            claims += 1
    return claims


def to_parquet(source: Path, target: Path, group: int) -> None:
    """The same rows as a Parquet file of string columns, in row groups of ``group`` rows."""
    import pyarrow as pa
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    with source.open(encoding="utf-8") as handle:
        names = next(csv.reader(handle))
    types = dict.fromkeys(names, pa.string())
    table = pv.read_csv(source, convert_options=pv.ConvertOptions(column_types=types, strings_can_be_null=True))
    pq.write_table(table, target, row_group_size=group)


def measure(rows: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of `edi build ROWS -o OUT` in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    report = out.with_suffix(".time")
    command = [sys.executable, "-m", "edi.cli", "build", str(rows), "-o", str(out)]
    # /usr/bin/time starts the build from its own small process: a child forked from this
    # one would report this process's memory as its peak.
    subprocess.run(["/usr/bin/time", "-o", str(report), "-f", "%e %M", *command], check=True, env=env, cwd=ROOT)
    seconds, kilobytes = report.read_text(encoding="utf-8").split()[-2:]
    return float(seconds), int(kilobytes) / 1024


def main() -> None:
    """Generate the rows, build each format once and print what it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--row-group", type=int, default=10_000, help="rows per Parquet row group")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        source = folder / "rows.csv"
        claims = write_rows(source, args.rows, args.seed)
        for kind in args.formats.split(","):
            rows = source
            if kind == "parquet":
                rows = folder / "rows.parquet"
                to_parquet(source, rows, args.row_group)
            out = folder / "out.837"
            seconds, peak = measure(rows, out)
            text = out.read_text(encoding="utf-8")
            sets, built = text.count("\nST*837*"), text.count("\nCLM*")
            size = rows.stat().st_size / 1e6
            if kind == "parquet":
                kind += f" (row groups of {args.row_group} rows)"
            print(
                f"edi build {kind}: {args.rows} rows ({size:.1f} MB), {claims} claims -> {built} claims in {sets} "
                f"transaction sets, {len(text) / 1e6:.1f} MB of X12: {seconds:.2f} s, peak {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
