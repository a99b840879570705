#!/usr/bin/env bash
# The local SP-API stand-in (tests/spapi/server.py, not Amazon) against its
# own self-test: LWA, auth and RDT rules, RP paging and the 7-day window,
# write validation against Amazon's models, transaction status, faults,
# rate limits, finances reads, sandbox examples, TLS. Usage: spapi-server.sh
# [WHARF_BINARY] (unused: this tests the stand-in that the transport tests
# use). Prints ok/not ok lines.
set -u
cd "$(dirname "$0")/../.." || exit 2
if ! command -v python3 > /dev/null; then
  echo "# skip - spapi-server.sh: python3 is not installed (scripts/deps.sh --tests installs it)"
  exit 0
fi
exec python3 tests/spapi/test_server.py --tap
