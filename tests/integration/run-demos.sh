#!/usr/bin/env bash
# `make run`'s demos of the SP-API and of the Brightpearl and QuickBooks
# connectors (scripts/run-spapi.sh, scripts/run-erp.sh) against their local
# stand-ins, with the workspace given as a path relative to the checkout, as
# `make run` gives it (build/run-spapi). Their wharf.xml names the demo CA
# beside the workspace; a relative ca-file is read from inside the workspace,
# so the demos once failed at their first pull ("CA file
# build/run-spapi/build/run-spapi.pki/ca.pem cannot be read").
# Usage: run-demos.sh WHARF. Prints ok/not ok lines.
set -u
. "$(dirname "$0")/lib.bash" "$@"
command -v python3 > /dev/null && command -v openssl > /dev/null ||
  { skip 6 "python3 or openssl is not installed"; exit 0; }
rel=$(realpath --relative-to=. "$tmp")
if scripts/run-spapi.sh "$W" "$rel/spapi" > "$tmp/spapi.out" 2>&1; then
  ok "the SP-API demo runs with a relative workspace"
else
  no "the SP-API demo failed" "$tmp/spapi.out"
fi
hasnt "  its pulls read the demo CA" "CA file .* cannot be read" "$tmp/spapi.out"
has "  and Amazon's sandbox POs became orders" "amazon-rp +RP +4Z32PABC" "$tmp/spapi.out"
if scripts/run-erp.sh "$W" "$rel/erp" > "$tmp/erp.out" 2>&1; then
  ok "the ERP demo runs with a relative workspace"
else
  no "the ERP demo failed" "$tmp/erp.out"
fi
hasnt "  its calls read the demo CA" "CA file .* cannot be read" "$tmp/erp.out"
has "  and both connectors pushed everything" "^qbo \(quickbooks\): 2 done, 0 pending, 0 failing" "$tmp/erp.out"
echo "1..$n"
