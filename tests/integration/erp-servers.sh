#!/usr/bin/env bash
# The local ERP stand-ins (tests/erp/, not Brightpearl and not QuickBooks)
# against their own self-tests, so a broken stand-in shows up as itself and
# not as a connector bug: envelopes, throttling, auth and token refresh,
# orders and their searches, If-Match and 412, shipping, webhooks, faults.
# Usage: erp-servers.sh [WHARF_BINARY] (unused: this tests the stand-ins
# that the connector tests use). Prints ok/not ok lines.
set -u
cd "$(dirname "$0")/../.." || exit 2
if ! command -v python3 > /dev/null; then
  echo "# skip - erp-servers.sh: python3 is not installed (scripts/deps.sh --tests installs it)"
  exit 0
fi
rc=0
python3 tests/erp/test_brightpearl.py --tap || rc=1
if [ -f tests/erp/test_quickbooks.py ]; then
  python3 tests/erp/test_quickbooks.py --tap || rc=1
fi
exit $rc
