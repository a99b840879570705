/* the lowest room */
#include <string.h>
