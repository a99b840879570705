/* edi/ reaching up into the flow: reported */
#include "edi/low.h"
#include "gateway/flow/ack.h"
/* sqlite3_open in a comment is no use of SQLite */
static const char *s = "xmlReadMemory in a string is no use of libxml2";
