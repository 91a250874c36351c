/* Proves: a coroutine started by coro_go and also used as a value cannot
 * keep both forms when it has a static local (each would have its own). */
#include <coro.h>

CORO static int /*1️⃣*/counter(void) { static int calls; return ++calls; }

static int (*cp)(void) = counter;

CORO static int root(void) {
    coro_go(counter());
    coro_yield();
    return cp();
}

int main(void) { return coro_main(root()); }
