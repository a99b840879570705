/* an excepted flow file (in EXCEPTIONS): allowed, counted */
#include <libxml/tree.h>
#include "gateway/docs/canon.h"
