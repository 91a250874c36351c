/* Proves: setjmp and longjmp in a coroutine are errors at each call. */
#include <coro.h>
#include <setjmp.h>

static jmp_buf env;

CORO static int co(void) {
    if (/*1️⃣*/setjmp(env)) return 1;
    coro_yield();
    /*2️⃣*/longjmp(env, 1);
}
