/* Proves: a syntax error is libclang's own diagnostic, passed through. */
#include <coro.h>

CORO static int co(int n) {
    coro_yield()/*1️⃣*/
    return n;
}
