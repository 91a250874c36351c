/* Proves: a coroutine started by coro_main and also used as a value cannot
 * keep both forms when it has a static local (each would have its own). */
#include <coro.h>

CORO static int /*1️⃣*/counter(void) { static int calls; return ++calls; }

static int (*cp)(void) = counter;

int main(void) { return coro_main(counter()) + cp(); }
