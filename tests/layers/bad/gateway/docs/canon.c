/* docs/ owns libxml2: not reported */
#include <libxml/tree.h>
#include "gateway/core/a.h"
