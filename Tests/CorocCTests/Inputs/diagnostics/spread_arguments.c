/* Proves: in stackful mode, a spawn whose arguments come from one macro that
 * expands to several (`BOTH` -> `1, 2`) is rejected at the argument, naming
 * the construct, instead of copying nothing (`pair_go_stackful(, )`). */
#include <coro.h>

#define BOTH 1, 2

CORO static int pair(int a, int b) {
    coro_yield();
    return a + b;
}

CORO static int root(void) {
    coro_go(pair(/*1️⃣*/BOTH));
    return 0;
}
