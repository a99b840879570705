/* core/ and docs/ include each other: upward, and a cycle across rooms */
#include "gateway/docs/b.h"
