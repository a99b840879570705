# tests/: unit (cmocka, one file per module), golden files, fuzz-corpus
# replay, layers, memcheck, integration, independent parser. `make check`
# builds them against the ASan + UBSan objects and runs tests/run.sh, which
# ends with "N passed, N failed, N skipped"; `make check-quick` runs the
# tiers that take seconds (tests/run.sh --quick).

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(patsubst tests/fuzz/%.c,build/san/fuzz/%,$(FUZZ_SRC))
FUZZ_LIBFUZZER := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
EDI_SAN_OBJ = $(call objs,build/san,$(EDI_SRC))
EDI_REL_OBJ = $(call objs,build,$(EDI_SRC))
MAP_SAN_OBJ = $(call objs,build/san,$(MAP_SRC))
# The gateway modules that depend on edi/ and plain libraries only, which
# fuzz targets may link (packlist.c: libcsv and jansson; cdoc.c: libxml2
# and the map engine for its schema check; sftp_parse.c: libc only;
# net/cms.c and mime.c: OpenSSL and zlib).
FUZZ_GW_SRC := gateway/docs/packlist.c gateway/docs/cdoc.c gateway/docs/dec.c gateway/docs/canon.c \
               gateway/net/sftp_parse.c gateway/net/cms.c gateway/net/mime.c
FUZZ_GW_SAN_OBJ = $(call objs,build/san,$(FUZZ_GW_SRC))
# The gateway library's objects as an archive, so a test pulls in only the
# modules it calls and what they call (cli/ is the program, never linked).
GW_SAN_LIB = build/san/libgw.a
# libmicrohttpd is in PKG_LIBS: the program's HTTP listener (net/server.c) and
# the loopback servers of test_http.
TEST_LIBS = $(PKG_LIBS) $(shell pkg-config --libs cmocka)

$(GW_SAN_LIB): $(call objs,build/san,$(GW_LIB_SRC))
	@echo "  AR  $@"
	@rm -f $@ && ar rcs $@ $^

build/san/tests/%: tests/unit/%.c tests/unit/testutil.h $(EDI_SAN_OBJ) $(MAP_SAN_OBJ) $(GW_SAN_LIB) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) -Itests/unit -DWHARF_TESTDATA='"$(abspath tests)"' \
		-o $@ $< $(EDI_SAN_OBJ) $(MAP_SAN_OBJ) $(GW_SAN_LIB) $(TEST_LIBS)

# Fuzz targets under gcc: a driver that replays the committed corpus.
build/san/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(EDI_SAN_OBJ) $(MAP_SAN_OBJ) $(FUZZ_GW_SAN_OBJ) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) -Itests/fuzz -DWHARF_SCHEMAS_DIR='"$(SCHEMAS)"' \
		-o $@ $< tests/fuzz/replay.c $(EDI_SAN_OBJ) $(MAP_SAN_OBJ) $(FUZZ_GW_SAN_OBJ) $(PKG_LIBS)

# The same targets under clang's libFuzzer, for `make fuzz`.
FUZZ_CC ?= clang
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(EDI_SRC) $(MAP_SRC) $(FUZZ_GW_SRC) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $@ (libFuzzer)"
	@$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -I. -Itests/fuzz $(PKG_CFLAGS) -DWHARF_SCHEMAS_DIR='"$(SCHEMAS)"' \
		-DWHARF_MODELS='"$(abspath ../shared/amazon/sp-api-models)"' \
		-g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(EDI_SRC) $(MAP_SRC) $(FUZZ_GW_SRC) $(PKG_LIBS)

# Every command the tests run (valgrind, xmllint, sqlite3, node, npm,
# python3 ...), installed when missing, so no tier is skipped for want of one.
DEPS_TESTS_STAMP := build/.deps-tests
$(DEPS_TESTS_STAMP): scripts/deps.sh Makefile tests/module.mk
	@mkdir -p build
	@scripts/deps.sh --tests $(PKGS)
	@touch $@

check: build/wharf build/san/wharf $(UNIT_BINS) $(FUZZ_REPLAY) | $(DEPS_TESTS_STAMP)
	@tests/run.sh

check-quick: build/san/wharf $(UNIT_BINS) $(FUZZ_REPLAY) | $(DEPS_TESTS_STAMP)
	@tests/run.sh --quick

# The console's pages as console.sh shows them in Chromium, copied to
# docs/screenshots/ (committed: the README shows them).
screenshots: build/san/wharf | $(DEPS_TESTS_STAMP)
	@mkdir -p build/console && bash tests/integration/console.sh build/san/wharf > build/console/test.log; \
		grep -v '^ok' build/console/test.log; ! grep -q '^not ok' build/console/test.log || \
		{ echo "screenshots: the console test failed (build/console/test.log)"; exit 1; }
	@ls build/console/shots/*.png > /dev/null 2>&1 || { echo "screenshots: none were made (see above)"; exit 1; }
	@mkdir -p docs/screenshots && cp build/console/shots/*.png docs/screenshots/
	@echo "screenshots: $$(ls docs/screenshots/*.png | wc -l) pages in docs/screenshots/"

check-layers: | $(DEPS_TESTS_STAMP)
	@scripts/check-layers.py
	@bash tests/layers/run.sh | grep -v '^ok' | { ! grep .; }

golden-update: build/san/wharf
	@GOLDEN_UPDATE=1 tests/golden/run.sh build/san/wharf

# make fuzz FUZZ_SECONDS=60: run every target under libFuzzer, growing its corpus.
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_LIBFUZZER)
	@for t in $(FUZZ_LIBFUZZER); do n=$$(basename $$t); mkdir -p tests/fuzz/corpus/$$n; \
		echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
			-artifact_prefix=tests/fuzz/corpus/$$n/ tests/fuzz/corpus/$$n >/dev/null 2>build/fuzz/$$n.log || \
			{ tail -30 build/fuzz/$$n.log; exit 1; }; done

BENCH_SRC := tests/bench/bench.c
# The release objects as an archive too: the bench's HTTP figure links the
# client (net/http.c) and what it calls, nothing more.
MAP_REL_OBJ = $(call objs,build,$(MAP_SRC))
GW_REL_LIB = build/libgw.a
$(GW_REL_LIB): $(call objs,build,$(GW_LIB_SRC))
	@echo "  AR  $@"
	@rm -f $@ && ar rcs $@ $^

# the in-process figures with the release build's allocator (MALLOC_LIBS):
# with glibc's, tokenizing measured half as fast
build/bench: $(BENCH_SRC) $(EDI_REL_OBJ) $(MAP_REL_OBJ) $(GW_REL_LIB) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $@"
	@$(CC) $(BASE_CFLAGS) $(REL_CFLAGS) -o $@ $(BENCH_SRC) $(EDI_REL_OBJ) $(MAP_REL_OBJ) $(GW_REL_LIB) \
		$(MALLOC_LIBS) $(PKG_LIBS)

# then the SP-API figure (issue 14): BENCH_DF_ORDERS DF orders (default 1000)
# pulled and acknowledged against the local stand-in at Amazon's rate limits
# (and the ERP, AS2 figures), then the HTTP API and /metrics on a store of
# BENCH_API_DOCS documents (default 100000; tests/bench/api.sh)
bench: build/bench build/wharf
	@build/bench build/bench-data
	@tests/bench/spapi.sh build/wharf
	@tests/bench/erp.sh build/wharf
	@tests/bench/as2.sh build/wharf
	@tests/bench/api.sh build/wharf
	@tests/bench/exactly-once.sh build/wharf

.PHONY: fuzz
