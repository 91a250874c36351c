/* Proves cross-file awaits, with main.c: this file defines the coroutines.
 * remote_twice never suspends and has no loop: here it is a plain call, and
 * main.c still awaits its state machine (external linkage keeps both). */
#include "remote.h"

CORO int remote_twice(int x) { return 2 * x; }

CORO int remote_add(int a, int b) {
    coro_yield();
    return remote_twice(a) - a + b;
}
