#!/usr/bin/env bash
# The main job on the bundled samples. Called by `make demo` with the path of `edi`.
set -euo pipefail
EDI=${1:-edi}
cd "$(dirname "$0")"
echo "== parse: the 837P claims file, as loops =="
"$EDI" parse 837p-office-visits.x12 | head -40
echo
echo "== parse: the 835 remittance, as loops =="
"$EDI" parse 835-office-visits.x12 | head -30
