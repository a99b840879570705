/* the program calling SQLite through some header, without including it */
#include "gateway/flow/ack.h"
int show(void *db);
int show(void *db) { return sqlite3_close(db) == SQLITE_OK; }
