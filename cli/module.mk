# cli/: the wharf program: main() and its command table (main.c), the
# helpers every command shares (common.c), one file per command family.
# front.c is the wharf front's main() (Makefile FRONT_SRC), not the core's.
CLI_SRC := $(filter-out cli/front.c,$(sort $(wildcard cli/*.c)))
