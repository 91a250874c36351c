/* Proves: a missing header is libclang's fatal error, passed through. */
#include <coro.h>
#include /*1️⃣*/"no_such_header_for_coroc.h"

CORO static int co(void) { return 0; }
