/* Proves: a K&R-style coroutine is translated (its parameters have the
 * declared types), but a call with fewer arguments than its definition has
 * parameters, which C accepts for a function without a prototype, is an
 * error at the call: the coroutine would read an argument never passed.
 * (More arguments are evaluated and dropped: behaviour knr_extra_args.c.) */
#include <coro.h>

CORO static int old(a)
    int a;
{
    coro_yield();
    return a;
}

CORO static int caller(void) {
    return /*1️⃣*/old();
}
