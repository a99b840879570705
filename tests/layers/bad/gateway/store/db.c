/* the store may not parse XML: libxml2 belongs to its owners */
#include <sqlite3.h>
#include <libxml/tree.h>
