/* Proves: a K&R-style coroutine definition is an error at its name. */
#include <coro.h>

CORO static int /*1️⃣*/old(a)
    int a;
{
    coro_yield();
    return a;
}
