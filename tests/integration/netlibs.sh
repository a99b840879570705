#!/usr/bin/env bash
# The network libraries are loaded when first needed (gateway/net/netlibs.c):
# the program does not list libcurl or libmicrohttpd among the libraries it
# needs, the commands that do not use the network run when those libraries
# are broken, and a command that needs one says which cannot be loaded and
# what to install. Usage: netlibs.sh WHARF_BINARY (default build/san/wharf).
. "$(dirname "$0")/lib.bash" "$@"

readelf -d "$W" > "$tmp/dyn" 2>&1 || no "readelf reads $W" "$tmp/dyn"
has "the program is linked dynamically" "NEEDED.*libc\.so" "$tmp/dyn"
hasnt "the program is not linked with libcurl" "NEEDED.*libcurl" "$tmp/dyn"
hasnt "the program is not linked with libmicrohttpd" "NEEDED.*libmicrohttpd" "$tmp/dyn"

# libraries of those names that are no libraries: found first, they would
# fail any command that loaded them
mkdir -p "$tmp/broken"
echo "not a library" > "$tmp/broken/libcurl.so.4"
echo "not a library" > "$tmp/broken/libmicrohttpd.so.12"
broken() { LD_LIBRARY_PATH=$tmp/broken "$@"; }

exits "edi validate runs without loading them" 0 broken "$W" edi validate "$G/amazon-rp-850.edi"
has "... and checks the file as always" "1 accepted, 0 rejected, 0 findings" "$tmp/out"
exits "init runs without loading them" 0 broken "$W" init "$ws"
exits "status runs without loading them" 0 broken "$W" status -w "$ws"

# the HTTP listener needs libmicrohttpd: a clear error, no crash
WHARF_POLL_SECONDS=3600 broken timeout 60 "$W" serve --http 127.0.0.1:0 -w "$ws" > "$tmp/out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] && ok "serve --http fails when libmicrohttpd cannot be loaded (exit $rc)" \
  || no "serve --http fails when libmicrohttpd cannot be loaded (exit $rc)" "$tmp/out"
has "... saying which library and what to install" \
  "libmicrohttpd cannot be loaded \(.*libmicrohttpd\.so\.12.*\): install it \(Debian: libmicrohttpd12\)" "$tmp/out"
