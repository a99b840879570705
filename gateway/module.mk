# gateway/: the wharf program (CLI)
GW_SRC := gateway/cli.c gateway/cli_edi.c gateway/cli_map.c
