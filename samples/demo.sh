#!/usr/bin/env bash
# The main job on the bundled samples: build an 837 from claims JSON, validate it and
# write its 999 and 277CA, read the payer's 835s, reconcile them against the claims, build
# the secondary claims, and write an HTML view of the faulty batch (kept after the demo).
# Called by `make demo` with the path of `edi`.
set -euo pipefail
EDI=${1:-edi}
SAMPLES=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "1. Build the 837P from claims JSON (samples/837p-office-visits.json)"
"$EDI" build "$SAMPLES/837p-office-visits.json" -o "$OUT/claims.837"
head -c 600 "$OUT/claims.837"; echo " ..."
cmp -s "$OUT/claims.837" "$SAMPLES/837p-office-visits.x12" && echo "(identical to samples/837p-office-visits.x12)"

step "2. Validate it before upload (SNIP 1-5 and code ordering) and write the 999"
"$EDI" validate "$OUT/claims.837" --ack "$OUT/claims.999"
cat "$OUT/claims.999"

step "3. The same validation on a claim with faults: a wrong total and a manifestation code first"
sed -e 's/CLM\*PCN-1002\*120/CLM*PCN-1002*130/' -e 's/HI\*ABK:J069/HI*ABK:G01*ABF:J069/' "$OUT/claims.837" > "$OUT/faulty.837"
"$EDI" validate "$OUT/faulty.837" --ack277 "$OUT/faulty.277" || echo "(exit code $?: errors found)"

step "3b. The 277CA for that batch: the faulty claim rejected, the others accepted"
"$EDI" read "$OUT/faulty.277" | grep -E '^      "(patient_control_number|accepted)"' | paste - -

step "4. Read the payer's first 835 (one row per service line)"
"$EDI" read "$SAMPLES/835-office-visits.x12" --csv | cut -d, -f1-12 | column -s, -t | head -8

step "5. Reconcile both 835s (payment, then a reversal and correction) against the claims"
"$EDI" reconcile --claims "$OUT/claims.837" \
    --remit "$SAMPLES/835-office-visits.x12" --remit "$SAMPLES/835-office-visits-correction.x12"

step "6. The secondary claims: the primary's adjudication in the COB loops, sent to the next payer"
"$EDI" build --secondary --claims "$SAMPLES/837p-cob-primary.x12" --remit "$SAMPLES/835-office-visits.x12" \
    -o "$OUT/secondary.837"
"$EDI" validate "$OUT/secondary.837"

step "7. An HTML view of the faulty batch (loops, element names, findings in place)"
VIEW="$(mktemp -d)/faulty-batch.html"
"$EDI" view "$OUT/faulty.837" -o "$VIEW"
echo "$VIEW"
