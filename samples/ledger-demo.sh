#!/usr/bin/env bash
# The ledger over two days of claims and two ERAs: claims on day 1 and day 2, the primary's
# ERA, then the secondary's (which pays one claim's remaining share and denies another's),
# then the aging of what is still open and what one patient owes.
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
