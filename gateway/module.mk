# gateway/: the wharf program (CLI)
GW_SRC := gateway/cli.c gateway/cli_edi.c gateway/cli_map.c gateway/store.c gateway/config.c \
          gateway/cli_init.c gateway/pipeline.c gateway/cli_gw.c gateway/ackrun.c \
          gateway/sched.c gateway/outbound.c gateway/ship.c gateway/cli_ship.c gateway/canon.c gateway/invoice.c gateway/cli_invoice.c gateway/labels.c gateway/packlist.c gateway/readback.c gateway/purge.c gateway/cli_purge.c
# What unit tests may link: everything but main(). Recursive (=), so files
# added to GW_SRC later are in it too.
GW_LIB_SRC = $(filter-out gateway/cli.c,$(GW_SRC))
