#!/usr/bin/env bash
# A billing system's service-line export (its own column names) to an 837P that validates,
# and the 837 read back as claims rows. Called with the path of `edi` (default: edi).
set -euo pipefail
EDI=${1:-edi}
SAMPLES=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "Build an 837P from a billing export (samples/billing-export.csv) and its column map"
"$EDI" build "$SAMPLES/billing-export.csv" --map "$SAMPLES/billing-export.map.toml" -o "$OUT/export.837"
head -c 400 "$OUT/export.837"; echo " ..."

step "Validate it before upload (SNIP 1-5 and code ordering)"
"$EDI" validate "$OUT/export.837"

step "Read it back as claims rows: one row per service line"
"$EDI" read "$OUT/export.837" --rows -o "$OUT/rows.csv"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i }
    { print $at["patient_control_number"], $at["subscriber_last_name"], $at["service_date"], $at["procedure_code"],
            $at["line_charge"], $at["diagnoses"], $at["other_payer_name"] }' OFS='|' "$OUT/rows.csv" | column -s'|' -t
