/* a room with no rank */
#include "edi/low.h"
