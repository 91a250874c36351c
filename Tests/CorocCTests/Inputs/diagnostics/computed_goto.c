/* Proves: the address of a label and a computed goto in a coroutine are errors. */
#include <coro.h>

CORO static int co(int n) {
    void *target = /*1️⃣*/&&out;
    coro_yield();
    if (n) /*2️⃣*/goto *target;
out:
    return n;
}
