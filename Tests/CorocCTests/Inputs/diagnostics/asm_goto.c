/* Proves: asm goto in a coroutine is an error at the asm statement. */
#include <coro.h>

CORO static int co(int n) {
    coro_yield();
    /*1️⃣*/asm goto("" : : : : skip);
    n++;
skip:
    return n;
}
