/* an excepted flow file (tests/layers/run.sh gives it with --except): allowed, counted */
#include <libxml/tree.h>
#include "gateway/docs/canon.h"
