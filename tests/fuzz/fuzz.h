/*
 * fuzz.h — the libFuzzer entry point every target defines. Under clang the
 * targets link with libFuzzer (`make fuzz`); under gcc with replay.c, which
 * runs the committed corpus (`make check`).
 */
#ifndef WHARF_FUZZ_H
#define WHARF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef WHARF_SCHEMAS_DIR
#define WHARF_SCHEMAS_DIR "schemas"
#endif

#endif
