# tests/: unit (cmocka), golden files, fuzz-corpus replay, integration.
