/* Proves: stackful, coro_go of a K&R coroutine with fewer arguments than its
 * definition has parameters is an error at the call (the spawn helper has
 * the definition's parameters; the body would read an argument never
 * passed).  More arguments are evaluated and dropped (knr_extra_args.c). */
#include <coro.h>

CORO static void job(n, m)
    int n, m;
{
    coro_yield();
    (void)(n + m);
}

CORO static int run(void) {
    coro_go(/*1️⃣*/job(1));
    return 0;
}

int main(void) { return coro_main(run()); }
