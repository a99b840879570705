#!/bin/sh
# Installs the Debian -dev packages wharf builds against, but only those
# pkg-config cannot find, and the sqlite3 command the tests use. Used by
# `make`, `make check` and `make run`.
# Usage: scripts/deps.sh [pkg-config-name ...]
set -eu
need=""
for pc in "$@"; do
  if ! pkg-config --exists "$pc" 2>/dev/null; then
    case "$pc" in
      libxml-2.0) need="$need libxml2-dev" ;;
      libxslt|libexslt) need="$need libxslt1-dev" ;;
      cmocka) need="$need libcmocka-dev" ;;
      gmp) need="$need libgmp-dev" ;;
      sqlite3) need="$need libsqlite3-dev" ;;
      libcurl) need="$need libcurl4-openssl-dev" ;;
      openssl) need="$need libssl-dev" ;;
      libsodium) need="$need libsodium-dev" ;;
      jansson) need="$need libjansson-dev" ;;
      libmicrohttpd) need="$need libmicrohttpd-dev" ;;
      *) echo "deps: no Debian package known for $pc" >&2; exit 2 ;;
    esac
  fi
done
# libcsv ships no pkg-config file: its header tells whether it is there
if ! printf '#include <csv.h>\n' | ${CC:-cc} -E -x c - >/dev/null 2>&1; then
  need="$need libcsv-dev"
fi
command -v pkg-config >/dev/null 2>&1 || need=" pkg-config$need"
# the sqlite3 command: tests/integration/privacy.sh reads the store with it
# (a command, not a library: no pkg-config name)
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
# each package once
# (printf prints one empty line when nothing is missing: trim before testing)
need=$(printf '%s\n' $need | sort -u | tr '\n' ' ' | sed 's/^ *//; s/ *$//')
[ -z "$need" ] && exit 0
need=" $need"
if [ "$(id -u)" != 0 ]; then
  echo "deps: missing$need; run as root or: sudo apt-get install -y$need" >&2
  exit 2
fi
echo "deps: installing$need"
# refresh the package lists when they are empty or older than a day
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] ||
   [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime +1 2>/dev/null | head -1)" ]; then
  apt-get update -qq
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq $need >/dev/null || { apt-get update -qq && apt-get install -y -qq $need >/dev/null; }
