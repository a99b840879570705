/* docs/ owns libxml2 */
#include <libxml/tree.h>
#include "edi/x12.h"
