# gateway/: the gateway as a library, one room per folder (docs/ARCHITECTURE.md):
# store/ (lowest), core/, docs/, net/ and secret/, transport/ and erp/, flow/, api/ (highest).
GW_SRC := $(sort $(wildcard gateway/store/*.c gateway/core/*.c gateway/docs/*.c gateway/net/*.c gateway/secret/*.c \
          gateway/transport/*.c gateway/erp/*.c gateway/flow/*.c gateway/api/*.c))
# What unit tests link: the whole library (the program adds only cli/).
GW_LIB_SRC = $(GW_SRC)
