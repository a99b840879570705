# gateway/: the gateway as a library, one room per folder (docs/ARCHITECTURE.md):
# store/ (lowest), core/, docs/, net/ and secret/, transport/ and erp/, flow/, api/ (highest).
GW_SRC := $(sort $(wildcard gateway/store/*.c gateway/core/*.c gateway/docs/*.c gateway/net/*.c gateway/secret/*.c \
          gateway/transport/*.c gateway/erp/*.c gateway/flow/*.c gateway/api/*.c))
# What unit tests link: the whole library (the program adds only cli/).
GW_LIB_SRC = $(GW_SRC)

# The stock order→ERP JSON map's bytes, compiled in: gateway/docs/orderjson.c
# writes that map's JSON in C only while the file the map engine would run
# is this very file (map_file_is), so an edited or overridden map runs as
# XSLT. od and sed: coreutils, on every machine that builds.
GW_ORDERJSON_STOCK := build/gen/order-to-erp-json.inc
$(GW_ORDERJSON_STOCK): mappings/local/order-to-erp-json.xsl
	@mkdir -p $(dir $@)
	@echo "  GEN $@"
	@od -An -v -tx1 $< | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' > $@.tmp && mv $@.tmp $@
build/obj/gateway/docs/orderjson.o build/san/obj/gateway/docs/orderjson.o \
build/debug/obj/gateway/docs/orderjson.o build/tsan/obj/gateway/docs/orderjson.o: $(GW_ORDERJSON_STOCK)
