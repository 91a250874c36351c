/* Proves cross-file awaits, with main.c: this file defines the coroutine. */
#include "remote.h"

CORO int remote_add(int a, int b) {
    coro_yield();
    return a + b;
}
