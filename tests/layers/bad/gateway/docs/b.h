/* the other half of the cycle */
#include "gateway/core/a.h"
