#!/bin/sh
# Installs the Debian -dev packages wharf builds against, but only those
# pkg-config cannot find. Used by `make`, `make check` and `make run`.
# With --tests (`make check`, `make check-quick`), also every command the
# tests run, so that no tier is skipped because a tool is missing.
# With --run (`make run`), python3 and openssl for the SP-API and ERP demos.
# Usage: scripts/deps.sh [--tests | --run] [pkg-config-name ...]
set -eu
tests=""
run=""
if [ "${1:-}" = --tests ]; then tests=1; shift; fi
if [ "${1:-}" = --run ]; then run=1; shift; fi
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
      zlib) need="$need zlib1g-dev" ;;
      *) echo "deps: no Debian package known for $pc" >&2; exit 2 ;;
    esac
  fi
done
# libcsv ships no pkg-config file: its header tells whether it is there
if ! printf '#include <csv.h>\n' | ${CC:-cc} -E -x c - >/dev/null 2>&1; then
  need="$need libcsv-dev"
fi
# mimalloc (the release build's allocator) ships no pkg-config file either
if ! printf '#include <mimalloc.h>\n' | ${CC:-cc} -E -x c - >/dev/null 2>&1; then
  need="$need libmimalloc-dev"
fi
command -v pkg-config >/dev/null 2>&1 || need=" pkg-config$need"
# The commands the tests run (commands, not libraries: no pkg-config name).
# tests/run.sh counts and lists a check it cannot run as skipped; here is
# where each tool comes from, so that `make check` skips nothing.
if [ -n "$tests" ]; then
  for tool in \
      sqlite3:sqlite3 \
      valgrind:valgrind \
      xmllint:libxml2-utils \
      node:nodejs \
      npm:npm \
      python3:python3 \
      openssl:openssl \
      curl:curl \
      flock:util-linux \
      mkfifo:coreutils \
      /usr/sbin/sshd:openssh-server \
      ssh-keygen:openssh-client \
      groff:groff-base \
      systemd-analyze:systemd \
      /usr/bin/chromium:chromium; do
    # sqlite3: integration tests read and lock the store; valgrind: the
    # memcheck tier; xmllint: init.sh checks wharf.xml against config.xsd;
    # node, npm: the independent parser (node-x12); python3:
    # scripts/check-layers.py; flock, mkfifo: inbound-faults.sh; sshd,
    # ssh-keygen: sftp.sh runs OpenSSH's server on loopback; groff,
    # systemd-analyze: install.sh renders wharf(1) and verifies wharf.service;
    # curl: api.sh and as2.sh talk to wharf serve's listeners; chromium:
    # console.sh drives the web console in it, headless (puppeteer-core,
    # from npm into build/node, never downloads a browser)
    command -v "${tool%%:*}" >/dev/null 2>&1 || need="$need ${tool#*:}"
  done
fi
# `make run` shows an SP-API partner and the Brightpearl and QuickBooks
# connectors against their local stand-ins: python3
# runs them, openssl makes their certificate
if [ -n "$run" ]; then
  command -v python3 >/dev/null 2>&1 || need="$need python3"
  command -v openssl >/dev/null 2>&1 || need="$need openssl"
fi
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
# what a desktop browser recommends (a notification daemon, upower, printing)
# is nothing a headless test uses: chromium comes without its recommends
lean=""
case "$need " in *" chromium "*) lean=chromium; need=$(printf ' %s' $need | sed 's/ chromium\b//') ;; esac
apt_install() { apt-get install -y -qq "$@" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; }; }
if [ -n "$need" ]; then apt_install $need; fi
if [ -n "$lean" ]; then apt_install --no-install-recommends $lean; fi
