# wharf — one non-recursive Makefile. Each folder lists its sources in a
# module.mk. Variants: build/ (release), build/san/ (ASan + UBSan, what
# `make check` runs), build/debug/.
#
# On a fresh Debian 12 machine `make run` sets everything up and runs the
# gateway, `make check` passes every test. Both install the Debian packages
# they need (scripts/deps.sh: apt-get, only what is missing).
#
#   make              build/wharf
#   make run          a workspace in build/run with the sample Amazon partners,
#                     the sample POs dropped in, one gateway pass, status and
#                     orders, then what to try next; on a terminal, the daemon
#                     (Ctrl-C stops it)
#   make check        every test tier under ASan + UBSan: unit, golden, maps,
#                     fuzz corpus replay, layers, memcheck (valgrind),
#                     integration, independent parser (node-x12); installs
#                     every tool the tests run; ends with
#                     "N passed, N failed, N skipped"
#   make check-quick  unit, golden, maps, fuzz corpus replay and layers: the
#                     same summary line in under a minute on 2 cores
#   make check-layers the include rules of the layers (scripts/check-layers.py)
#   make build/tsan/wharf  a ThreadSanitizer build (clang), for the map workers
#   make install      PREFIX=/usr/local DESTDIR=: binary, data, man page, unit
#   make uninstall    the same files removed (the workspace stays)
#   make bench        throughput and memory figures on generated inputs
#   make golden-update   rewrite golden expectations for review
#   make screenshots  the web console's pages in headless Chromium, copied to
#                     docs/screenshots/ for the README
#   TEST_JOBS=N       how many tests run at once (default: the number of CPUs)

.DEFAULT_GOAL := all
SHELL := /bin/bash

PKGS := libxml-2.0 libxslt libexslt jansson gmp sqlite3 openssl libcurl libsodium cmocka libmicrohttpd zlib
DEPS_STAMP := build/.deps

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif

include edi/module.mk
include mappings/module.mk
include gateway/module.mk
include cli/module.mk

SCHEMAS := $(abspath schemas)
MAPPINGS := $(abspath mappings)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-unused-parameter -Wformat=2 -Wno-format-nonliteral
PKG_CFLAGS = $(shell pkg-config --cflags libxml-2.0 libxslt libexslt jansson gmp sqlite3 openssl libcurl libsodium libmicrohttpd zlib)
PKG_LIBS = $(shell pkg-config --libs libxml-2.0 libxslt libexslt jansson gmp sqlite3 openssl libcurl libsodium libmicrohttpd zlib) -lcsv -lm
# The program is not linked with libcurl and libmicrohttpd: gateway/net/netlibs.c
# loads them when a network command first needs them, so the other commands
# start without loading them and the libraries they bring. (Tests link them:
# their stand-in servers use them.)
PROG_LIBS = $(shell pkg-config --libs libxml-2.0 libxslt libexslt jansson gmp sqlite3 openssl libsodium zlib) -lcsv -lm
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE -I. -Ibuild/gen $(WARN) $(PKG_CFLAGS) \
              -DWHARF_SCHEMAS='"$(SCHEMAS)"' -DWHARF_MAPPINGS='"$(MAPPINGS)"' -MMD -MP \
              -DWHARF_CONSOLE='"$(abspath console)"' \
              -DWHARF_MODELS='"$(abspath ../shared/amazon/sp-api-models)"'

REL_CFLAGS := -O2 -g
SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
DBG_CFLAGS := -O0 -g

SRC := $(EDI_SRC) $(MAP_SRC) $(GW_SRC) $(CLI_SRC)

