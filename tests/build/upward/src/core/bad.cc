// Fixture for the layering check: core must not include sys.
#include "core/status.h"
#include "sys/env.h"
