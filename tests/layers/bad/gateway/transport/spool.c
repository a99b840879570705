/* a transport reaching into its sibling erp/ */
#include "gateway/erp/files.h"