# SPEC: issue 18 — the guide cache's salt (edi/guide_cache.c): a digest of
# edi/'s sources and libxml2's version, in build/gen/edi_salt.h, rewritten
# only when it changes (so only a change to edi/ rebuilds what includes it)
EDI_SALT := $(shell cat $(sort $(wildcard edi/*.c edi/*.h)) | sha256sum | cut -c1-32)-$(shell pkg-config --modversion libxml-2.0 2>/dev/null)
$(shell mkdir -p build/gen && l='#define EDI_GC_SALT "$(EDI_SALT)"' && \
  [ "$$(cat build/gen/edi_salt.h 2>/dev/null)" = "$$l" ] || echo "$$l" > build/gen/edi_salt.h)

# SPEC: issue 18 — the program is two: build/wharf, the front, links libc,
# jansson, the EDI core without libxml2 and fileio.c (FRONT_SRC), and checks
# X12 files from the guide cache (`wharf edi validate|ack`), in about a tenth of the
# full program's start-up; for every other command, and whenever the cache
# does not hold what a file needs, it executes the core, wharf-core beside
# it (installed: PREFIX/libexec/wharf-core), with the same arguments
# (cli/front.c). Both are built together; a command line names the front.
FRONT_SRC := cli/front.c cli/base.c cli/edi.c gateway/core/fileio.c \
             $(filter-out edi/guide_xml.c edi/exml.c,$(EDI_SRC))
FRONT_LIBS = $(shell pkg-config --libs jansson)

# $(call objs,VARIANT_DIR,SOURCES)
objs = $(patsubst %.c,$(1)/obj/%.o,$(2))

$(DEPS_STAMP): scripts/deps.sh Makefile
	@mkdir -p build
	@scripts/deps.sh $(PKGS)
	@touch $@

all: build/wharf

# SPEC: issue 18 — the release build allocates with mimalloc (Debian's
# libmimalloc): linked before libc, it serves every malloc of the process,
# libxml2's and libxslt's included. Measured on 10,000 POs end to end: 25 to
# 30 % less CPU than glibc's malloc, most with the map worker threads
# (whose documents the flow's thread frees). The sanitizer builds keep
# their own allocators; valgrind is told where malloc lives (tests/run.sh).
MALLOC_LIBS := -lmimalloc

build/wharf-core: $(call objs,build,$(SRC)) | $(DEPS_STAMP)
	$(CC) $(REL_CFLAGS) -o $@ $^ $(MALLOC_LIBS) $(PROG_LIBS)

build/wharf: $(call objs,build,$(FRONT_SRC)) | build/wharf-core
	$(CC) $(REL_CFLAGS) -o $@ $^ $(FRONT_LIBS)

build/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(CC) $(BASE_CFLAGS) $(REL_CFLAGS) -c -o $@ $<

build/san/wharf-core: $(call objs,build/san,$(SRC)) | $(DEPS_STAMP)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(PROG_LIBS)

build/san/wharf: $(call objs,build/san,$(FRONT_SRC)) | build/san/wharf-core
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(FRONT_LIBS)

build/san/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) -c -o $@ $<

build/debug/wharf-core: $(call objs,build/debug,$(SRC)) | $(DEPS_STAMP)
	$(CC) $(DBG_CFLAGS) -o $@ $^ $(PROG_LIBS)

build/debug/wharf: $(call objs,build/debug,$(FRONT_SRC)) | build/debug/wharf-core
	$(CC) $(DBG_CFLAGS) -o $@ $^ $(FRONT_LIBS)

build/debug/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(CC) $(BASE_CFLAGS) $(DBG_CFLAGS) -c -o $@ $<

debug: build/debug/wharf

# ThreadSanitizer (clang): the inbound flow's map workers checked on a
# large file (docs/ARCHITECTURE.md); not part of make check
TSAN_CC ?= clang
TSAN_CFLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer -Wno-error
build/tsan/wharf-core: $(call objs,build/tsan,$(SRC)) | $(DEPS_STAMP)
	$(TSAN_CC) $(TSAN_CFLAGS) -o $@ $^ $(PROG_LIBS)

build/tsan/wharf: $(call objs,build/tsan,$(FRONT_SRC)) | build/tsan/wharf-core
	$(TSAN_CC) $(TSAN_CFLAGS) -o $@ $^ $(FRONT_LIBS)

build/tsan/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(TSAN_CC) $(filter-out -MMD -MP,$(BASE_CFLAGS)) -MMD -MP $(TSAN_CFLAGS) -c -o $@ $<

RUN_WS ?= build/run
# One "what next" block, from scripts/run-next.sh; `wharf init`'s own next
# steps are for a workspace made by hand, so they are left out here.
DEPS_RUN_STAMP := build/.deps-run
$(DEPS_RUN_STAMP): scripts/deps.sh Makefile
	@mkdir -p build
	@scripts/deps.sh --run $(PKGS)
	@touch $@

run: build/wharf | $(DEPS_RUN_STAMP)
	@set -o pipefail; if [ ! -f $(RUN_WS)/wharf.xml ]; then \
		build/wharf init $(RUN_WS) | sed '/^Next steps:/,$$d' && \
		cp tests/golden/x12/amazon-rp-850.edi tests/golden/x12/amazon-rp-850-multi.edi \
			$(RUN_WS)/partners/amazon-rp/inbound/ && \
		cp tests/golden/x12/amazon-df-850.edi $(RUN_WS)/partners/amazon-df/inbound/ && \
		mkdir -p $(RUN_WS)/samples && \
		cp tests/integration/ship/in/rp-one-po-many-cartons.csv $(RUN_WS)/samples/pack-4Z32PABC.csv && \
		cp tests/integration/ship/in/df-single-package.csv $(RUN_WS)/samples/pack-TVd4wGZnR.csv && \
		echo "run: dropped the sample Amazon POs into $(RUN_WS)/partners/*/inbound"; fi
	build/wharf run --once -w $(RUN_WS)
	build/wharf status -w $(RUN_WS)
	build/wharf orders list -w $(RUN_WS)
	@scripts/run-spapi.sh build/wharf $(RUN_WS)-spapi
	@scripts/run-erp.sh build/wharf $(RUN_WS)-erp
	@scripts/run-next.sh build/wharf $(RUN_WS)
	@scripts/run-http.sh build/wharf $(RUN_WS)
	@if [ -t 0 ]; then echo "run: serving $(RUN_WS) (Ctrl-C stops; drop files into $(RUN_WS)/partners/*/inbound)"; \
		exec build/wharf serve -w $(RUN_WS); fi

# ---- install ---------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the release binary, the data it
# reads at run time (schemas, maps without their C sources, Amazon's SP-API
# models when the checkout has them, the console's static files), the manual
# page wharf(1) (made by `wharf help --man`, so it says what `wharf help`
# says), the systemd unit and its sysusers.d user. The binary is the one
# build/ already has: it finds PREFIX/share/wharf beside itself
# (BIN/../share/wharf, cli/common.c), so a DESTDIR tree works where it lies
# and nothing needs rebuilding for a PREFIX.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/wharf
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
MODELS := $(abspath ../shared/amazon/sp-api-models)
# files copied as they are, owner root, read-only for everyone but root
COPY_TREE = tar -C $(1) --owner=0 --group=0 --mode=u=rwX,go=rX -cf - $(2) | tar -C $(3) -xpf -

build/wharf.1: build/wharf
	build/wharf help --man > $@.tmp && mv $@.tmp $@

install: build/wharf build/wharf.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/schemas $(DESTDIR)$(DATADIR)/mappings \
		$(DESTDIR)$(DATADIR)/console $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 build/wharf $(DESTDIR)$(BINDIR)/wharf
	install -d $(DESTDIR)$(PREFIX)/libexec
	install -m 0755 build/wharf-core $(DESTDIR)$(PREFIX)/libexec/wharf-core
	$(call COPY_TREE,schemas,.,$(DESTDIR)$(DATADIR)/schemas)
	cd mappings && find . -type f ! -name '*.[ch]' ! -name module.mk -print0 | \
		tar --null -T - --owner=0 --group=0 --mode=u=rwX,go=rX -cf - | tar -C $(DESTDIR)$(DATADIR)/mappings -xpf -
	$(call COPY_TREE,console,.,$(DESTDIR)$(DATADIR)/console)
	@if [ -d $(MODELS) ]; then install -d $(DESTDIR)$(DATADIR)/sp-api-models && \
		$(call COPY_TREE,$(MODELS),.,$(DESTDIR)$(DATADIR)/sp-api-models); \
	else echo "install: no $(MODELS): map output is not checked against the SP-API models"; fi
	install -m 0644 build/wharf.1 $(DESTDIR)$(MANDIR)/man1/wharf.1
	sed 's|/usr/local/bin/wharf|$(BINDIR)/wharf|' packaging/wharf.service > $(DESTDIR)$(UNITDIR)/wharf.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/wharf.service
	install -m 0644 packaging/wharf.sysusers $(DESTDIR)$(SYSUSERSDIR)/wharf.conf

# what install wrote; the workspace (/var/lib/wharf) and the user stay
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wharf $(DESTDIR)$(PREFIX)/libexec/wharf-core $(DESTDIR)$(MANDIR)/man1/wharf.1 \
		$(DESTDIR)$(UNITDIR)/wharf.service $(DESTDIR)$(SYSUSERSDIR)/wharf.conf
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build

include tests/module.mk

.PHONY: all debug clean install uninstall check check-quick check-layers bench golden-update run screenshots
-include $(shell find build -name '*.d' 2>/dev/null)
