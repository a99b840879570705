# cli/: the wharf program: main() and its command table (main.c), the
# helpers every command shares (common.c), one file per command family.
CLI_SRC := $(sort $(wildcard cli/*.c))
