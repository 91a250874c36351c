/* Proves: a K&R-style coroutine is translated (its parameters have the
 * declared types), but a call with another number of arguments than its
 * definition has parameters, which C accepts for a function without a
 * prototype, is an error at the call: the generated init function has one. */
#include <coro.h>

CORO static int old(a)
    int a;
{
    coro_yield();
    return a;
}

CORO static int caller(void) {
    return /*1️⃣*/old(1, 2);
}
