/* Proves: alloca in a coroutine is an error at the call. */
#include <alloca.h>
#include <coro.h>

CORO static int co(int n) {
    char *p = /*1️⃣*/alloca(n);
    p[0] = 1;
    coro_yield();
    return p[0];
}
