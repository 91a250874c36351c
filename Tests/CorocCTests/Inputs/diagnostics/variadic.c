/* Proves: a variadic coroutine is an error at its name. */
#include <coro.h>

CORO static int /*1️⃣*/sum(int n, ...) {
    coro_yield();
    return n;
}
