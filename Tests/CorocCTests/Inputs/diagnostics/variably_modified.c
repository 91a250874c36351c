/* Proves: a VLA spelled through a typedef, and a local or parameter of
 * variably modified type (pointer to a VLA), are errors in a stackless
 * coroutine like a plain VLA; an ordinary function may use them. */
#include <coro.h>

int ordinary(int n) {
    typedef int row_t[n];
    row_t fine;
    fine[0] = 1;
    return fine[0];
}

CORO static int co(int n, int (*/*1️⃣*/grid)[n]) {
    typedef int row_t[n];
    row_t /*2️⃣*/row;
    int (*/*3️⃣*/p)[n] = grid;
    row[0] = n;
    coro_yield();
    return row[0] + p[0][0];
}
