/* the program includes any lower room */
#include "gateway/docs/canon.h"
#include "edi/x12.h"
