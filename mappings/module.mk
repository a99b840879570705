# mappings/: the map engine (libxslt + EXSLT host, extension functions,
# code lists, JSON, golden tests); the maps themselves are data beside it.
MAP_SRC := mappings/map.c mappings/map_ext.c mappings/map_dec.c mappings/map_codes.c mappings/map_diff.c \
           mappings/map_json.c mappings/map_model.c mappings/map_test.c
