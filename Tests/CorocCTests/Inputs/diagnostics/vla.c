/* Proves: a variable-length array in a coroutine is an error at its name,
 * while the same VLA in an ordinary function of the file is accepted. */
#include <coro.h>

int ordinary(int n) {
    int fine[n];
    fine[0] = 1;
    return fine[0];
}

CORO static int co(int n) {
    int /*1️⃣*/v[n];
    v[0] = n;
    coro_yield();
    return v[0];
}
