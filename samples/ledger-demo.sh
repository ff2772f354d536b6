#!/usr/bin/env bash
# The ledger over two days of claims and two ERAs: claims on day 1 and day 2, the
# clearinghouse's 999 and 277CA for them, the primary's ERA, then the secondary's (which
# pays one claim's remaining share and denies another's), then the aging of what is still
# open and what one patient owes.
# Usage: samples/ledger-demo.sh [EDI] (the path of `edi`; samples/demo.sh passes its own).
set -euo pipefail
EDI=${1:-edi}
SAMPLES=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export EDI_DB="$OUT/ledger.sqlite3"

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "Ledger 1. Day 1 and day 2 claims (837P), then the same day-1 file again: nothing is counted twice"
"$EDI" ledger import "$SAMPLES/ledger-claims-day1.x12" "$SAMPLES/ledger-claims-day2.x12"
"$EDI" ledger import "$SAMPLES/ledger-claims-day1.x12"

step "Ledger 1b. The clearinghouse answers both days (here edi validate writes its 999 and 277CA): all accepted"
for day in 1 2; do
    "$EDI" validate "$SAMPLES/ledger-claims-day$day.x12" --ack "$OUT/day$day.999" --ack277 "$OUT/day$day.277" >/dev/null
done
"$EDI" ledger import "$OUT/day1.999" "$OUT/day1.277" "$OUT/day2.999" "$OUT/day2.277"
"$EDI" ledger open --as-of 2026-04-15

step "Ledger 2. The primary's ERA (PRIMARY HEALTH PLAN pays two claims; the patient owes 80.00 on them)"
"$EDI" ledger import "$SAMPLES/ledger-era-primary.x12"
"$EDI" ledger payments

step "Ledger 3. The secondary's ERA (SECOND HEALTH pays PCN-D101's share, denies PCN-D201's)"
"$EDI" ledger import "$SAMPLES/ledger-era-secondary.x12"
"$EDI" ledger claim PCN-D101

step "Ledger 4. Open claims by age on 2026-04-15, per payer"
"$EDI" ledger open --aging --as-of 2026-04-15

step "Ledger 5. What patient P55501 (JANE ROE) owes after both payers"
"$EDI" ledger patient P55501
