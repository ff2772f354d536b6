"""Time `edi reconcile` end to end on 10,000 generated claims and the 835s that pay them.

Usage, from the project root:  python bench/reconcile_bench.py [--claims 10000] [--per-remit 2500]

Writes one 837P holding every claim (two lines each, with REF*6R) and 835s of
``--per-remit`` claims each, balanced at line, claim and transaction level, into a
temporary directory; then runs `python -m edi.cli reconcile ... --json -o out.json` in a
subprocess and prints the wall-clock seconds. Not a test: it prints, it does not judge.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINES = (("99213", Decimal("120.00")), ("85025", Decimal("40.00")))
CLAIMS_PER_SUBSCRIBER = 100


def envelope(sender: str, receiver: str, code: str, version: str, body: list[str], control: int) -> str:
    """Wrap one transaction set in ISA/GS/GE/IEA."""
    isa = f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*260205*0900*^*00501*{control:09d}*0*T*:"
    segments = [isa, f"GS*{code}*{sender}*{receiver}*20260205*0900*{control}*X*{version}", *body]
    segments += [f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "~\n".join(segments) + "~\n"


def transaction(kind: str, version: str, segments: list[str]) -> list[str]:
    """ST ... SE with the right segment count."""
    body = [f"ST*{kind}*0001*{version}" if kind == "837" else "ST*835*0001", *segments]
    return [*body, f"SE*{len(body) + 1}*0001"]


def claims_837(count: int) -> str:
    """One 837P with ``count`` claims, a subscriber HL for every hundred."""
    segments = [
        "BHT*0019*00*BENCH*20260115*1030*CH",
        "NM1*41*2*BENCH CLINIC*****46*TIN1",
        "PER*IC*BILLING*TE*5555550100",
        "NM1*40*2*BENCH PLAN*****46*PLAN1",
        "HL*1**20*1",
        "NM1*85*2*BENCH CLINIC*****XX*1234567893",
        "N3*1 MAIN ST",
        "N4*SPRINGFIELD*IL*627010001",
        "REF*EI*371234567",
    ]
    hl = 1
    for number in range(count):
        if number % CLAIMS_PER_SUBSCRIBER == 0:
            hl += 1
            segments += [
                f"HL*{hl}*1*22*0",
                "SBR*P*18*GRP1******CI",
                f"NM1*IL*1*PATIENT*P{hl}****MI*M{hl:08d}",
                "NM1*PR*2*BENCH PLAN*****PI*PLAN1",
            ]
        total = sum(charge for _, charge in LINES)
        segments += [f"CLM*B{number:07d}*{total}***11:B:1*Y*A*Y*Y", "HI*ABK:J069"]
        for line, (code, charge) in enumerate(LINES, 1):
            segments += [
                f"LX*{line}",
                f"SV1*HC:{code}*{charge}*UN*1***1",
                "DTP*472*D8*20260110",
                f"REF*6R*B{number:07d}-{line}",
            ]
    return envelope("CLINIC", "PLAN", "HC", "005010X222A1", transaction("837", "005010X222A1", segments), 1)


def remittance_835(first: int, count: int, control: int) -> str:
    """One 835 paying claims ``first`` .. ``first + count - 1``: 25% contractual, 10 coinsurance per line."""
    body: list[str] = []
    total = Decimal(0)
    for number in range(first, first + count):
        claim_paid = Decimal(0)
        services: list[str] = []
        for line, (code, charge) in enumerate(LINES, 1):
            contractual = (charge / 4).quantize(Decimal("0.01"))
            paid = charge - contractual - 10
            claim_paid += paid
            services += [
                f"SVC*HC:{code}*{charge}*{paid}**1",
                "DTM*472*20260110",
                f"CAS*CO*45*{contractual}",
                "CAS*PR*2*10",
                f"REF*6R*B{number:07d}-{line}",
            ]
        charge = sum(c for _, c in LINES)
        body += [f"CLP*B{number:07d}*1*{charge}*{claim_paid}*{10 * len(LINES)}*CI*ICN{number:07d}*11*1", *services]
        total += claim_paid
    header = [
        f"BPR*I*{total}*C*ACH*CCP*01*999999999*DA*1*1512345678**01*888888888*DA*2*20260205",
        f"TRN*1*BENCH{control}*1512345678",
        "N1*PR*BENCH PLAN",
        "N3*1 PLAN WAY",
        "N4*CHICAGO*IL*606010001",
        "PER*BL*EDI*TE*5555550199",
        "N1*PE*BENCH CLINIC*XX*1234567893",
        "LX*1",
    ]
    return envelope("PLAN", "CLINIC", "HP", "005010X221A1", transaction("835", "", header + body), control)


def main() -> None:
    """Generate the files, run `edi reconcile` once and print the seconds it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--per-remit", type=int, default=2_500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        claims = folder / "claims.837"
        claims.write_text(claims_837(args.claims), encoding="utf-8")
        command = [sys.executable, "-m", "edi.cli", "reconcile", "--claims", str(claims)]
        for control, first in enumerate(range(0, args.claims, args.per_remit), 2):
            remit = folder / f"remit-{control}.835"
            remit.write_text(remittance_835(first, min(args.per_remit, args.claims - first), control), encoding="utf-8")
            command += ["--remit", str(remit)]
        command += ["--json", "-o", str(folder / "out.json")]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        subprocess.run(command, check=True, env=env, cwd=ROOT)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.iterdir() if p.suffix in (".837", ".835")) / 1e6
    print(f"edi reconcile: {args.claims} claims, {size:.1f} MB of X12 in, JSON out: {seconds:.2f} s")


if __name__ == "__main__":
    main()
