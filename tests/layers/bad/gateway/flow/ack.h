/* the flow header edi/low.c must not reach */
#include "edi/low.h"
