/* Proves: a type declared in a coroutine that cannot move to file scope (its
 * size uses a local; its tag is taken at file scope) makes its locals an error
 * at the local, also through an array. */
#include <coro.h>

struct Taken { int file_scope; };

CORO static int sized(int n) {
    int seed[4] = {n};
    struct { char buf[sizeof seed]; } /*1️⃣*/copy;
    coro_yield();
    return copy.buf[0];
}

CORO static int clash(void) {
    struct Taken { double local; } /*2️⃣*/many[2];
    coro_yield();
    return (int)many[1].local;
}
